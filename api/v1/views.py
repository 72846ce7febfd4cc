"""API v1 views. Each parses input, calls one service or selector, renders output."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api import webhooks
from api.base import TenantApiViewSet, idempotent
from api.models import WebhookDelivery, WebhookSubscription
from api.tasks import deliver_webhook
from api.v1 import serializers as s
from ticketing import search, selectors
from ticketing.models import (
    Agent,
    Attachment,
    Category,
    Contact,
    Department,
    FormField,
    Organization,
    Priority,
    Product,
    Ticket,
    TicketForm,
)
from ticketing.services import conversation, operations, people, tickets
from ticketing.services.people import contact_for_email


def _pk(model: type[Any], pk: int | None, queryset: QuerySet[Any] | None = None) -> Any:
    if pk is None:
        return None
    return get_object_or_404(queryset if queryset is not None else model.objects.all(), pk=pk)


#: Query parameters that filter the ticket list (the others page and order it).
TICKET_FILTER_PARAMS = frozenset(s.TicketFilterIn._declared_fields)


class TicketViewSet(TenantApiViewSet):
    serializer_class = s.TicketOut
    parser_classes = (JSONParser, MultiPartParser, FormParser)
    filter_backends = (OrderingFilter,)
    ordering_fields = ("id", "created_at", "updated_at", "number")

    def scoped_queryset(self, agent: Agent) -> QuerySet[Ticket]:
        return selectors.ticket_list(agent=agent).select_related("product")

    def _filtered(self, request: Request) -> tuple[QuerySet[Ticket], bool]:
        """The tickets the query parameters ask for, and whether every filter reads the
        ticket's own columns (no search, no join to narrow the rows)."""
        filters: dict[str, Any] = {}
        # A list without filters (the usual poll for new tickets) skips building the
        # filter serializer, whose fields are copied for every instance.
        if not TICKET_FILTER_PARAMS.isdisjoint(request.query_params.keys()):
            query = s.TicketFilterIn(data=request.query_params)
            query.is_valid(raise_exception=True)
            filters = dict(query.validated_data)
        text = str(filters.pop("q", ""))
        updated_after = filters.pop("updated_after", None)
        updated_before = filters.pop("updated_before", None)
        tickets = selectors.ticket_list(agent=self.agent, filters=filters).select_related("product")
        if updated_after:
            tickets = tickets.filter(updated_at__gte=updated_after)
        if updated_before:
            tickets = tickets.filter(updated_at__lt=updated_before)
        # The console's full-text search (replies and notes too, Persian and Chinese
        # rules), unranked: the cursor pages keep their own order. A word in many
        # tickets is checked row by row along the list's order (the ticket's own
        # columns, as far as planning goes); a rarer one is found through the index.
        broad = bool(text.strip()) and search.matches_broadly(text)
        own_columns = (not text.strip() or broad) and "organization" not in filters
        return search.tickets_matching(tickets, text, broad=broad), own_columns

    def _ticket(self, pk: Any) -> Ticket:
        # Found by its id, then its look-ups by theirs: see joins_in_written_order.
        with selectors.joins_in_written_order():
            ticket: Ticket = get_object_or_404(self.get_queryset(), pk=pk)
        return ticket

    def _out(self, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        ticket = self._ticket(ticket.pk)
        return Response(s.TicketOut(ticket, context={"with_sla": True}).data, status=code)

    @extend_schema(parameters=[s.TicketFilterIn], responses=s.TicketOut(many=True))
    def list(self, request: Request) -> Response:
        tickets, own_columns = self._filtered(request)
        if own_columns:
            # Rows found by the ticket's own columns, then joined to the rows they name
            # by primary key: the written join order is the plan, and letting PostgreSQL
            # search all orders of eight tables cost more than the rest of the request.
            with selectors.joins_in_written_order():
                page = self.paginate_queryset(self.filter_queryset(tickets))
        else:
            page = self.paginate_queryset(self.filter_queryset(tickets))
        return self.get_paginated_response(s.TicketOut(page, many=True).data)

    @extend_schema(responses=s.TicketOut)
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(s.TicketOut(self._ticket(pk), context={"with_sla": True}).data)

    @extend_schema(
        request=s.TicketCreateIn,
        responses={201: s.TicketOut},
        examples=[
            OpenApiExample(
                "From a CRM",
                request_only=True,
                value={
                    "subject": "Router down",
                    "department": 2,
                    "requester_email": "carla@nowak.pl",
                    "requester_name": "Carla Nowak",
                    "priority": 4,
                    "custom_fields": {"serial": "AB1234"},
                    "tags": ["vpn"],
                },
            )
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.TicketCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        requester = _pk(Contact, v.get("requester"))
        if requester is None and v.get("requester_email"):
            requester = contact_for_email(
                email=v["requester_email"], full_name=v.get("requester_name", "")
            )
        ticket = tickets.ticket_create(
            subject=v["subject"],
            description=v["description"],
            channel="api",
            requester=requester,
            department=_pk(Department, v.get("department")),
            category=_pk(Category, v.get("category")),
            created_by=self.agent,
            priority=Priority.objects.filter(level=v["priority"]).first()
            if v.get("priority")
            else None,
            ticket_type=v["type"],
            product=_pk(Product, v.get("product")),
            custom_fields=v["custom_fields"],
            tags=v["tags"],
            assignee=_pk(Agent, v.get("assignee")),
            is_internal=v["is_internal"],
            attachments=request.FILES.getlist("attachments"),
        )
        return self._out(ticket, status.HTTP_201_CREATED)

    @extend_schema(request=s.TicketUpdateIn, responses=s.TicketOut)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        ticket = self._ticket(pk)
        data = s.TicketUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if "priority" in v:
            priority = get_object_or_404(Priority, level=v["priority"])
            operations.ticket_change_priority(ticket=ticket, priority=priority, actor=self.agent)
        if "type" in v:
            operations.ticket_change_type(ticket=ticket, ticket_type=v["type"], actor=self.agent)
        if "category" in v:
            category = _pk(Category, v["category"])
            operations.ticket_change_category(ticket=ticket, category=category, actor=self.agent)
        if "tags" in v:
            operations.ticket_set_tags(ticket=ticket, tags=v["tags"], actor=self.agent)
        return self._out(ticket)

    @extend_schema(request=s.ReplyIn, responses={201: s.MessageOut})
    @action(detail=True, methods=["post"])
    @idempotent
    def reply(self, request: Request, pk: Any = None) -> Response:
        data = s.ReplyIn(data=request.data)
        data.is_valid(raise_exception=True)
        message = conversation.reply_from_agent(
            ticket=self._ticket(pk),
            agent=self.agent,
            body=data.validated_data["body"],
            next_status=data.validated_data.get("status"),
            channel="api",
            attachments=request.FILES.getlist("attachments"),
        )
        return Response(s.MessageOut(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.NoteIn, responses={201: s.MessageOut})
    @action(detail=True, methods=["post"])
    @idempotent
    def note(self, request: Request, pk: Any = None) -> Response:
        data = s.NoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        message = conversation.note_add(
            ticket=self._ticket(pk), agent=self.agent, body=data.validated_data["body"]
        )
        return Response(s.MessageOut(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AssignIn, responses=s.TicketOut)
    @action(detail=True, methods=["post"])
    @idempotent
    def assign(self, request: Request, pk: Any = None) -> Response:
        data = s.AssignIn(data=request.data)
        data.is_valid(raise_exception=True)
        assignee = _pk(Agent, data.validated_data["assignee"])
        ticket = operations.ticket_assign(
            ticket=self._ticket(pk), assignee=assignee, actor=self.agent
        )
        return self._out(ticket)

    @extend_schema(request=s.TransferIn, responses=s.TicketOut)
    @action(detail=True, methods=["post"])
    @idempotent
    def transfer(self, request: Request, pk: Any = None) -> Response:
        data = s.TransferIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        ticket = operations.ticket_transfer(
            ticket=self._ticket(pk),
            actor=self.agent,
            to_department=_pk(Department, v.get("department")),
            to_agent=_pk(Agent, v.get("agent")),
            reason=v["reason"],
        )
        return self._out(ticket)

    @extend_schema(request=s.StatusIn, responses=s.TicketOut)
    @action(detail=True, methods=["post"], url_path="status")
    @idempotent
    def change_status(self, request: Request, pk: Any = None) -> Response:
        data = s.StatusIn(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = operations.ticket_change_status(
            ticket=self._ticket(pk),
            status=data.validated_data["status"],
            actor=self.agent,
            note=data.validated_data["note"],
        )
        return self._out(ticket)

    @extend_schema(request=s.MergeIn, responses=s.TicketOut)
    @action(detail=True, methods=["post"])
    @idempotent
    def merge(self, request: Request, pk: Any = None) -> Response:
        data = s.MergeIn(data=request.data)
        data.is_valid(raise_exception=True)
        target = self._ticket(data.validated_data["into"])
        survivor = operations.ticket_merge(source=self._ticket(pk), target=target, actor=self.agent)
        return self._out(survivor)

    @extend_schema(request=s.LinkIn, responses=s.TicketOut)
    @action(detail=True, methods=["post"])
    @idempotent
    def link(self, request: Request, pk: Any = None) -> Response:
        data = s.LinkIn(data=request.data)
        data.is_valid(raise_exception=True)
        problem = self._ticket(data.validated_data["problem"])
        ticket = operations.ticket_link_problem(
            incident=self._ticket(pk), problem=problem, actor=self.agent
        )
        return self._out(ticket)

    @extend_schema(responses=s.MessageOut(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def messages(self, request: Request, pk: Any = None) -> Response:
        messages = selectors.ticket_conversation(ticket=self._ticket(pk), include_internal=True)
        return Response(s.MessageOut(messages, many=True).data)

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        parameters=[OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>[0-9]{1,18})")
    def attachment(self, request: Request, pk: Any = None, attachment_id: str = "") -> FileResponse:
        """Download one of the ticket's files (as uploaded, checked by content)."""
        attachment = get_object_or_404(Attachment, pk=attachment_id, ticket=self._ticket(pk))
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.filename,
            content_type=attachment.content_type,
        )

    @extend_schema(responses=s.EventOut(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request: Request, pk: Any = None) -> Response:
        return Response(
            s.EventOut(selectors.ticket_timeline(ticket=self._ticket(pk)), many=True).data
        )


class ReadableViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantApiViewSet):
    """List and retrieve, scoped like every API view."""


class ContactViewSet(TenantApiViewSet):
    serializer_class = s.ContactOut
    filter_backends = (OrderingFilter,)
    ordering_fields = ("id", "full_name", "created_at", "updated_at")

    def scoped_queryset(self, agent: Agent) -> QuerySet[Contact]:
        return Contact.objects.all()

    @extend_schema(
        parameters=[
            OpenApiParameter(n, str)
            for n in ("email", "phone", "employee_number", "external_id", "q")
        ],
        responses=s.ContactOut(many=True),
    )
    def list(self, request: Request) -> Response:
        contacts = self.get_queryset()
        params = request.query_params
        if params.get("email"):
            contacts = contacts.annotate(e=Lower("email")).filter(e=params["email"].strip().lower())
        if params.get("phone"):
            digits = people.phone_digits(params["phone"]).lstrip("0")
            contacts = (
                contacts.filter(phone_digits_reversed__startswith=digits[::-1])
                if len(digits) >= 5
                else contacts.none()
            )
        if params.get("employee_number"):
            contacts = contacts.filter(employee_number=params["employee_number"])
        if params.get("external_id"):
            contacts = contacts.filter(external_id=params["external_id"])
        if params.get("q"):
            contacts = contacts.filter(
                pk__in=[c.pk for c in selectors.contacts_lookup(query=params["q"], limit=200)]
            )
        page = self.paginate_queryset(self.filter_queryset(contacts))
        return self.get_paginated_response(s.ContactOut(page, many=True).data)

    @extend_schema(responses=s.ContactOut)
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(s.ContactOut(get_object_or_404(self.get_queryset(), pk=pk)).data)

    def _fields(self, request: Request, partial: bool) -> dict[str, Any]:
        data = s.ContactIn(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "organization" in fields:
            fields["organization"] = _pk(Organization, fields["organization"])
        return fields

    @staticmethod
    def _contact_create(fields: dict[str, Any]) -> Contact:
        return people.contact_create(
            full_name=fields.pop("full_name", ""),
            email=fields.pop("email", ""),
            phone=fields.pop("phone", ""),
            organization=fields.pop("organization", None),
            **fields,
        )

    @extend_schema(request=s.ContactIn, responses={201: s.ContactOut})
    @idempotent
    def create(self, request: Request) -> Response:
        fields = self._fields(request, partial=False)
        contact = self._contact_create(fields)
        return Response(s.ContactOut(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ContactIn, responses=s.ContactOut)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        contact = get_object_or_404(self.get_queryset(), pk=pk)
        contact = people.contact_update(contact=contact, **self._fields(request, partial=True))
        return Response(s.ContactOut(contact).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: Any = None) -> Response:
        """Delete a customer who has no tickets (409 otherwise: their history stays)."""
        people.contact_delete(contact=get_object_or_404(self.get_queryset(), pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.ContactIn, responses={200: s.ContactOut, 201: s.ContactOut})
    @action(detail=False, methods=["put"], url_path=r"by-external-id/(?P<external_id>[^/]{1,100})")
    def upsert_by_external_id(self, request: Request, external_id: str = "") -> Response:
        """Create or update the contact with this ``external_id`` (CRM sync)."""
        fields = self._fields(request, partial=True)
        fields["external_id"] = external_id
        existing = self.get_queryset().filter(external_id=external_id).first()
        if existing is not None:
            return Response(s.ContactOut(people.contact_update(contact=existing, **fields)).data)
        contact = self._contact_create(fields)
        return Response(s.ContactOut(contact).data, status=status.HTTP_201_CREATED)


class OrganizationViewSet(ReadableViewSet):
    serializer_class = s.OrganizationOut

    def scoped_queryset(self, agent: Agent) -> QuerySet[Organization]:
        return Organization.objects.order_by("id")

    @extend_schema(request=s.OrganizationIn, responses={201: s.OrganizationOut})
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.OrganizationIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "parent" in fields:
            fields["parent"] = _pk(Organization, fields["parent"])
        organization = people.organization_create(**fields)
        return Response(s.OrganizationOut(organization).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.OrganizationIn, responses=s.OrganizationOut)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        organization = get_object_or_404(self.get_queryset(), pk=pk)
        data = s.OrganizationIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "parent" in fields:
            fields["parent"] = _pk(Organization, fields["parent"])
        organization = people.organization_update(organization=organization, **fields)
        return Response(s.OrganizationOut(organization).data)


class DepartmentViewSet(ReadableViewSet):
    serializer_class = s.DepartmentOut

    def scoped_queryset(self, agent: Agent) -> QuerySet[Department]:
        return Department.objects.order_by("id")


class AgentViewSet(ReadableViewSet):
    serializer_class = s.AgentOut

    def scoped_queryset(self, agent: Agent) -> QuerySet[Agent]:
        return Agent.objects.select_related("user").prefetch_related("departments").order_by("id")


class CategoryViewSet(ReadableViewSet):
    serializer_class = s.CategoryOut

    def scoped_queryset(self, agent: Agent) -> QuerySet[Category]:
        return Category.objects.order_by("id")


class ProductViewSet(ReadableViewSet):
    serializer_class = s.ProductOut

    def scoped_queryset(self, agent: Agent) -> QuerySet[Product]:
        return Product.objects.order_by("id")


class TicketFormViewSet(ReadableViewSet):
    serializer_class = s.TicketFormOut

    def scoped_queryset(self, agent: Agent) -> QuerySet[TicketForm]:
        return TicketForm.objects.prefetch_related(
            Prefetch("fields", queryset=FormField.objects.order_by("position", "id"))
        ).order_by("id")


class WebhookViewSet(ReadableViewSet):
    """Webhook subscriptions and their delivery log (admin scope)."""

    serializer_class = s.WebhookOut
    required_scope = "admin"

    def scoped_queryset(self, agent: Agent) -> QuerySet[WebhookSubscription]:
        return WebhookSubscription.objects.order_by("id")

    @extend_schema(request=s.WebhookIn, responses={201: s.WebhookCreatedOut})
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.WebhookIn(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = webhooks.subscription_create(
            actor=self.agent, url=data.validated_data["url"], events=data.validated_data["events"]
        )
        return Response(s.WebhookCreatedOut(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: Any = None) -> Response:
        get_object_or_404(self.get_queryset(), pk=pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=s.DeliveryOut(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: Any = None) -> Response:
        subscription = get_object_or_404(self.get_queryset(), pk=pk)
        page = self.paginate_queryset(subscription.deliveries.order_by("-id"))
        return self.get_paginated_response(s.DeliveryOut(page, many=True).data)

    @extend_schema(request=None, responses={202: s.DeliveryOut})
    @action(
        detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[0-9]{1,18})/replay"
    )
    def replay(self, request: Request, pk: Any = None, delivery_id: str = "") -> Response:
        subscription = get_object_or_404(self.get_queryset(), pk=pk)
        delivery = get_object_or_404(WebhookDelivery, pk=delivery_id, subscription=subscription)
        delivery = webhooks.delivery_replay(actor=self.agent, delivery=delivery)
        transaction.on_commit(lambda: deliver_webhook.delay(delivery.pk))
        return Response(s.DeliveryOut(delivery).data, status=status.HTTP_202_ACCEPTED)

"""Input and output shapes of API v1. Output serializers only read; input serializers
only parse and validate types — the rules live in the services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from sla.selectors import ticket_clocks
from ticketing.models import (
    Agent,
    Category,
    Contact,
    Department,
    FormField,
    Message,
    Organization,
    Product,
    Ticket,
    TicketEvent,
    TicketForm,
)
from ticketing.models.tickets import TicketStatus, TicketType

MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """A row id: a positive 64-bit integer (larger numbers would overflow the column)."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class PriorityOut(serializers.Serializer):
    id = serializers.IntegerField()
    level = serializers.IntegerField()
    name = serializers.CharField(source="label")


class RefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AgentRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class ContactRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.CharField()


class SlaClockOut(serializers.Serializer):
    kind = serializers.CharField()
    state = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    breached = serializers.BooleanField()


class TicketOut(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    type = serializers.CharField(source="ticket_type")
    priority = PriorityOut()
    department = RefOut()
    category = RefOut(allow_null=True)
    product = RefOut(allow_null=True)
    requester = ContactRefOut(allow_null=True)
    assignee = AgentRefOut(allow_null=True)
    sla = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = (
            "id",
            "number",
            "reference",
            "subject",
            "description",
            "status",
            "type",
            "priority",
            "department",
            "category",
            "product",
            "channel",
            "requester",
            "assignee",
            "tags",
            "custom_fields",
            "is_internal",
            "merged_into",
            "problem",
            "created_at",
            "updated_at",
            "first_responded_at",
            "resolved_at",
            "closed_at",
            "sla",
        )

    def get_sla(self, ticket: Ticket) -> list[dict[str, Any]]:
        if not self.context.get("with_sla"):
            return []
        views = ticket_clocks(ticket=ticket, at=timezone.now(), viewer_timezone="UTC")
        return SlaClockOut(views, many=True).data

    def to_representation(self, instance: Ticket) -> dict[str, Any]:
        """The fields above, built directly. DRF's generic walk (a bound field per value,
        nested serializers per relation) cost more than the query of a 50-row page; the
        declared fields still describe the schema, and a test holds both to one output."""
        ticket = instance
        zone = timezone.get_current_timezone()

        def when(value: datetime | None) -> str | None:
            # DateTimeField's output: in the current time zone, ISO 8601, UTC as "Z".
            if value is None:
                return None
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        priority, requester, assignee = ticket.priority, ticket.requester, ticket.assignee
        return {
            "id": ticket.pk,
            "number": ticket.number,
            "reference": ticket.reference,
            "subject": ticket.subject,
            "description": ticket.description,
            "status": ticket.status,
            "type": ticket.ticket_type,
            "priority": {"id": priority.pk, "level": priority.level, "name": priority.label},
            "department": _ref(ticket.department),
            "category": _ref(ticket.category),
            "product": _ref(ticket.product),
            "channel": ticket.channel,
            "requester": None
            if requester is None
            else {"id": requester.pk, "full_name": requester.full_name, "email": requester.email},
            "assignee": None
            if assignee is None
            else {"id": assignee.pk, "name": assignee.display_name},
            "tags": [str(tag) for tag in ticket.tags],
            "custom_fields": ticket.custom_fields,
            "is_internal": ticket.is_internal,
            "merged_into": ticket.merged_into_id,
            "problem": ticket.problem_id,
            "created_at": when(ticket.created_at),
            "updated_at": when(ticket.updated_at),
            "first_responded_at": when(ticket.first_responded_at),
            "resolved_at": when(ticket.resolved_at),
            "closed_at": when(ticket.closed_at),
            "sla": self.get_sla(ticket),
        }


def _ref(obj: Department | Category | Product | None) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": str(obj.name)}


class TicketFilterIn(serializers.Serializer):
    """Query parameters of the ticket list."""

    status = serializers.ChoiceField(choices=TicketStatus.choices, required=False)
    department = IdField(required=False)
    assignee = IdField(required=False)
    requester = IdField(required=False)
    organization = IdField(required=False)
    priority = IdField(required=False)
    category = IdField(required=False)
    product = IdField(required=False)
    tag = serializers.CharField(required=False, max_length=50)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)
    updated_after = serializers.DateTimeField(required=False)
    updated_before = serializers.DateTimeField(required=False)
    q = serializers.CharField(
        required=False,
        max_length=200,
        help_text="Full-text search: every word in the subject, description, a reply or a "
        "note (as the agent console searches), or a ticket number.",
    )


class TicketCreateIn(serializers.Serializer):
    subject = serializers.CharField(max_length=250)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    department = IdField(required=False, allow_null=True)
    category = IdField(required=False, allow_null=True)
    requester = IdField(required=False, allow_null=True)
    requester_email = serializers.EmailField(required=False)
    requester_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    priority = serializers.IntegerField(required=False, min_value=1, max_value=5)
    type = serializers.ChoiceField(
        choices=TicketType.choices, required=False, default=TicketType.QUESTION
    )
    product = IdField(required=False, allow_null=True)
    custom_fields = serializers.DictField(required=False, default=dict)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, default=list
    )
    assignee = IdField(required=False, allow_null=True)
    is_internal = serializers.BooleanField(required=False, default=False)


class TicketUpdateIn(serializers.Serializer):
    priority = serializers.IntegerField(required=False, min_value=1, max_value=5)
    type = serializers.ChoiceField(choices=TicketType.choices, required=False)
    category = IdField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)


class ReplyIn(serializers.Serializer):
    body = serializers.CharField()
    status = serializers.ChoiceField(
        choices=[
            TicketStatus.OPEN,
            TicketStatus.PENDING,
            TicketStatus.ON_HOLD,
            TicketStatus.RESOLVED,
        ],
        required=False,
    )


class NoteIn(serializers.Serializer):
    body = serializers.CharField()


class AssignIn(serializers.Serializer):
    assignee = IdField(allow_null=True)


class TransferIn(serializers.Serializer):
    department = IdField(required=False, allow_null=True)
    agent = IdField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class StatusIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MergeIn(serializers.Serializer):
    into = IdField()


class LinkIn(serializers.Serializer):
    problem = IdField()


class MessageOut(serializers.ModelSerializer):
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = (
            "id",
            "kind",
            "author_name",
            "from_staff",
            "body",
            "channel",
            "created_at",
            "attachments",
        )

    def get_attachments(self, message: Message) -> list[dict[str, Any]]:
        return [
            {"id": a.pk, "filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in message.attachments.all()
        ]


class EventOut(serializers.ModelSerializer):
    class Meta:
        model = TicketEvent
        fields = ("id", "kind", "actor_name", "at", "before", "after", "note")


class ContactOut(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = (
            "id",
            "full_name",
            "email",
            "phone",
            "employee_number",
            "organization",
            "address",
            "service_area",
            "is_vip",
            "preferred_channel",
            "language",
            "account_expires_on",
            "is_suspended",
            "ticket_access_enabled",
            "external_id",
            "created_at",
            "updated_at",
        )


class ContactIn(serializers.Serializer):
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    employee_number = serializers.CharField(max_length=50, required=False, allow_blank=True)
    organization = IdField(required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True)
    service_area = serializers.CharField(max_length=120, required=False, allow_blank=True)
    is_vip = serializers.BooleanField(required=False)
    preferred_channel = serializers.ChoiceField(choices=["email", "sms"], required=False)
    language = serializers.CharField(max_length=10, required=False, allow_blank=True)
    account_expires_on = serializers.DateField(required=False, allow_null=True)
    is_suspended = serializers.BooleanField(required=False)
    ticket_access_enabled = serializers.BooleanField(required=False)
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True)


class OrganizationOut(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = (
            "id",
            "name",
            "kind",
            "parent",
            "address",
            "phone",
            "service_area",
            "default_engineer",
            "external_id",
            "created_at",
        )


class OrganizationIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(
        choices=["company", "branch", "office", "factory"], required=False
    )
    parent = IdField(required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    service_area = serializers.CharField(max_length=120, required=False, allow_blank=True)
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True)


class DepartmentOut(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = (
            "id",
            "name",
            "description",
            "email_address",
            "assignment_strategy",
            "is_active",
            "default_form",
        )


class AgentOut(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    email = serializers.CharField(source="user.email")

    class Meta:
        model = Agent
        fields = (
            "id",
            "name",
            "email",
            "role",
            "departments",
            "skills",
            "languages",
            "service_area",
            "timezone",
            "is_active",
        )


class CategoryOut(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ("id", "name", "description", "default_department", "is_active")


class ProductOut(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ("id", "name", "sku", "description", "requires_support_plan", "is_active")


class FormFieldOut(serializers.ModelSerializer):
    type = serializers.CharField(source="field_type")

    class Meta:
        model = FormField
        fields = (
            "key",
            "type",
            "label",
            "help_text",
            "required",
            "options",
            "validation",
            "position",
        )


class TicketFormOut(serializers.ModelSerializer):
    schema = FormFieldOut(source="fields", many=True)

    class Meta:
        model = TicketForm
        fields = ("id", "name", "department", "category", "is_active", "schema")


class WebhookOut(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    events = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    consecutive_failures = serializers.IntegerField()
    disabled_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class WebhookCreatedOut(WebhookOut):
    secret = serializers.CharField(
        help_text="Shown once: verify the Caseway-Signature header with it."
    )


class WebhookIn(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.CharField(max_length=40), min_length=1)


class DeliveryOut(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.CharField()
    event_id = serializers.CharField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    payload = serializers.JSONField()

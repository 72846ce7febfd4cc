"""Opening tickets: by customers on the portal or by mail, by agents on a customer's
behalf (phone), internal tickets between agents, guest tickets, and through the API."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tenants.config_cache import config_cache
from ticketing.errors import (
    AssigneeNotEligible,
    ContactNotAllowed,
    InvalidInput,
    OpenTicketLimitReached,
    PermissionDenied,
    SupportPlanRequired,
)
from ticketing.events import EventDraft, record_events
from ticketing.models import (
    Agent,
    AssignmentStrategy,
    Category,
    Channel,
    Contact,
    Department,
    HelpdeskSettings,
    Priority,
    Product,
    SupportPlan,
    Ticket,
    TicketForm,
    TicketStatus,
    TicketType,
)
from ticketing.models.tickets import OPEN_STATUSES
from ticketing.rows import row_insert
from ticketing.services._common import now, tenant_settings
from ticketing.services.assignment import assignee_suggest
from ticketing.services.attachments import (
    StoredFile,
    attachments_attach,
    attachments_discard,
    attachments_prepare,
)
from ticketing.services.custom_fields import form_validate

DEFAULT_PRIORITY_LEVEL = 3


def contact_check_allowed(contact: Contact, *, today: date | None = None) -> None:
    today = today or now().date()
    if contact.is_suspended:
        raise ContactNotAllowed(_("Your account is suspended. Please contact the help desk."))
    if contact.account_expires_on is not None and contact.account_expires_on < today:
        raise ContactNotAllowed(_("Your account has expired. Please contact the help desk."))
    if not contact.ticket_access_enabled:
        raise ContactNotAllowed(
            _(
                "Your registration is waiting for approval; "
                "you can open tickets once it is approved."
            )
        )


def open_tickets_limit() -> int:
    """The tenant's limit of open tickets per customer (0: none), cached per tenant."""

    def load() -> int:
        settings = tenant_settings()
        return settings.open_tickets_per_customer if settings else 0

    return config_cache.get("ticketing:open-tickets-per-customer", load)


def _check_open_limit(requester: Contact) -> None:
    """Inside the creating transaction: the customer's row is locked first, so two
    submissions at once are counted one after the other."""
    limit = open_tickets_limit()
    if not limit:
        return
    Contact.objects.select_for_update().filter(pk=requester.pk).exists()
    open_count = Ticket.objects.filter(requester=requester, status__in=OPEN_STATUSES).count()
    if open_count >= limit:
        raise OpenTicketLimitReached(
            _(
                "You already have %(count)d open tickets, the most this help desk allows. "
                "Please wait for one to be resolved, or add to an existing ticket."
            )
            % {"count": open_count}
        )


def _check_support_plan(product: Product, requester: Contact | None, *, today: date) -> None:
    if not product.requires_support_plan:
        return
    holders = Q(contact=requester) if requester else Q(pk__in=[])
    if requester is not None and requester.organization_id:
        holders |= Q(organization_id=requester.organization_id)
    valid = SupportPlan.objects.filter(holders, product=product, valid_from__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    if not valid.exists():
        raise SupportPlanRequired(
            _("Support for %(product)s needs a valid support plan.") % {"product": product.name}
        )


def ticket_form_for(*, department: Department, category: Category | None) -> TicketForm | None:
    """The custom form a new ticket in this department / service fills in (pages render
    it before the ticket exists)."""
    return _form_for(department, category)


def _form_for(department: Department, category: Category | None) -> TicketForm | None:
    """The category's form, else the department's default form, else a department form
    (fields prefetched for validation), cached per tenant (see ``ticketing.apps``)."""
    category_id = category.pk if category else ""
    key = f"ticketing:form:{department.pk}:{department.default_form_id}:{category_id}"
    return config_cache.get(key, lambda: _form_lookup(department, category))


def _form_lookup(department: Department, category: Category | None) -> TicketForm | None:
    candidates = Q(department=department, category__isnull=True)
    if category is not None:
        candidates |= Q(category=category)
    if department.default_form_id:
        candidates |= Q(pk=department.default_form_id)
    forms = list(TicketForm.objects.filter(candidates, is_active=True).prefetch_related("fields"))
    if not forms:
        return None

    def precedence(form: TicketForm) -> tuple[int, int]:
        if category is not None and form.category_id == category.pk:
            return (0, form.pk)
        if form.pk == department.default_form_id:
            return (1, form.pk)
        return (2, form.pk)

    return min(forms, key=precedence)


def priorities_by_level() -> dict[int, Priority]:
    """The tenant's five priorities, cached per tenant (see ``ticketing.apps``)."""
    return config_cache.get(
        "ticketing:priorities", lambda: {p.level: p for p in Priority.objects.all()}
    )


def _default_priority(department: Department) -> Priority:
    levels = priorities_by_level()
    if department.default_priority_id:
        by_id = {priority.pk: priority for priority in levels.values()}
        return by_id.get(department.default_priority_id) or department.default_priority  # type: ignore[return-value]
    return levels.get(DEFAULT_PRIORITY_LEVEL) or Priority.objects.get(level=DEFAULT_PRIORITY_LEVEL)


def ticket_create(
    *,
    subject: str,
    channel: str,
    requester: Contact | None = None,
    description: str = "",
    department: Department | None = None,
    category: Category | None = None,
    created_by: Agent | None = None,
    priority: Priority | None = None,
    ticket_type: str = TicketType.QUESTION,
    product: Product | None = None,
    custom_fields: dict[str, Any] | None = None,
    attachments: Sequence[Any] = (),
    tags: Sequence[str] = (),
    assignee: Agent | None = None,
    cc: Sequence[Contact] = (),
    is_internal: bool = False,
    actor_user: Any = None,
) -> Ticket:
    """Open a ticket. ``created_by`` is the agent opening it (on a customer's behalf or
    internally); without it the requester opens it themselves, under the customer rules
    (account allowed, priority only when the tenant lets customers choose)."""
    subject = (subject or "").strip()
    errors: dict[str, list[str]] = {}
    if not subject:
        errors["subject"] = [_("Please give the ticket a subject.")]
    elif len(subject) > 250:
        errors["subject"] = [_("Keep the subject under 250 characters.")]
    department = department or (category.default_department if category else None)
    if department is None:
        errors["department"] = [_("Choose a department or a service.")]
    elif not department.is_active:
        errors["department"] = [_("This department no longer accepts tickets.")]
    if ticket_type not in TicketType.values:
        errors["ticket_type"] = [_("Unknown ticket type.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if is_internal:
        if created_by is None:
            raise PermissionDenied(_("Only agents can open internal tickets."))
        requester = None
    elif requester is None:
        errors["requester"] = [_("A ticket needs a customer.")]
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), field_errors=errors)
    assert department is not None
    if created_by is None and requester is not None:
        contact_check_allowed(requester)
        if priority is not None and not HelpdeskSettings.current().customers_can_set_priority:
            priority = None
    form = _form_for(department, category)
    cleaned_fields = form_validate(form=form, values=custom_fields or {})
    stored = attachments_prepare(list(attachments))  # storage writes happen before the transaction
    try:
        return _ticket_insert(
            subject=subject,
            channel=Channel.INTERNAL if is_internal else channel,
            requester=requester,
            description=description.strip(),
            department=department,
            category=category,
            created_by=created_by,
            priority=priority or _default_priority(department),
            ticket_type=ticket_type,
            product=product,
            form=form,
            custom_fields=cleaned_fields,
            stored=stored,
            tags=tags,
            assignee=assignee,
            cc=cc,
            is_internal=is_internal,
            actor_user=actor_user,
        )
    except Exception:
        attachments_discard(stored)
        raise


def _ticket_insert(
    *,
    subject: str,
    channel: str,
    requester: Contact | None,
    description: str,
    department: Department,
    category: Category | None,
    created_by: Agent | None,
    priority: Priority,
    ticket_type: str,
    product: Product | None,
    form: TicketForm | None,
    custom_fields: dict[str, Any],
    stored: list[StoredFile],
    tags: Sequence[str],
    assignee: Agent | None,
    cc: Sequence[Contact],
    is_internal: bool,
    actor_user: Any,
) -> Ticket:
    at = now()
    actor = actor_user or (
        created_by.user if created_by else (requester.user if requester else None)
    )
    with transaction.atomic():
        if requester is not None:
            if not is_internal:
                _check_open_limit(requester)
            if product is not None:
                _check_support_plan(product, requester, today=at.date())
        if assignee is not None:
            _check_explicit_assignee(assignee, by=created_by)
        ticket = Ticket(
            subject=subject,
            description=description,
            department=department,
            category=category,
            ticket_type=ticket_type,
            priority=priority,
            priority_level=priority.level,
            channel=channel,
            requester=requester,
            created_by=created_by.user if created_by else (requester.user if requester else None),
            product=product,
            form=form,
            custom_fields=custom_fields,
            tags=sorted({tag.strip().casefold() for tag in tags if tag.strip()}),
            is_internal=is_internal,
            guest_access_key=secrets.token_hex(16),
            created_at=at,
            updated_at=at,
            dispatched_at=at,
            status_changed_at=at,
            # Opened for a chosen assignee: the row is written assigned, and open as any
            # assignment makes a new ticket, instead of written and then updated.
            assignee=assignee,
            status=TicketStatus.OPEN if assignee is not None else TicketStatus.NEW,
        )
        row_insert(ticket)
        if cc:
            ticket.cc_contacts.set(cc)
        if is_internal and created_by is not None:
            ticket.watchers.add(created_by)
        attachments_attach(ticket=ticket, message=None, files=stored, uploaded_by=actor)
        created = EventDraft(
            kind="ticket.created",
            actor=actor,
            at=at,
            after={
                "number": ticket.number,
                "department": department.pk,
                "priority": priority.pk,
                "status": TicketStatus.NEW,
                "channel": channel,
                "requester": requester.pk if requester else None,
                # Chosen by the opener and assigned next: who handles it is known already.
                "assignee": assignee.pk if assignee else None,
            },
        )
        if assignee is None:
            record_events(ticket=ticket, drafts=[created])
            _assign_automatically(ticket, at=at)
            return ticket
        # Both rows in one statement; handlers of "created" see the ticket as it was
        # before the assignment, as they would had it been a second step.
        as_created = copy.copy(ticket)
        as_created.assignee = None
        as_created.status = TicketStatus.NEW
        assigned = EventDraft(
            kind="ticket.assigned",
            actor=actor,
            at=at,
            before={"assignee": None},
            after={"assignee": assignee.pk, "status": ticket.status},
        )
        record_events(ticket=ticket, drafts=[replace(created, ticket_as_of=as_created), assigned])
    return ticket


def _check_explicit_assignee(assignee: Agent, *, by: Agent | None) -> None:
    if by is None:
        raise PermissionDenied(_("Only agents can choose the assignee."))
    if not (assignee.is_active and assignee.user.is_active):
        raise AssigneeNotEligible(_("%(name)s is not active.") % {"name": assignee.display_name})


def _assign_automatically(ticket: Ticket, *, at: Any) -> None:
    """The department's strategy (or the organization's default engineer) picks one."""
    from ticketing.services.operations import assignment_apply

    if ticket.is_internal:
        return
    requester = ticket.requester
    has_engineer = requester is not None and requester.organization_id is not None
    if ticket.department.assignment_strategy == AssignmentStrategy.MANUAL and not has_engineer:
        return  # nothing to choose: skip the look-ups
    # Locked so round robin's "last assigned" advances one ticket at a time.
    department = Department.objects.select_for_update().get(pk=ticket.department_id)
    ticket.department = department
    suggested = assignee_suggest(ticket=ticket, at=at)
    if suggested is None:
        return
    assignment_apply(
        ticket=ticket,
        agent=suggested,
        actor=None,
        at=at,
        note=f"auto: {department.assignment_strategy}",
    )
    department.last_assigned_agent = suggested
    department.save(update_fields=["last_assigned_agent"])


def guest_access_token(ticket: Ticket) -> str:
    """A signed token for a guest's link to follow their ticket."""
    from django.core import signing

    return signing.dumps({"t": ticket.pk, "k": ticket.guest_access_key}, salt="ticket-guest")


def ticket_for_guest_token(token: str, *, max_age_days: int = 365) -> Ticket | None:
    from django.core import signing

    try:
        data = signing.loads(token, salt="ticket-guest", max_age=max_age_days * 86400)
    except signing.BadSignature:
        return None
    ticket = Ticket.objects.filter(pk=data.get("t")).first()
    if ticket is None or not secrets.compare_digest(ticket.guest_access_key, str(data.get("k"))):
        return None
    return ticket


__all__ = [
    "contact_check_allowed",
    "guest_access_token",
    "ticket_create",
    "ticket_for_guest_token",
    "ticket_form_for",
]

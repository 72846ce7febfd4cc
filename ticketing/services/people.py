"""Departments, categories, agents, organizations, contacts, products and plans."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts.models import User
from ticketing import agent_events, contact_events, limits
from ticketing.errors import (
    AlreadyExists,
    ContactHasTickets,
    DuplicateContact,
    InvalidInput,
    PermissionDenied,
)
from ticketing.events import record_event
from ticketing.models import (
    Agent,
    AgentRole,
    AssignmentStrategy,
    Category,
    Contact,
    Department,
    HelpdeskSettings,
    Organization,
    Product,
    SupportPlan,
    Ticket,
)
from ticketing.models.tickets import ACTIVE_STATUSES

NON_DIGITS = re.compile(r"\D+")


def phone_digits(phone: str) -> str:
    return NON_DIGITS.sub("", phone or "")


def phone_digits_reversed(phone: str) -> str:
    return phone_digits(phone)[::-1]


def department_create(
    *,
    name: str,
    description: str = "",
    email_address: str = "",
    assignment_strategy: str = AssignmentStrategy.MANUAL,
) -> Department:
    name = name.strip()
    if not name:
        raise InvalidInput(_("A department needs a name."), field_errors={"name": [_("Required.")]})
    if Department.objects.filter(name__iexact=name).exists():
        raise InvalidInput(
            _("A department called “%(name)s” already exists.") % {"name": name},
            field_errors={"name": [_("Already in use.")]},
        )
    with transaction.atomic():
        limits.check_department(departments=Department.objects.count())
        return Department.objects.create(
            name=name,
            description=description,
            email_address=email_address,
            assignment_strategy=assignment_strategy,
        )


def category_create(*, name: str, department: Department, skills: Sequence[str] = ()) -> Category:
    return Category.objects.create(
        name=name.strip(),
        default_department=department,
        skills=sorted({skill.strip().casefold() for skill in skills if skill.strip()}),
    )


def agent_create(
    *,
    email: str,
    full_name: str,
    departments: Sequence[Department] = (),
    role: str = AgentRole.AGENT,
    password: str | None = None,
    **profile: Any,
) -> Agent:
    """Create (or promote) a user as an agent of this tenant. A new active agent takes a
    seat: refused before anything is written when the plan has none left."""
    email = email.strip().lower()
    with transaction.atomic():
        existing = Agent.objects.filter(user__email=email, is_active=True).first()
        if existing is None:
            limits.check_agent_seat(active_agents=_active_agent_count())
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, password, full_name=full_name)
        user.is_staff = role == AgentRole.ADMIN
        user.save(update_fields=["is_staff"])
        agent, _created = Agent.objects.update_or_create(
            user=user, defaults={"role": role, **profile}
        )
        if departments:
            agent.departments.add(*departments)
        if role == AgentRole.SUPERVISOR and departments:
            for department in departments:
                department.supervisors.add(agent)
        if existing is None:
            agent_events.publish_seats_changed(agent_id=agent.pk, active=True)
    return agent


def _active_agent_count() -> int:
    return Agent.objects.filter(is_active=True, user__is_active=True).count()


def agent_set_active(*, agent: Agent, active: bool) -> Agent:
    """Switch an agent on (takes a seat, if the plan has one) or off (frees it). The
    subscription's quantity follows after the commit."""
    with transaction.atomic():
        agent = Agent.objects.select_for_update().select_related("user").get(pk=agent.pk)
        if agent.is_active == active:
            return agent
        if active:
            limits.check_agent_seat(active_agents=_active_agent_count())
        agent.is_active = active
        agent.save(update_fields=["is_active"])
        agent_events.publish_seats_changed(agent_id=agent.pk, active=active)
    return agent


def _check_organization_external_id(external_id: str, *, exclude: int = 0) -> None:
    if (
        external_id
        and Organization.objects.filter(external_id=external_id).exclude(pk=exclude).exists()
    ):
        message = _("Another organization already has the external id %(id)s.") % {
            "id": external_id
        }
        raise AlreadyExists(message, field_errors={"external_id": [message]})


def organization_create(*, name: str, **fields: Any) -> Organization:
    _check_organization_external_id(fields.get("external_id", ""))
    try:
        with transaction.atomic():
            return Organization.objects.create(name=name.strip(), **fields)
    except IntegrityError as error:  # created concurrently
        raise AlreadyExists(_("This organization already exists.")) from error


def organization_update(*, organization: Organization, **fields: Any) -> Organization:
    if fields.get("parent") is not None and fields["parent"].pk == organization.pk:
        raise InvalidInput(
            _("An organization cannot be part of itself."),
            field_errors={"parent": [_("An organization cannot be part of itself.")]},
        )
    if "external_id" in fields:
        _check_organization_external_id(fields["external_id"], exclude=organization.pk)
    for name, value in fields.items():
        setattr(organization, name, value.strip() if name == "name" else value)
    organization.save()
    return organization


def contact_create(
    *,
    full_name: str,
    email: str = "",
    phone: str = "",
    user: User | None = None,
    organization: Organization | None = None,
    **fields: Any,
) -> Contact:
    """Create a customer. Emails are unique per tenant (case-insensitive)."""
    email = email.strip().lower()
    if not full_name.strip() and not email:
        raise InvalidInput(
            _("A customer needs a name or an email address."),
            field_errors={"full_name": [_("Required.")]},
        )
    if email and Contact.objects.annotate(e=Lower("email")).filter(e=email).exists():
        raise DuplicateContact(
            _("A customer with the email %(email)s already exists.") % {"email": email},
            field_errors={"email": [_("Already in use.")]},
        )
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                full_name=full_name.strip() or email,
                email=email,
                phone=phone.strip(),
                phone_digits_reversed=phone_digits_reversed(phone),
                user=user,
                organization=organization,
                **fields,
            )
            contact_events.publish_created(contact)
    except IntegrityError as error:
        raise DuplicateContact(_("This customer already exists.")) from error
    return contact


def contact_update(*, contact: Contact, **fields: Any) -> Contact:
    if "email" in fields:
        fields["email"] = str(fields["email"]).strip().lower()
        clash = (
            Contact.objects.annotate(e=Lower("email"))
            .filter(e=fields["email"])
            .exclude(pk=contact.pk)
        )
        if fields["email"] and clash.exists():
            raise DuplicateContact(
                _("A customer with the email %(email)s already exists.")
                % {"email": fields["email"]},
                field_errors={"email": [_("Already in use.")]},
            )
    if "phone" in fields:
        fields["phone_digits_reversed"] = phone_digits_reversed(str(fields["phone"]))
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.save()
    return contact


def contact_delete(*, contact: Contact) -> None:
    """Customers with tickets stay (their history is the help desk's record)."""
    if contact.tickets.exists():
        raise ContactHasTickets(
            _("This customer has tickets and cannot be deleted; suspend the account instead.")
        )
    contact.delete()


def contact_for_email(*, email: str, full_name: str = "") -> Contact:
    """The contact with this email, created when unknown (inbound mail, guests)."""
    email = email.strip().lower()
    existing = Contact.objects.annotate(e=Lower("email")).filter(e=email).first()
    if existing is not None:
        return existing
    try:
        return contact_create(full_name=full_name or email.split("@")[0], email=email)
    except DuplicateContact:  # created concurrently
        return Contact.objects.annotate(e=Lower("email")).get(e=email)


def product_create(*, name: str, requires_support_plan: bool = False, **fields: Any) -> Product:
    return Product.objects.create(
        name=name.strip(), requires_support_plan=requires_support_plan, **fields
    )


def support_plan_grant(
    *,
    product: Product,
    name: str,
    valid_from: date,
    valid_until: date | None = None,
    contact: Contact | None = None,
    organization: Organization | None = None,
    level: str = "",
) -> SupportPlan:
    if contact is None and organization is None:
        raise InvalidInput(_("A support plan belongs to a customer or an organization."))
    if valid_until is not None and valid_until < valid_from:
        raise InvalidInput(
            _("The plan cannot end before it starts."),
            field_errors={"valid_until": [_("Must be on or after the start date.")]},
        )
    with transaction.atomic():
        plan = SupportPlan.objects.create(
            product=product,
            name=name,
            valid_from=valid_from,
            valid_until=valid_until,
            contact=contact,
            organization=organization,
            level=level,
        )
        _record_plan_change(plan)
    return plan


def support_plan_end(*, plan: SupportPlan, on: date) -> SupportPlan:
    """End a plan (its last valid day); open tickets of the holder are re-evaluated."""
    with transaction.atomic():
        plan.valid_until = max(on, plan.valid_from)
        plan.save(update_fields=["valid_until"])
        _record_plan_change(plan)
    return plan


def _record_plan_change(plan: SupportPlan) -> None:
    """The plan is part of what decides a ticket's SLA: tell the holder's open tickets
    (on their timelines; the SLA re-matches on this event)."""
    holders = Q(requester_id=plan.contact_id) if plan.contact_id else Q(pk__in=[])
    if plan.organization_id:
        holders |= Q(requester__organization_id=plan.organization_id)
    for ticket in Ticket.objects.select_for_update().filter(holders, status__in=ACTIVE_STATUSES):
        record_event(
            ticket=ticket,
            kind="ticket.plan_changed",
            after={
                "plan": plan.pk,
                "level": plan.level,
                "valid_until": str(plan.valid_until or ""),
            },
        )


def first_admin_as_agent(tenant: Any, admin: User) -> None:
    """Provisioning hook: the tenant's first admin is an agent with the admin role."""
    Agent.objects.get_or_create(
        user=admin,
        defaults={
            "role": AgentRole.ADMIN,
            "timezone": tenant.timezone,
            "languages": [tenant.language],
        },
    )


def contact_set_ticket_access(*, contact: Contact, enabled: bool, actor: Agent) -> Contact:
    """Approve (or withdraw) a customer's right to open tickets — the approval step when
    the tenant requires new registrations to be approved. Tenant admins and supervisors."""
    if actor.role not in (AgentRole.ADMIN, AgentRole.SUPERVISOR):
        raise PermissionDenied(_("Only an admin or a supervisor can approve customers."))
    contact.ticket_access_enabled = enabled
    contact.save(update_fields=["ticket_access_enabled", "updated_at"])
    return contact


def contact_register(*, user: User, full_name: str, phone: str = "", language: str = "") -> Contact:
    """The contact behind a new portal account; it may open tickets at once unless the
    tenant requires approval. An existing contact with the same email (made by phone or
    by mail) is linked to the account instead of duplicated."""
    needs_approval = HelpdeskSettings.current().require_registration_approval
    existing = Contact.objects.annotate(e=Lower("email")).filter(e=user.email.lower()).first()
    if existing is not None:
        existing.user = user
        existing.full_name = existing.full_name or full_name
        existing.save(update_fields=["user", "full_name", "updated_at"])
        return existing
    return contact_create(
        full_name=full_name,
        email=user.email,
        phone=phone,
        user=user,
        language=language,
        ticket_access_enabled=not needs_approval,
    )

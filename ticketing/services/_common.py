"""Helpers shared by the ticketing services."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from tenants.db import connection
from tenants.models import Tenant, TenantSettings
from ticketing.errors import TicketLocked
from ticketing.models import Agent, AgentRole, Ticket


def now() -> datetime:
    return timezone.now()


def lock_ticket(ticket: Ticket | int) -> Ticket:
    """Re-read the ticket under a row lock: two agents acting at once are serialised
    and each sees the other's change."""
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    return (
        Ticket.objects.select_for_update(of=("self",))
        # The requester's account too: the customer's notification names its language.
        .select_related("department", "priority", "assignee", "requester__user")
        .get(pk=pk)
    )


def ensure_not_locked_by_other(ticket: Ticket, agent: Agent | None, *, at: datetime) -> None:
    """A ticket an agent has taken is theirs until the lock expires; supervisors and
    admins may act anyway (and break it explicitly)."""
    if agent is None or ticket.locked_by_id is None or ticket.locked_by_id == agent.pk:
        return
    if ticket.locked_until is not None and ticket.locked_until <= at:
        return
    if agent.role in (AgentRole.ADMIN, AgentRole.SUPERVISOR):
        return
    holder = ticket.locked_by.display_name if ticket.locked_by else "another agent"
    raise TicketLocked(f"{holder} is working on this ticket right now.")


def tenant_settings() -> TenantSettings | None:
    """Branding and limits of the current tenant (public schema), or None outside one.

    The connection carries a real ``Tenant`` in requests and tasks, but only a schema
    name inside ``schema_context``; both are resolved."""
    tenant = connection.tenant
    if isinstance(tenant, Tenant):
        return TenantSettings.objects.filter(tenant_id=tenant.pk).first()
    return TenantSettings.objects.filter(tenant__schema_name=connection.schema_name).first()


def snapshot(ticket: Ticket, *fields: str) -> dict[str, object]:
    """JSON-ready values of ``fields`` for a timeline event."""
    values: dict[str, object] = {}
    for name in fields:
        value = getattr(ticket, name)
        values[name] = value.pk if hasattr(value, "pk") else value
    return values

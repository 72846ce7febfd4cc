"""Helpers shared by the ticketing services."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from django.utils import timezone

from tenants.db import connection
from tenants.models import Tenant, TenantSettings
from ticketing.errors import TicketLocked
from ticketing.models import Agent, AgentRole, Contact, Ticket


def now() -> datetime:
    return timezone.now()


#: What services read off a locked ticket, loaded with it.
_LOCKED_WITH = ("department", "priority", "assignee", "requester")


def lock_ticket(ticket: Ticket | int) -> Ticket:
    """Re-read the ticket under a row lock: two agents acting at once are serialised
    and each sees the other's change.

    When the caller's instance carries its department, priority, assignee and requester
    already (a page or the service that just wrote it), only the ticket's own row is read
    and those are reused where the locked row still points at them: the joins and the
    objects they build cost more than the rest of a reply."""
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    known = _related_at_hand(ticket) if isinstance(ticket, Ticket) else None
    if known is None:
        return (
            Ticket.objects.select_for_update(of=("self",))
            # The requester's account too: the customer's notification names its language.
            .select_related("department", "priority", "assignee", "requester__user")
            .get(pk=pk)
        )
    locked = _lock_own_row(pk)
    for name, related in known.items():
        if related is not None and getattr(locked, f"{name}_id") == related.pk:
            setattr(locked, name, related)
    return locked


def _lock_own_row(pk: int) -> Ticket:
    """``Ticket.objects.select_for_update().get(pk=pk)`` with the SQL built once per
    process (building it cost more than the database spent on the statement) and
    without the search vector, which no service reads (the database keeps it)."""
    sql, attnames = _own_row_sql(connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        raise Ticket.DoesNotExist("Ticket matching query does not exist.")
    return Ticket.from_db(connection.alias, attnames, row)


@cache
def _own_row_sql(alias: str) -> tuple[str, list[str]]:
    """The locking SELECT of one ticket by id (no schema in it: the connection's search
    path names the tenant) and the attribute of each selected column."""
    query = Ticket.objects.select_for_update().defer("search_vector").filter(pk=0).query
    compiler = query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    if list(params) != [0]:  # the id must be the one and only parameter
        raise RuntimeError(f"unexpected parameters in the ticket lock: {params!r}")
    return sql, [column.target.attname for column, _sql, _alias in compiler.select]


def _related_at_hand(ticket: Ticket) -> dict[str, Any] | None:
    known: dict[str, Any] = {}
    for name in _LOCKED_WITH:
        if getattr(ticket, f"{name}_id") is None:
            continue
        descriptor = getattr(Ticket, name)
        if not descriptor.is_cached(ticket):
            return None
        known[name] = getattr(ticket, name)
    requester = known.get("requester")
    if requester is not None and requester.user_id and not Contact.user.is_cached(requester):
        return None
    return known


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

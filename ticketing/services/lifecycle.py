"""Periodic closing: resolved tickets with no customer reply for N days, and tickets
pending on the customer for M days (both tenant settings)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ticketing.models import HelpdeskSettings, Ticket, TicketStatus
from ticketing.services._common import lock_ticket, now
from ticketing.services.operations import status_apply


def tickets_due_for_auto_close() -> list[int]:
    settings = HelpdeskSettings.current()
    at = now()
    due = Q(
        status=TicketStatus.RESOLVED,
        status_changed_at__lte=at - timedelta(days=settings.auto_close_resolved_days),
    )
    due |= Q(
        status=TicketStatus.PENDING,
        status_changed_at__lte=at - timedelta(days=settings.auto_close_pending_days),
    )
    return list(Ticket.objects.filter(due).values_list("pk", flat=True)[:1000])


def _still_due(ticket: Ticket, settings: HelpdeskSettings) -> bool:
    days = {
        TicketStatus.RESOLVED: settings.auto_close_resolved_days,
        TicketStatus.PENDING: settings.auto_close_pending_days,
    }.get(TicketStatus(ticket.status))
    if days is None or ticket.status_changed_at is None:
        return False
    return ticket.status_changed_at <= now() - timedelta(days=days)


def tickets_auto_close() -> int:
    """Close what is due; each ticket is re-checked under its lock (the customer may
    have replied since), so running twice or concurrently closes nothing twice."""
    settings = HelpdeskSettings.current()
    closed = 0
    for pk in tickets_due_for_auto_close():
        with transaction.atomic():
            ticket = lock_ticket(pk)
            if not _still_due(ticket, settings):
                continue
            status_apply(
                ticket=ticket,
                status=TicketStatus.CLOSED,
                actor_user=None,
                actor_name="System",
                note=_("Closed automatically after no reply from the customer."),
            )
        closed += 1
    return closed

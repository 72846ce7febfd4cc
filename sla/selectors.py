"""Reads of the SLA engine: a ticket's clocks as a viewer sees them, and the tickets at
risk that agents should see first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from sla.models import ClockState, SlaClock
from ticketing import permissions
from ticketing.models import Agent, Ticket
from ticketing.models.tickets import ACTIVE_STATUSES


@dataclass(frozen=True)
class ClockView:
    kind: str
    state: str
    #: The deadline in the viewer's time zone (None while paused).
    due_at: datetime | None
    #: Negative once breached; None while paused or finished.
    time_left: timedelta | None
    breached: bool
    met_late: bool


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def ticket_clocks(*, ticket: Ticket, at: datetime, viewer_timezone: str) -> list[ClockView]:
    zone = _zone(viewer_timezone)
    views = []
    for clock in SlaClock.objects.filter(ticket=ticket).order_by("kind"):
        running = clock.state == ClockState.RUNNING and clock.due_at is not None
        due_at = (
            clock.due_at.astimezone(zone)
            if clock.due_at and clock.state != ClockState.PAUSED
            else None
        )
        views.append(
            ClockView(
                kind=clock.kind,
                state=clock.state,
                due_at=due_at,
                time_left=(clock.due_at - at) if running and clock.due_at else None,
                breached=clock.breached_at is not None
                or bool(running and clock.due_at and clock.due_at <= at),
                met_late=clock.state == ClockState.MET and clock.breached_at is not None,
            )
        )
    return views


#: How close a deadline makes a ticket "at risk".
AT_RISK_WITHIN = timedelta(hours=2)


def at_risk_condition(*, at: datetime, within: timedelta = AT_RISK_WITHIN) -> Exists:
    """A ticket filter: some running clock is breached or due within ``within``."""
    return Exists(
        SlaClock.objects.filter(
            ticket=OuterRef("pk"), state=ClockState.RUNNING, due_at__lte=at + within
        )
    )


def tickets_at_risk(
    *, agent: Agent, at: datetime, within: timedelta = AT_RISK_WITHIN
) -> QuerySet[Ticket]:
    """Open tickets the agent may see whose next deadline is breached or within
    ``within``, the nearest deadline first."""
    soon = at_risk_condition(at=at, within=within)
    return (
        Ticket.objects.filter(permissions.visible_tickets_filter(agent))
        .filter(status__in=ACTIVE_STATUSES, merged_into__isnull=True)
        .filter(soon)
        .annotate(
            next_due=Min("sla_clocks__due_at", filter=Q(sla_clocks__state=ClockState.RUNNING))
        )
        .select_related("priority", "department", "assignee__user", "requester")
        .order_by("next_due", "-priority_level")
    )

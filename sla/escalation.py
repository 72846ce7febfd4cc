"""What a fired step does: a timeline event naming whom to notify, and optionally a
higher priority or a transfer. Notifications leave through the ``sla.*`` events, which
the notifications feature subscribes to; until then, the event and the log carry them.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q

from sla.models import NotifyWhom, SlaClock
from ticketing.errors import TicketingError
from ticketing.events import record_event
from ticketing.models import Agent, Priority, Ticket

if TYPE_CHECKING:
    from sla.clocks import Step

logger = logging.getLogger(__name__)


def recipients(whom: list[str], ticket: Ticket) -> list[int]:
    """Agent ids to notify for a rule's ``notify`` choices (active agents only)."""
    query = Q(pk__in=[])
    if NotifyWhom.ASSIGNEE in whom and ticket.assignee_id:
        query |= Q(pk=ticket.assignee_id)
    if NotifyWhom.SUPERVISORS in whom:
        query |= Q(supervised_departments=ticket.department_id)
    if NotifyWhom.DEPARTMENT in whom:
        query |= Q(departments=ticket.department_id)
    agents = Agent.objects.filter(is_active=True, user__is_active=True)
    if NotifyWhom.EVERYONE not in whom:
        agents = agents.filter(query).distinct()
    return sorted(agents.values_list("pk", flat=True))


def step_fire(*, ticket: Ticket, clock: SlaClock, step: Step, at: datetime) -> None:
    rule = step.rule
    notify = recipients(list(rule.notify), ticket) if rule else []
    if step.is_warning:
        kind = "sla.warned"
    elif step.key == "breach:0":
        kind = "sla.breached"
    else:
        kind = "sla.escalated"
    record_event(
        ticket=ticket,
        kind=kind,
        at=at,
        actor_name="SLA",
        after={
            "clock": clock.kind,
            "step": step.key,
            "notify": notify,
            "due_at": clock.due_at.isoformat() if clock.due_at else None,
        },
    )
    if rule is None:
        return
    try:
        if rule.raise_priority:
            _raise_priority(ticket)
        if rule.transfer_to_department_id or rule.transfer_to_agent_id:
            from ticketing.services.operations import ticket_transfer

            ticket_transfer(
                ticket=ticket,
                actor=None,
                to_department=rule.transfer_to_department,
                to_agent=rule.transfer_to_agent,
                reason=f"SLA {clock.kind} {step.key}",
            )
    except TicketingError as error:
        # A rule that cannot apply (agent no longer in the department, ticket already
        # closed) must not block the clock: the step stays fired, the reason is recorded.
        record_event(
            ticket=ticket,
            kind="sla.escalation_failed",
            at=at,
            actor_name="SLA",
            after={"clock": clock.kind, "step": step.key},
            note=error.message,
        )
    if notify:
        logger.info("SLA %s on ticket %s: notify agents %s", kind, ticket.pk, notify)


def _raise_priority(ticket: Ticket) -> None:
    from ticketing.services.operations import ticket_change_priority

    higher = Priority.objects.filter(level__gt=ticket.priority.level).order_by("level").first()
    if higher is not None:
        ticket_change_priority(ticket=ticket, priority=higher, actor=None, note="SLA escalation")

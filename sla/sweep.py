"""The sweep: claim due timers across all tenants, act on them, exactly once.

``SELECT … FOR UPDATE SKIP LOCKED`` lets any number of workers share the work; each
timer is handled in a savepoint inside the claiming transaction, together with its
effects (timeline events, priority or assignment changes) and its rescheduling, so a
crash between claim and action loses nothing and doubles nothing: the claim is undone
with the rest, and the timer is claimed again by the next sweep.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from sla.clocks import ClockMath, consumed_now, policy_rules, reschedule, steps_for
from sla.escalation import step_fire
from sla.models import ClockState, SlaClock
from sla.timers.models import DueTimer
from tenants.db import connection
from ticketing.models import Ticket

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    claimed: int = 0
    fired: int = 0
    stale: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def sla_sweep(*, limit: int = 500, now: datetime | None = None) -> SweepResult:
    """Handle up to ``limit`` due timers; returns what happened."""
    now = now or timezone.now()
    result = SweepResult()
    previous = connection.tenant
    with transaction.atomic():
        timers = list(
            DueTimer.objects.select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .order_by("due_at")[:limit]
        )
        result.claimed = len(timers)
        for timer in timers:
            try:
                with transaction.atomic():
                    fired = _handle(timer, now)
                if fired:
                    result.fired += fired
                else:
                    result.stale += 1
            except Exception as error:  # one broken ticket must not stop the others
                logger.exception("SLA timer %s failed", timer)
                result.failed += 1
                result.errors.append(f"{timer}: {error}")
        connection.set_tenant(previous)
    return result


def _handle(timer: DueTimer, now: datetime) -> int:
    connection.set_schema(timer.schema_name)
    clock = (
        SlaClock.objects.select_for_update()
        .filter(ticket_id=timer.ticket_id, kind=timer.kind)
        .first()
    )
    if clock is None or clock.state != ClockState.RUNNING:
        DueTimer.objects.filter(pk=timer.pk).delete()  # the ticket moved on
        return 0
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=timer.ticket_id)
    )
    math = ClockMath(ticket, now)
    rules = policy_rules(clock.policy_id)
    consumed = consumed_now(clock, math, now)
    fired = 0
    for step in steps_for(clock, rules):
        if step.key in clock.fired_steps or step.position > consumed:
            continue
        clock.fired_steps = [*clock.fired_steps, step.key]
        if step.key == "breach:0" and clock.breached_at is None:
            clock.breached_at = now
        clock.save(update_fields=["fired_steps", "breached_at"])
        step_fire(ticket=ticket, clock=clock, step=step, at=now)
        fired += 1
    clock.refresh_from_db()  # an escalation may have re-matched the policy
    reschedule(clock, ClockMath(ticket, now), policy_rules(clock.policy_id))
    clock.save(update_fields=["due_at"])
    return fired

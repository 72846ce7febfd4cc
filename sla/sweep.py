"""The sweep: claim due timers across all tenants, act on them, exactly once.

Each timer is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and handled in its own
short transaction together with its effects (timeline events, priority or assignment
changes) and its rescheduling, so any number of workers share the work, a crash between
claim and action loses nothing and doubles nothing (the claim is undone with the rest),
and no ticket stays locked longer than one timer takes.

Lock order matches the ticket services (ticket, then clocks, then the timer row): the
timer is claimed first, but the ticket is taken with SKIP LOCKED, so a sweep never waits
for an agent's change — it leaves that timer to the next sweep.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone

from sla import business_time
from sla.calendars import calendar_for_department
from sla.clocks import ClockMath, consumed_now, policy_rules, reschedule, steps_for
from sla.escalation import step_fire
from sla.models import ClockState, EscalationRule, SlaClock
from sla.timers.models import DueTimer
from tenants.db import connection
from tenants.models import Tenant, TenantStatus
from ticketing.models import Ticket

logger = logging.getLogger(__name__)

#: A timer whose handling failed is retried after this delay (not at once, forever).
RETRY_DELAY = timedelta(minutes=5)
#: Timers of a suspended tenant wait; nothing acts on an offline help desk.
SUSPENDED_DELAY = timedelta(minutes=30)
BUSY = -1


@dataclass
class SweepResult:
    claimed: int = 0
    fired: int = 0
    stale: int = 0
    failed: int = 0
    busy: int = 0
    errors: list[str] = field(default_factory=list)


class SweepCache:
    """What timers of one sweep share: tenants, calendars, escalation rules."""

    def __init__(self) -> None:
        self.tenants: dict[str, Tenant | None] = {}
        self.calendars: dict[tuple[str, int], business_time.Calendar] = {}
        self.rules: dict[tuple[str, int | None], list[EscalationRule]] = {}

    def tenant(self, schema: str) -> Tenant | None:
        if schema not in self.tenants:
            self.tenants[schema] = Tenant.objects.filter(schema_name=schema).first()
        return self.tenants[schema]

    def math(self, ticket: Ticket, at: datetime) -> ClockMath:
        key = (str(connection.schema_name), ticket.department_id)
        if key not in self.calendars:
            self.calendars[key] = calendar_for_department(ticket.department_id, today=at.date())
        return ClockMath(ticket, at, calendar=self.calendars[key])

    def rules_for(self, policy_id: int | None) -> list[EscalationRule]:
        key = (str(connection.schema_name), policy_id)
        if key not in self.rules:
            self.rules[key] = policy_rules(policy_id)
        return self.rules[key]


def sla_sweep(*, limit: int = 500, now: datetime | None = None) -> SweepResult:
    """Handle up to ``limit`` due timers; returns what happened."""
    now = now or timezone.now()
    result = SweepResult()
    cache = SweepCache()
    previous = connection.tenant
    skipped: list[int] = []  # claimed but busy: not again in this sweep
    try:
        while result.claimed < limit:
            if not _handle_next(now, cache, result, skipped):
                break
    except SoftTimeLimitExceeded:
        logger.warning("SLA sweep stopped at its time limit after %d timers", result.claimed)
    finally:
        connection.set_tenant(previous)
    return result


def _handle_next(now: datetime, cache: SweepCache, result: SweepResult, skipped: list[int]) -> bool:
    timer_id: int | None = None
    try:
        with transaction.atomic():
            # The timer table is public and public is on every tenant's search path:
            # no schema switch is needed to claim the next one.
            timer = (
                DueTimer.objects.select_for_update(skip_locked=True)
                .filter(due_at__lte=now)
                .exclude(pk__in=skipped)
                .order_by("due_at")
                .first()
            )
            if timer is None:
                return False
            timer_id = timer.pk
            result.claimed += 1
            outcome = _handle(timer, now, cache)
            if outcome == BUSY:
                skipped.append(timer.pk)
                result.busy += 1
            elif outcome == 0:
                result.stale += 1
            else:
                result.fired += outcome
    except SoftTimeLimitExceeded:
        raise
    except Exception as error:  # one broken ticket must not stop the others
        logger.exception("SLA timer %s failed", timer_id)
        result.failed += 1
        result.errors.append(f"timer {timer_id}: {error}")
        if timer_id is not None:
            skipped.append(timer_id)
            DueTimer.objects.filter(pk=timer_id).update(due_at=now + RETRY_DELAY)
    return True


def _handle(timer: DueTimer, now: datetime, cache: SweepCache) -> int:
    """How many steps fired (0: nothing to do), or BUSY when the ticket is locked."""
    tenant = cache.tenant(timer.schema_name)
    if tenant is None or tenant.status == TenantStatus.DELETED:
        timer.delete()  # the tenant is gone or going: nothing to act on
        return 0
    if tenant.status != TenantStatus.ACTIVE:
        DueTimer.objects.filter(pk=timer.pk).update(due_at=now + SUSPENDED_DELAY)
        return 0
    if connection.schema_name != timer.schema_name:  # each switch costs a SET search_path
        connection.set_schema(timer.schema_name)
    ticket = (
        Ticket.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("department", "priority")
        .filter(pk=timer.ticket_id)
        .first()
    )
    if ticket is None:
        if Ticket.objects.filter(pk=timer.ticket_id).exists():
            return BUSY  # an agent is changing it right now
        DueTimer.objects.filter(pk=timer.pk).delete()
        return 0
    clock = SlaClock.objects.select_for_update().filter(ticket=ticket, kind=timer.kind).first()
    if clock is None or clock.state != ClockState.RUNNING:
        DueTimer.objects.filter(pk=timer.pk).delete()  # the ticket moved on
        return 0
    math = cache.math(ticket, now)
    rules = cache.rules_for(clock.policy_id)
    consumed = consumed_now(clock, math, now)
    due = [
        step
        for step in steps_for(clock, rules)
        if step.key not in clock.fired_steps and step.position <= consumed
    ]
    acting = any(step.rule is not None for step in due)
    for step in due:
        clock.fired_steps = [*clock.fired_steps, step.key]
        if step.key == "breach:0" and clock.breached_at is None:
            clock.breached_at = now
        if acting:  # an action may re-match the policy: the clock must be saved first
            clock.save(update_fields=["fired_steps", "breached_at"])
        step_fire(ticket=ticket, clock=clock, step=step, at=now)
    if acting:  # an escalation may have re-matched the policy or moved the ticket
        clock.refresh_from_db()
        ticket.refresh_from_db()
        math, rules = cache.math(ticket, now), policy_rules(clock.policy_id)
    reschedule(clock, math, rules)
    clock.save(update_fields=["fired_steps", "breached_at", "due_at"])
    fired = len(due)
    return fired

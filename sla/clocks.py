"""The clock engine: start, pause, resume, meet and re-target SLA clocks, and keep each
running clock's next deadline in the public due-timer table — all inside the caller's
transaction (the ticket change that caused it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sla import business_time
from sla.calendars import calendar_for_department
from sla.models import ClockKind, ClockState, EscalationRule, SlaClock, SlaPolicy
from sla.timers.models import DueTimer
from tenants.db import connection
from ticketing.events import record_event
from ticketing.models import Ticket


@dataclass(frozen=True)
class Step:
    """A point on a clock, in seconds of consumed time: a warning, the breach, a level."""

    key: str
    position: int
    rule: EscalationRule | None

    @property
    def is_warning(self) -> bool:
        return self.key.startswith("warn:")


def steps_for(clock: SlaClock, rules: list[EscalationRule]) -> list[Step]:
    """Warnings, the breach (always) and later levels, in the order they happen."""
    steps = {"breach:0": Step("breach:0", clock.target_seconds, None)}
    for rule in rules:
        if rule.clock != clock.kind:
            continue
        if rule.warn_at_percent is not None:
            key = f"warn:{rule.warn_at_percent}"
            position = clock.target_seconds * rule.warn_at_percent // 100
        else:
            minutes = rule.after_breach_minutes or 0
            key = f"breach:{minutes}"
            position = clock.target_seconds + minutes * 60
        steps[key] = Step(key, position, rule)
    return sorted(steps.values(), key=lambda step: (step.position, step.key))


def policy_rules(policy_id: int | None) -> list[EscalationRule]:
    if policy_id is None:
        return []
    return list(
        EscalationRule.objects.filter(policy_id=policy_id).select_related(
            "transfer_to_department", "transfer_to_agent"
        )
    )


class ClockMath:
    """Business or calendar arithmetic for one ticket's department."""

    def __init__(
        self, ticket: Ticket, at: datetime, *, calendar: business_time.Calendar | None = None
    ) -> None:
        self.calendar = calendar or calendar_for_department(ticket.department_id, today=at.date())

    def add(self, clock: SlaClock, start: datetime, seconds: int) -> datetime:
        duration = timedelta(seconds=max(0, seconds))
        if clock.business:
            return business_time.add(self.calendar, start, duration)
        return start + duration

    def between(self, clock: SlaClock, a: datetime, b: datetime) -> int:
        if b <= a:
            return 0
        if clock.business:
            return int(business_time.between(self.calendar, a, b).total_seconds())
        return int((b - a).total_seconds())


def consumed_now(clock: SlaClock, math: ClockMath, at: datetime) -> int:
    if clock.state != ClockState.RUNNING or clock.running_since is None:
        return clock.consumed_seconds
    return clock.consumed_seconds + math.between(clock, clock.running_since, at)


def next_step(clock: SlaClock, rules: list[EscalationRule]) -> Step | None:
    return next((s for s in steps_for(clock, rules) if s.key not in clock.fired_steps), None)


def _timer_delete(clock: SlaClock) -> None:
    # One statement: the ORM's delete() first selects what it deletes (cascade checks).
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {DueTimer._meta.db_table} WHERE schema_name = %s AND ticket_id = %s"
            " AND kind = %s",
            [connection.schema_name, clock.ticket_id, clock.kind],
        )


def _timer_upsert(clock: SlaClock, when: datetime) -> None:
    DueTimer.objects.bulk_create(
        [
            DueTimer(
                schema_name=connection.schema_name,
                ticket_id=clock.ticket_id,
                kind=clock.kind,
                due_at=when,
            )
        ],
        update_conflicts=True,
        unique_fields=["schema_name", "ticket_id", "kind"],
        update_fields=["due_at"],
    )


def reschedule(clock: SlaClock, math: ClockMath, rules: list[EscalationRule]) -> None:
    """Recompute the clock's due time and its row in the due-timer table."""
    if clock.state != ClockState.RUNNING or clock.running_since is None:
        clock.due_at = None if clock.state != ClockState.MET else clock.due_at
        _timer_delete(clock)
        return
    remaining = clock.target_seconds - clock.consumed_seconds
    clock.due_at = math.add(clock, clock.running_since, remaining)
    step = next_step(clock, rules)
    if step is None:
        _timer_delete(clock)
        return
    _timer_upsert(
        clock, math.add(clock, clock.running_since, step.position - clock.consumed_seconds)
    )


def clock_start(
    *,
    ticket: Ticket,
    policy: SlaPolicy,
    kind: str,
    at: datetime,
    math: ClockMath,
    rules: list[EscalationRule],
) -> SlaClock | None:
    target, business = policy.target(kind)
    if target is None:
        return None
    clock, _ = SlaClock.objects.update_or_create(
        ticket=ticket,
        kind=kind,
        defaults={
            "policy": policy,
            "business": business,
            "target_seconds": target,
            "state": ClockState.RUNNING,
            "started_at": at,
            "running_since": at,
            "consumed_seconds": 0,
            "due_at": None,
            "met_at": None,
            "breached_at": None,
            "fired_steps": [],
        },
    )
    reschedule(clock, math, rules)
    clock.save()
    record_event(
        ticket=ticket,
        kind="sla.clock_started",
        at=at,
        actor_name="SLA",
        after={
            "clock": kind,
            "due_at": clock.due_at.isoformat() if clock.due_at else None,
            "policy": policy.name,
            "business_time": business,
        },
    )
    return clock


def clock_pause(
    clock: SlaClock, *, ticket: Ticket, at: datetime, math: ClockMath, reason: str
) -> None:
    if clock.state != ClockState.RUNNING:
        return
    clock.consumed_seconds = consumed_now(clock, math, at)
    clock.state, clock.running_since = ClockState.PAUSED, None
    reschedule(clock, math, [])
    clock.save()
    record_event(
        ticket=ticket,
        kind="sla.clock_paused",
        at=at,
        actor_name="SLA",
        after={"clock": clock.kind},
        note=reason,
    )


def clock_resume(
    clock: SlaClock,
    *,
    ticket: Ticket,
    at: datetime,
    math: ClockMath,
    rules: list[EscalationRule],
    reason: str,
) -> None:
    if clock.state != ClockState.PAUSED:
        return
    clock.state, clock.running_since = ClockState.RUNNING, at
    reschedule(clock, math, rules)
    clock.save()
    record_event(
        ticket=ticket,
        kind="sla.clock_resumed",
        at=at,
        actor_name="SLA",
        note=reason,
        after={"clock": clock.kind, "due_at": clock.due_at.isoformat() if clock.due_at else None},
    )


def clock_meet(clock: SlaClock, *, ticket: Ticket, at: datetime, math: ClockMath) -> bool:
    """Stop a running or paused clock as met; returns True when it was late."""
    if clock.state not in (ClockState.RUNNING, ClockState.PAUSED):
        return False
    consumed = consumed_now(clock, math, at)
    late = consumed > clock.target_seconds or clock.breached_at is not None
    if late and clock.breached_at is None:
        clock.breached_at = at
    clock.consumed_seconds = consumed
    clock.state, clock.running_since, clock.met_at = ClockState.MET, None, at
    reschedule(clock, math, [])
    clock.save()
    record_event(
        ticket=ticket,
        kind="sla.clock_met",
        at=at,
        actor_name="SLA",
        after={
            "clock": clock.kind,
            "late": late,
            "consumed_seconds": consumed,
            "target_seconds": clock.target_seconds,
        },
    )
    return late


def clock_retarget(
    clock: SlaClock,
    *,
    policy: SlaPolicy,
    ticket: Ticket,
    at: datetime,
    math: ClockMath,
    rules: list[EscalationRule],
) -> None:
    """A new policy applies: keep the time consumed, measure it against the new target."""
    target, business = policy.target(clock.kind)
    if clock.state in (ClockState.MET, ClockState.STOPPED):
        return
    if target is None:
        clock.consumed_seconds = consumed_now(clock, math, at)
        clock.state, clock.running_since = ClockState.STOPPED, None
        reschedule(clock, math, rules)
        clock.save()
        return
    if clock.state == ClockState.RUNNING:
        clock.consumed_seconds = consumed_now(clock, math, at)
        clock.running_since = at
    clock.policy, clock.target_seconds, clock.business = policy, target, business
    reschedule(clock, math, rules)
    clock.save()


def clock_kinds() -> list[str]:
    return list(ClockKind.values)

"""The SLA sweep: due timers of every tenant live in one public table, are claimed with
``SELECT … FOR UPDATE SKIP LOCKED`` and acted on in each ticket's own schema, once —
across tenants, failed and crashed workers, sweepers running side by side, and sweeps
repeated at the same moment.

Time is driven through ``sla_sweep(now=…)``, never by sleeping. The tests about workers
racing or dying need rows that other connections can see: those are committed in tenant
``alpha`` through threads' own connections (as in tests/ticketing/test_concurrency.py),
and removed again when the test ends; the test's own connection only reads them.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from sla.escalation import step_fire
from sla.models import ClockKind, ClockState, EscalationRule, SlaClock, SlaPolicy
from sla.sweep import RETRY_DELAY, SweepResult, sla_sweep
from sla.timers.models import DueTimer
from tenants.db import connection
from tenants.models import Tenant
from tests.conftest import TenantUnderTest
from tests.threads import THREAD_TIMEOUT, at_once, committed_by
from tests.ticketing.factories import ContactFactory, DepartmentFactory, make_ticket
from ticketing.models import Agent, Contact, Department, Ticket, TicketEvent
from ticketing.services.operations import ticket_change_status

ALPHA, BRAVO = "t_alpha", "t_bravo"
FIRST = ClockKind.FIRST_RESPONSE
RESOLUTION = ClockKind.RESOLUTION
STEP_KINDS = ("sla.warned", "sla.breached", "sla.escalated")


def counts(result: SweepResult) -> tuple[int, int, int, int]:
    return result.claimed, result.fired, result.stale, result.failed


def fired_steps_in_schema() -> list[tuple[int, str, str]]:
    """(ticket, event kind, clock) of every step fired in the current schema."""
    rows = TicketEvent.objects.filter(kind__in=STEP_KINDS).order_by("ticket_id", "at", "id")
    return [(row.ticket_id, row.kind, row.after["clock"]) for row in rows]


def fired_steps_of(ticket_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Each ticket's fired steps as (event kind, clock), in the order they happened."""
    fired: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ticket_ids}
    for ticket_id, kind, clock in fired_steps_in_schema():
        if ticket_id in fired:
            fired[ticket_id].append((kind, clock))
    return fired


def timer_rows(schema: str) -> set[tuple[int, str]]:
    return set(DueTimer.objects.filter(schema_name=schema).values_list("ticket_id", "kind"))


def same_policy_here(policy: SlaPolicy) -> SlaPolicy:
    """A copy of ``policy`` in the current schema (conditions are empty: match all)."""
    values = {
        field.attname: getattr(policy, field.attname)
        for field in SlaPolicy._meta.concrete_fields
        if not field.primary_key
    }
    return SlaPolicy.objects.create(**values)


# Committed rows and threads, for the tests about racing and dying workers.


class WorkerDied(Exception):
    """Raised by a worker that claimed timers and stops before acting on any."""


@dataclass
class CommittedDesk:
    """A department of tenant alpha whose own policy wants a first response within one
    minute of calendar time, committed, with the tickets opened in it."""

    tenant: Tenant
    department_id: int
    policy_id: int
    ticket_ids: list[int] = field(default_factory=list)

    def open_tickets(self, count: int) -> list[Ticket]:
        tickets = committed_by(self.tenant, partial(self._open, count))
        self.ticket_ids.extend(ticket.pk for ticket in tickets)
        return tickets

    def _open(self, count: int) -> list[Ticket]:
        department = Department.objects.get(pk=self.department_id)
        return [
            make_ticket(
                department=department,
                requester=ContactFactory.create(email=f"sweep-{uuid.uuid4().hex[:8]}@race.example"),
            )
            for _ in range(count)
        ]

    def warn_at(self, percent: int) -> None:
        committed_by(
            self.tenant,
            partial(
                EscalationRule.objects.create,
                policy_id=self.policy_id,
                clock=FIRST,
                warn_at_percent=percent,
            ),
        )

    def remove(self) -> None:
        tickets = Ticket.objects.filter(pk__in=self.ticket_ids) | Ticket.objects.filter(
            department_id=self.department_id
        )
        ids = list(tickets.values_list("pk", flat=True))
        requesters = list(tickets.values_list("requester_id", flat=True))
        DueTimer.objects.filter(schema_name=self.tenant.schema_name, ticket_id__in=ids).delete()
        Ticket.objects.filter(pk__in=ids).delete()
        Contact.objects.filter(pk__in=requesters).delete()
        SlaPolicy.objects.filter(pk=self.policy_id).delete()  # with its escalation rules
        Department.objects.filter(pk=self.department_id).delete()


def _desk_setup() -> tuple[int, int]:
    department = DepartmentFactory.create(name=f"Sweep {uuid.uuid4().hex[:8]}")
    policy = SlaPolicy.objects.create(
        name=f"One minute {department.name}",
        position=0,
        first_response_minutes=1,
        first_response_business=False,
    )
    policy.departments.add(department)  # matches no ticket of any other test
    return department.pk, policy.pk


@pytest.fixture
def committed_desk(
    db: None, session_tenants: dict[str, TenantUnderTest]
) -> Iterator[CommittedDesk]:
    # ``db`` sets the test database up; its transaction wraps this thread's connection,
    # which only reads what the threads committed.
    tenant = session_tenants["alpha"].tenant
    connection.set_tenant(tenant)
    department_id, policy_id = committed_by(tenant, _desk_setup)
    desk = CommittedDesk(tenant=tenant, department_id=department_id, policy_id=policy_id)
    try:
        yield desk
    finally:
        committed_by(tenant, desk.remove)


# 1. Each timer acts in its own tenant's schema, and only there.


def test_a_sweep_acts_on_each_ticket_in_its_own_schema(
    support: Department, policy: SlaPolicy, tenant_b: TenantUnderTest
) -> None:
    alpha_ticket = make_ticket(department=support)
    with schema_context(tenant_b.tenant.schema_name):
        same_policy_here(policy)
        bravo_ticket = make_ticket()
    latest = max(alpha_ticket.created_at, bravo_ticket.created_at)

    result = sla_sweep(now=latest + timedelta(minutes=61))

    assert counts(result) == (2, 2, 0, 0), result.errors
    assert connection.schema_name == ALPHA  # the sweep hands the connection back as it was
    assert fired_steps_in_schema() == [(alpha_ticket.pk, "sla.breached", FIRST)]
    assert SlaClock.objects.get(ticket=alpha_ticket, kind=FIRST).breached_at is not None
    with schema_context(BRAVO):
        assert fired_steps_in_schema() == [(bravo_ticket.pk, "sla.breached", FIRST)]
        assert SlaClock.objects.get(ticket=bravo_ticket, kind=FIRST).breached_at is not None
    # the breached first-response timers are done; each resolution timer stays at home
    assert timer_rows(ALPHA) == {(alpha_ticket.pk, RESOLUTION)}
    assert timer_rows(BRAVO) == {(bravo_ticket.pk, RESOLUTION)}


def test_a_timer_naming_bravo_never_touches_alphas_ticket_of_that_id(
    support: Department, policy: SlaPolicy, tenant_b: TenantUnderTest
) -> None:
    ticket = make_ticket(department=support)
    # Alpha's first response is overdue, and its own timer is out of the way, so that
    # only the forged row could make anything happen to this ticket.
    DueTimer.objects.filter(schema_name=ALPHA, ticket_id=ticket.pk, kind=FIRST).delete()
    forged = DueTimer.objects.create(
        schema_name=tenant_b.tenant.schema_name,
        ticket_id=ticket.pk,
        kind=FIRST,
        due_at=ticket.created_at,
    )
    with schema_context(BRAVO):
        assert not Ticket.objects.filter(pk=ticket.pk).exists()
    timeline = list(ticket.events.values_list("pk", "kind"))

    result = sla_sweep(now=ticket.created_at + timedelta(minutes=61))

    assert counts(result) == (1, 0, 1, 0), result.errors
    assert not DueTimer.objects.filter(pk=forged.pk).exists()
    assert list(ticket.events.values_list("pk", "kind")) == timeline
    clock = SlaClock.objects.get(ticket=ticket, kind=FIRST)
    assert clock.fired_steps == []
    assert clock.breached_at is None
    assert timer_rows(ALPHA) == {(ticket.pk, RESOLUTION)}
    with schema_context(BRAVO):
        assert fired_steps_in_schema() == []


# 2. A worker that fails or dies between the claim and the action loses nothing.


def test_an_action_that_fails_is_undone_and_fired_by_the_next_sweep(
    support: Department, policy: SlaPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    EscalationRule.objects.create(policy=policy, clock=FIRST, warn_at_percent=50)
    tickets = [make_ticket(department=support), make_ticket(department=support)]
    ids = [ticket.pk for ticket in tickets]
    due_before = dict(
        DueTimer.objects.filter(schema_name=ALPHA, kind=FIRST).values_list("ticket_id", "due_at")
    )
    crashed: list[int] = []

    def fail_the_first_call(**kwargs: Any) -> None:
        if not crashed:
            crashed.append(kwargs["ticket"].pk)
            raise RuntimeError("worker lost its connection")
        step_fire(**kwargs)

    monkeypatch.setattr("sla.sweep.step_fire", fail_the_first_call)
    now = max(ticket.created_at for ticket in tickets) + timedelta(minutes=61)

    first = sla_sweep(now=now)

    [failed_id] = crashed
    [other_id] = [pk for pk in ids if pk != failed_id]
    assert counts(first) == (2, 2, 0, 1)  # the other ticket's warning and breach went out
    assert "worker lost its connection" in first.errors[0]
    assert fired_steps_of(ids) == {
        failed_id: [],
        other_id: [("sla.warned", FIRST), ("sla.breached", FIRST)],
    }
    clock = SlaClock.objects.get(ticket_id=failed_id, kind=FIRST)
    assert (clock.fired_steps, clock.breached_at) == ([], None)
    timer = DueTimer.objects.get(schema_name=ALPHA, ticket_id=failed_id, kind=FIRST)
    assert timer.due_at > due_before[failed_id]  # retried later, not in a tight loop
    assert timer.due_at == now + RETRY_DELAY
    assert counts(sla_sweep(now=now)) == (0, 0, 0, 0)  # not before its retry time

    second = sla_sweep(now=now + RETRY_DELAY)

    assert counts(second) == (1, 2, 0, 0), second.errors
    assert fired_steps_of(ids)[failed_id] == [("sla.warned", FIRST), ("sla.breached", FIRST)]
    assert timer_rows(ALPHA) == {(pk, RESOLUTION) for pk in ids}
    assert counts(sla_sweep(now=now + RETRY_DELAY)) == (0, 0, 0, 0)


def test_timers_claimed_by_a_worker_that_dies_are_fired_once_by_the_next_sweep(
    committed_desk: CommittedDesk,
) -> None:
    committed_desk.warn_at(50)
    tickets = committed_desk.open_tickets(3)
    now = max(ticket.created_at for ticket in tickets) + timedelta(minutes=2)
    claimed, released = threading.Event(), threading.Event()

    def claim_and_die() -> int:
        with transaction.atomic():
            rows = list(
                DueTimer.objects.select_for_update(skip_locked=True)
                .filter(due_at__lte=now)
                .order_by("due_at")
            )
            claimed.set()
            released.wait(THREAD_TIMEOUT)
            raise WorkerDied(len(rows))  # the transaction ends without acting: rolled back

    def sweep_meanwhile() -> SweepResult:
        assert claimed.wait(THREAD_TIMEOUT), "the dying worker never claimed"
        try:
            return sla_sweep(now=now)
        finally:
            released.set()

    died, meanwhile = at_once(committed_desk.tenant, claim_and_die, sweep_meanwhile)

    assert isinstance(died, WorkerDied), died
    assert died.args == (3,)
    assert isinstance(meanwhile, SweepResult), meanwhile
    assert counts(meanwhile) == (0, 0, 0, 0)  # claimed rows are skipped, not waited for
    assert fired_steps_of(committed_desk.ticket_ids) == {pk: [] for pk in committed_desk.ticket_ids}

    after = committed_by(committed_desk.tenant, partial(sla_sweep, now=now))

    assert counts(after) == (3, 6, 0, 0), after.errors
    both_steps = [("sla.warned", FIRST), ("sla.breached", FIRST)]
    assert fired_steps_of(committed_desk.ticket_ids) == dict.fromkeys(
        committed_desk.ticket_ids, both_steps
    )
    again = committed_by(committed_desk.tenant, partial(sla_sweep, now=now))
    assert counts(again) == (0, 0, 0, 0)


# 3. Sweepers running side by side never act twice on one timer.


def test_two_sweepers_at_once_fire_each_timer_exactly_once(
    committed_desk: CommittedDesk,
) -> None:
    tickets = committed_desk.open_tickets(30)
    now = max(ticket.created_at for ticket in tickets) + timedelta(minutes=2)

    def sweep_until_done() -> list[SweepResult]:
        # small batches, so that the two sweepers take turns over the same rows
        results = [sla_sweep(now=now, limit=4)]
        while results[-1].claimed:
            results.append(sla_sweep(now=now, limit=4))
        return results

    outcomes = at_once(committed_desk.tenant, sweep_until_done, sweep_until_done)

    assert all(isinstance(outcome, list) for outcome in outcomes), outcomes
    results = [result for outcome in outcomes for result in outcome]
    assert [error for result in results for error in result.errors] == []
    assert sum(result.claimed for result in results) == 30
    assert sum(result.fired for result in results) == 30
    assert sum(result.stale + result.failed for result in results) == 0
    assert fired_steps_of(committed_desk.ticket_ids) == {
        pk: [("sla.breached", FIRST)] for pk in committed_desk.ticket_ids
    }
    assert not DueTimer.objects.filter(
        schema_name=ALPHA, ticket_id__in=committed_desk.ticket_ids, kind=FIRST
    ).exists()


# 4. Sweeping is idempotent, and only running clocks have timers.


def test_sweeping_again_at_the_same_moment_fires_nothing(
    support: Department, policy: SlaPolicy
) -> None:
    EscalationRule.objects.create(policy=policy, clock=FIRST, after_breach_minutes=120)
    ticket = make_ticket(department=support)
    now = ticket.created_at + timedelta(minutes=61)

    assert counts(sla_sweep(now=now)) == (1, 1, 0, 0)
    timeline = list(ticket.events.values_list("pk", flat=True))
    # the timer now waits for the next level, two hours after the breach
    timer = DueTimer.objects.get(schema_name=ALPHA, ticket_id=ticket.pk, kind=FIRST)
    assert timer.due_at == ticket.created_at + timedelta(hours=3)

    assert counts(sla_sweep(now=now)) == (0, 0, 0, 0)
    assert counts(sla_sweep(now=now)) == (0, 0, 0, 0)
    assert list(ticket.events.values_list("pk", flat=True)) == timeline
    assert SlaClock.objects.get(ticket=ticket, kind=FIRST).fired_steps == ["breach:0"]


def test_a_paused_clock_has_no_timer_and_resumes_with_the_time_it_had_left(
    support: Department, agent: Agent, policy: SlaPolicy
) -> None:
    ticket = make_ticket(department=support)
    # twenty minutes of the hour to first response are gone when the ticket goes pending
    SlaClock.objects.filter(ticket=ticket).update(
        started_at=ticket.created_at - timedelta(minutes=20),
        running_since=ticket.created_at - timedelta(minutes=20),
    )
    ticket_change_status(ticket=ticket, status="pending", actor=agent)
    paused = SlaClock.objects.get(ticket=ticket, kind=FIRST)
    assert paused.state == ClockState.PAUSED
    assert 20 * 60 <= paused.consumed_seconds < 21 * 60
    assert timer_rows(ALPHA) == set()

    long_after = ticket.created_at + timedelta(days=2)
    assert counts(sla_sweep(now=long_after)) == (0, 0, 0, 0)
    # a leftover row for the paused clock (say, written by a racing change) is stale
    DueTimer.objects.create(
        schema_name=ALPHA, ticket_id=ticket.pk, kind=FIRST, due_at=ticket.created_at
    )
    assert counts(sla_sweep(now=long_after)) == (1, 0, 1, 0)
    assert timer_rows(ALPHA) == set()
    assert fired_steps_of([ticket.pk]) == {ticket.pk: []}

    ticket_change_status(ticket=ticket, status="open", actor=agent)
    resumed = SlaClock.objects.get(ticket=ticket, kind=FIRST)
    assert resumed.state == ClockState.RUNNING
    assert resumed.running_since is not None
    left = timedelta(seconds=60 * 60 - paused.consumed_seconds)
    assert resumed.due_at == resumed.running_since + left
    timer = DueTimer.objects.get(schema_name=ALPHA, ticket_id=ticket.pk, kind=FIRST)
    assert timer.due_at == resumed.due_at

    assert counts(sla_sweep(now=timer.due_at - timedelta(seconds=1))) == (0, 0, 0, 0)
    assert counts(sla_sweep(now=timer.due_at)) == (1, 1, 0, 0)
    assert fired_steps_of([ticket.pk]) == {ticket.pk: [("sla.breached", FIRST)]}

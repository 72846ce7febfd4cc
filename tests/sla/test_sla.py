"""What the SLA does to tickets: clocks, pauses, re-matching, escalation, lateness."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from sla.models import (
    BusinessCalendar,
    ClockState,
    DepartmentCalendar,
    EscalationRule,
    NotifyWhom,
    SlaClock,
    SlaPolicy,
    TicketSla,
)
from sla.sweep import sla_sweep
from sla.timers.models import DueTimer
from tests.ticketing.factories import CustomerFactory, DepartmentFactory, make_ticket, priority
from ticketing.models import Agent, Department, Ticket
from ticketing.services.conversation import reply_from_agent, reply_from_customer
from ticketing.services.operations import (
    ticket_change_priority,
    ticket_change_status,
    ticket_transfer,
)


def clocks(ticket: Ticket) -> dict[str, SlaClock]:
    return {clock.kind: clock for clock in SlaClock.objects.filter(ticket=ticket)}


def events(ticket: Ticket, prefix: str = "sla.") -> list[str]:
    return list(ticket.events.filter(kind__startswith=prefix).values_list("kind", flat=True))


def test_clocks_start_with_the_matching_policy(support: Department, policy: SlaPolicy) -> None:
    ticket = make_ticket(department=support)
    running = clocks(ticket)
    assert set(running) == {"first_response", "resolution"}
    first = running["first_response"]
    assert first.state == ClockState.RUNNING
    assert first.due_at == ticket.created_at + timedelta(hours=1)
    assert running["resolution"].due_at == ticket.created_at + timedelta(hours=8)
    assert TicketSla.objects.get(ticket=ticket).policy == policy
    assert events(ticket)[:2] == ["sla.policy_matched", "sla.clock_started"]
    timers = DueTimer.objects.filter(schema_name="t_alpha", ticket_id=ticket.pk)
    assert {t.kind: t.due_at for t in timers} == {
        "first_response": first.due_at,
        "resolution": running["resolution"].due_at,
    }


def test_first_matching_policy_wins(support: Department, policy: SlaPolicy) -> None:
    urgent = SlaPolicy.objects.create(name="Urgent", position=1, first_response_minutes=15)
    urgent.priorities.add(priority(5))
    vip_only = SlaPolicy.objects.create(
        name="VIP", position=2, first_response_minutes=30, vip="vip"
    )
    normal = make_ticket(department=support)
    assert TicketSla.objects.get(ticket=normal).policy == policy
    vip = make_ticket(department=support, requester=CustomerFactory(is_vip=True))
    assert TicketSla.objects.get(ticket=vip).policy == vip_only
    ticket_change_priority(ticket=normal, priority=priority(5), actor=None)
    assert TicketSla.objects.get(ticket=normal).policy == urgent
    matched = normal.events.filter(kind="sla.policy_matched").last()
    assert matched is not None
    assert matched.note == "ticket.priority_changed"
    assert clocks(normal)["first_response"].target_seconds == 15 * 60


def test_pending_pauses_and_a_customer_reply_resumes(
    support: Department, agent: Agent, policy: SlaPolicy
) -> None:
    ticket = make_ticket(department=support)
    reply_from_agent(ticket=ticket, agent=agent, body="Which model?", next_status="pending")
    state = clocks(ticket)
    assert state["first_response"].state == ClockState.MET
    assert state["resolution"].state == ClockState.PAUSED
    assert not DueTimer.objects.filter(ticket_id=ticket.pk, kind="resolution").exists()
    assert ticket.requester is not None
    reply_from_customer(ticket=ticket, contact=ticket.requester, body="X1")
    state = clocks(ticket)
    assert state["resolution"].state == ClockState.RUNNING
    assert state["next_response"].state == ClockState.RUNNING
    assert "sla.clock_paused" in events(ticket)
    assert "sla.clock_resumed" in events(ticket)


def test_on_hold_pauses_only_when_the_policy_says_so(
    support: Department, agent: Agent, policy: SlaPolicy
) -> None:
    ticket = make_ticket(department=support)
    ticket_change_status(ticket=ticket, status="on_hold", actor=agent)
    assert clocks(ticket)["resolution"].state == ClockState.RUNNING
    policy.pause_on_hold = True
    policy.save()
    other = make_ticket(department=support)
    ticket_change_status(ticket=other, status="on_hold", actor=agent)
    assert clocks(other)["resolution"].state == ClockState.PAUSED


def test_escalation_levels_fire_once_each_in_order(
    support: Department, engineering: Department, agent: Agent, supervisor: Agent, policy: SlaPolicy
) -> None:
    EscalationRule.objects.create(
        policy=policy, clock="resolution", warn_at_percent=75, notify=[NotifyWhom.ASSIGNEE]
    )
    EscalationRule.objects.create(
        policy=policy, clock="resolution", after_breach_minutes=0,
        notify=[NotifyWhom.SUPERVISORS], raise_priority=True,
    )  # fmt: skip
    EscalationRule.objects.create(
        policy=policy, clock="resolution", after_breach_minutes=120,
        notify=[NotifyWhom.DEPARTMENT], transfer_to_department=engineering,
    )  # fmt: skip
    ticket = make_ticket(department=support, assignee=agent, created_by=agent)
    start = ticket.created_at
    assert sla_sweep(now=start + timedelta(hours=5)).fired == 1  # first response breached
    assert sla_sweep(now=start + timedelta(hours=6, minutes=1)).fired == 1  # 75% of 8 h
    assert sla_sweep(now=start + timedelta(hours=6, minutes=2)).fired == 0  # nothing new
    assert sla_sweep(now=start + timedelta(hours=8, minutes=1)).fired == 1  # breach
    ticket.refresh_from_db()
    assert ticket.priority.level == 4
    assert sla_sweep(now=start + timedelta(hours=10, minutes=1)).fired == 1  # breach + 2 h
    ticket.refresh_from_db()
    assert ticket.department == engineering
    sla_kinds = [e for e in events(ticket) if e in ("sla.warned", "sla.breached", "sla.escalated")]
    assert sla_kinds == ["sla.breached", "sla.warned", "sla.breached", "sla.escalated"]
    warned = ticket.events.get(kind="sla.warned")
    assert warned.after["notify"] == [agent.pk]
    breach = ticket.events.filter(kind="sla.breached", after__clock="resolution").get()
    assert breach.after["notify"] == [supervisor.pk]
    assert not DueTimer.objects.filter(ticket_id=ticket.pk, kind="resolution").exists()
    assert sla_sweep(now=start + timedelta(days=3)).fired == 0


def test_resolved_after_the_target_is_closed_late(
    support: Department, agent: Agent, policy: SlaPolicy
) -> None:
    on_time = make_ticket(department=support)
    late = make_ticket(department=support)
    ticket_change_status(ticket=on_time, status="resolved", actor=agent)
    assert TicketSla.objects.get(ticket=on_time).closed_late is False
    Ticket.objects.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(hours=9))
    SlaClock.objects.filter(ticket=late).update(
        started_at=timezone.now() - timedelta(hours=9),
        running_since=timezone.now() - timedelta(hours=9),
    )
    ticket_change_status(ticket=late, status="resolved", actor=agent)
    summary = TicketSla.objects.get(ticket=late)
    assert summary.closed_late is True
    assert summary.handling_calendar_seconds is not None
    met = late.events.filter(kind="sla.clock_met", after__clock="resolution").get()
    assert met.after["late"] is True
    # reopened and resolved in time now: it stays closed late
    assert late.requester is not None
    reply_from_customer(ticket=late, contact=late.requester, body="Again")
    assert clocks(late)["resolution"].state == ClockState.RUNNING
    ticket_change_status(ticket=late, status="resolved", actor=agent)
    assert TicketSla.objects.get(ticket=late).closed_late is True


def test_business_time_and_department_calendars(in_alpha: object) -> None:
    SlaPolicy.objects.create(name="Business", first_response_minutes=120)
    BusinessCalendar.objects.create(
        name="Warsaw office", timezone="Europe/Warsaw", is_default=True,
        weekly_hours={d: [["08:00", "16:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    )  # fmt: skip
    night = BusinessCalendar.objects.create(
        name="Night shift", timezone="Asia/Tehran",
        weekly_hours={d: [["22:00", "06:00"]] for d in ("sat", "sun", "mon", "tue", "wed")},
    )  # fmt: skip
    night_desk = DepartmentFactory(name="Night desk")
    DepartmentCalendar.objects.create(department=night_desk, calendar=night)

    day_due = clocks(make_ticket(department=DepartmentFactory()))["first_response"].due_at
    assert day_due is not None
    warsaw = day_due.astimezone(ZoneInfo("Europe/Warsaw"))
    assert warsaw.weekday() < 5
    assert time(8, 0) < warsaw.time() <= time(16, 0)

    night_due = clocks(make_ticket(department=night_desk))["first_response"].due_at
    assert night_due is not None
    tehran = night_due.astimezone(ZoneInfo("Asia/Tehran"))
    assert tehran.time() > time(22, 0) or tehran.time() <= time(6, 0)


def test_transfer_moves_the_deadline_to_the_new_departments_calendar(
    support: Department, engineering: Department, agent: Agent, in_alpha: object
) -> None:
    SlaPolicy.objects.create(name="Business", resolution_minutes=60)
    closed_weekends = BusinessCalendar.objects.create(
        name="Never", timezone="UTC", weekly_hours={"mon": [["09:00", "10:00"]]}
    )
    DepartmentCalendar.objects.create(department=engineering, calendar=closed_weekends)
    ticket = make_ticket(department=support)
    before = clocks(ticket)["resolution"].due_at
    ticket_transfer(ticket=ticket, actor=agent, to_department=engineering)
    after = clocks(ticket)["resolution"].due_at
    assert before is not None
    assert after is not None
    assert after != before
    assert after.weekday() == 0  # only Mondays 09:00–10:00 count in engineering
    assert date.today() <= after.date()


def test_viewers_see_due_times_in_their_zone_and_risky_tickets_first(
    support: Department, agent: Agent, policy: SlaPolicy
) -> None:
    from sla.selectors import ticket_clocks, tickets_at_risk

    relaxed = make_ticket(department=support, subject="relaxed")
    urgent = make_ticket(department=support, subject="urgent")
    SlaClock.objects.filter(ticket=urgent, kind="first_response").update(
        due_at=timezone.now() + timedelta(minutes=5)
    )
    now = timezone.now()
    views = {
        view.kind: view
        for view in ticket_clocks(ticket=urgent, at=now, viewer_timezone="Asia/Tehran")
    }
    first = views["first_response"]
    assert first.due_at is not None
    assert first.due_at.utcoffset() == timedelta(hours=3, minutes=30)
    assert first.time_left is not None
    assert timedelta(minutes=4) < first.time_left <= timedelta(minutes=5)
    assert not first.breached
    risky = list(tickets_at_risk(agent=agent, at=now, within=timedelta(minutes=30)))
    assert risky == [urgent]
    everything = list(tickets_at_risk(agent=agent, at=now, within=timedelta(hours=9)))
    assert everything == [urgent, relaxed]
    late = ticket_clocks(ticket=urgent, at=now + timedelta(minutes=10), viewer_timezone="UTC")
    assert next(v for v in late if v.kind == "first_response").breached


def test_an_escalation_that_cannot_apply_is_recorded_not_retried(
    support: Department, engineer: Agent, policy: SlaPolicy
) -> None:
    EscalationRule.objects.create(
        policy=policy, clock="first_response", after_breach_minutes=0, transfer_to_agent=engineer
    )  # engineer is not in Support: the transfer is refused
    ticket = make_ticket(department=support)
    result = sla_sweep(now=ticket.created_at + timedelta(hours=2))
    assert result.failed == 0
    failed = ticket.events.get(kind="sla.escalation_failed")
    assert "not a member" in failed.note
    assert sla_sweep(now=ticket.created_at + timedelta(hours=3)).fired == 0


def test_timers_of_gone_or_suspended_tenants_never_block_the_queue(
    support: Department, policy: SlaPolicy, tenant_b: object
) -> None:
    from sla.timers.models import DueTimer
    from tenants.services import tenant_suspend

    ticket = make_ticket(department=support)
    past = ticket.created_at - timedelta(days=1)
    for index in range(5):  # leftovers of a tenant that no longer exists
        DueTimer.objects.create(
            schema_name="t_gone", ticket_id=index, kind="resolution", due_at=past
        )
    DueTimer.objects.create(schema_name="t_bravo", ticket_id=1, kind="resolution", due_at=past)
    tenant_suspend(slug="bravo")
    result = sla_sweep(now=ticket.created_at + timedelta(hours=2), limit=10)
    assert result.failed == 0
    assert not DueTimer.objects.filter(schema_name="t_gone").exists()
    postponed = DueTimer.objects.get(schema_name="t_bravo")
    assert postponed.due_at > ticket.created_at + timedelta(hours=2)  # waits while suspended
    assert ticket.events.filter(kind="sla.breached").count() == 1  # the live timer fired


def test_purging_a_tenant_drops_its_timers(in_alpha: object) -> None:
    from sla.timers.models import DueTimer, timers_of_schema_delete

    DueTimer.objects.create(
        schema_name="t_leaving", ticket_id=1, kind="resolution", due_at=timezone.now()
    )
    timers_of_schema_delete("t_leaving")
    assert not DueTimer.objects.filter(schema_name="t_leaving").exists()


def test_a_new_support_plan_re_matches_open_tickets(support: Department, policy: SlaPolicy) -> None:
    from tests.ticketing.factories import ProductFactory
    from ticketing.services.people import support_plan_end, support_plan_grant

    gold = SlaPolicy.objects.create(
        name="Gold", position=1, first_response_minutes=15, plan_levels=["gold"]
    )
    customer = CustomerFactory()
    ticket = make_ticket(department=support, requester=customer)
    assert TicketSla.objects.get(ticket=ticket).policy == policy
    plan = support_plan_grant(
        product=ProductFactory(),
        name="Gold",
        level="gold",
        valid_from=date.today() - timedelta(days=30),
        contact=customer,
    )
    assert TicketSla.objects.get(ticket=ticket).policy == gold
    assert ticket.events.filter(kind="ticket.plan_changed").exists()
    matched = ticket.events.filter(kind="sla.policy_matched").last()
    assert matched is not None
    assert matched.note == "ticket.plan_changed"
    support_plan_end(plan=plan, on=date.today() - timedelta(days=1))
    assert TicketSla.objects.get(ticket=ticket).policy == policy

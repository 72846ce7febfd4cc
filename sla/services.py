"""What the SLA does when a ticket changes: match the policy, start, pause, resume and
meet clocks, mark tickets closed late and store their handling time. Called by the
in-transaction event handlers (``sla.handlers``); every step lands on the timeline."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q

from sla.clocks import (
    ClockMath,
    clock_meet,
    clock_pause,
    clock_resume,
    clock_retarget,
    clock_start,
    policy_rules,
)
from sla.models import ClockKind, ClockState, SlaClock, SlaPolicy, TicketSla, VipCondition
from tenants.config_cache import config_cache
from ticketing.events import record_event
from ticketing.models import Ticket, TicketStatus
from ticketing.models.catalogue import SupportPlan

S = TicketStatus


def plan_levels_of(ticket: Ticket, today: date) -> set[str]:
    requester = ticket.requester
    if requester is None:
        return set()
    holders = Q(contact_id=requester.pk)
    if requester.organization_id:
        holders |= Q(organization_id=requester.organization_id)
    plans = SupportPlan.objects.filter(holders, valid_from__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    if ticket.product_id:
        plans = plans.filter(product_id=ticket.product_id)
    return {level for level in plans.values_list("level", flat=True) if level}


def policy_matches(policy: SlaPolicy, ticket: Ticket, *, plan_levels: set[str]) -> bool:
    requester = ticket.requester

    def within(relation: str, value: int | None) -> bool:
        ids = {obj.pk for obj in getattr(policy, relation).all()}
        return not ids or value in ids

    if not within("priorities", ticket.priority_id):
        return False
    if not within("departments", ticket.department_id):
        return False
    if not within("categories", ticket.category_id):
        return False
    if not within("products", ticket.product_id):
        return False
    if not within("organizations", requester.organization_id if requester else None):
        return False
    if policy.channels and ticket.channel not in policy.channels:
        return False
    if policy.plan_levels and not plan_levels & set(policy.plan_levels):
        return False
    vip = bool(requester and requester.is_vip)
    if policy.vip == VipCondition.VIP and not vip:
        return False
    return not (policy.vip == VipCondition.NOT_VIP and vip)


def active_policies() -> list[SlaPolicy]:
    """The active policies in order, with their conditions, cached per tenant (see
    ``sla.apps``): every new ticket is matched against them."""
    return config_cache.get("sla:active-policies", _load_active_policies)


def _load_active_policies() -> list[SlaPolicy]:
    return list(
        SlaPolicy.objects.filter(is_active=True).prefetch_related(
            "priorities", "departments", "categories", "products", "organizations"
        )
    )


def policy_match(ticket: Ticket, *, today: date) -> SlaPolicy | None:
    """The first active policy, in order, whose every condition matches."""
    if ticket.is_internal:
        return None
    policies = active_policies()
    if not policies:
        return None
    levels = plan_levels_of(ticket, today) if any(p.plan_levels for p in policies) else set()
    return next((p for p in policies if policy_matches(p, ticket, plan_levels=levels)), None)


def _summary(ticket: Ticket) -> TicketSla:
    summary, _ = TicketSla.objects.get_or_create(ticket=ticket)
    return summary


def sla_ticket_created(ticket: Ticket, *, at: datetime) -> None:
    policy = policy_match(ticket, today=at.date())
    if policy is None:
        return  # no row: a later re-match (priority, department…) may still find one
    TicketSla.objects.update_or_create(ticket=ticket, defaults={"policy": policy})
    record_event(
        ticket=ticket,
        kind="sla.policy_matched",
        at=at,
        actor_name="SLA",
        after={"policy": policy.pk, "name": policy.name},
        note="ticket created",
    )
    math, rules = ClockMath(ticket, at), policy_rules(policy.pk)
    for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION):
        clock_start(ticket=ticket, policy=policy, kind=kind, at=at, math=math, rules=rules)
    if ticket.status in _paused_statuses(policy):
        sla_status_changed(ticket, at=at, before=S.NEW)


def sla_rematch(ticket: Ticket, *, at: datetime, reason: str) -> None:
    """A matching condition changed: apply the (maybe different) policy to the clocks."""
    summary = _summary(ticket)
    policy = policy_match(ticket, today=at.date())
    if policy is None or (summary.policy_id == policy.pk):
        if policy is not None:  # same policy, but the department (calendar) may differ
            _retarget_all(ticket, policy, at)
        return
    summary.policy = policy
    summary.save(update_fields=["policy"])
    record_event(
        ticket=ticket,
        kind="sla.policy_matched",
        at=at,
        actor_name="SLA",
        after={"policy": policy.pk, "name": policy.name},
        note=reason,
    )
    existing = {clock.kind for clock in ticket.sla_clocks.all()}
    _retarget_all(ticket, policy, at)
    math, rules = ClockMath(ticket, at), policy_rules(policy.pk)
    for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION):
        if kind not in existing and not (
            kind == ClockKind.FIRST_RESPONSE and ticket.first_responded_at
        ):
            clock_start(ticket=ticket, policy=policy, kind=kind, at=at, math=math, rules=rules)


def _retarget_all(ticket: Ticket, policy: SlaPolicy, at: datetime) -> None:
    math, rules = ClockMath(ticket, at), policy_rules(policy.pk)
    for clock in SlaClock.objects.select_for_update().filter(ticket=ticket):
        clock_retarget(clock, policy=policy, ticket=ticket, at=at, math=math, rules=rules)


def _paused_statuses(policy: SlaPolicy | None) -> set[str]:
    statuses: set[str] = {S.PENDING}
    if policy is not None and policy.pause_on_hold:
        statuses.add(S.ON_HOLD)
    return statuses


def sla_status_changed(ticket: Ticket, *, at: datetime, before: str) -> None:
    summary = _summary(ticket)
    policy = summary.policy
    if policy is None:
        return
    math, rules = ClockMath(ticket, at), policy_rules(policy.pk)
    clocks = list(SlaClock.objects.select_for_update().filter(ticket=ticket))
    status = ticket.status
    if status in (S.RESOLVED, S.CLOSED):
        for clock in clocks:
            if clock.kind == ClockKind.RESOLUTION:
                late = clock_meet(clock, ticket=ticket, at=at, math=math)
                if late:
                    summary.closed_late = True
                _store_handling_time(ticket, summary, math, at)
            elif clock.kind == ClockKind.NEXT_RESPONSE:
                clock_pause(clock, ticket=ticket, at=at, math=math, reason="resolved")
        summary.save()
        return
    if status == S.SPAM:
        for clock in clocks:
            clock_pause(clock, ticket=ticket, at=at, math=math, reason="marked as spam")
        return
    if status in _paused_statuses(policy):
        for clock in clocks:
            clock_pause(clock, ticket=ticket, at=at, math=math, reason=f"status {status}")
        return
    # active again: resume paused clocks; a reopened ticket's resolution clock runs again
    for clock in clocks:
        if clock.kind == ClockKind.RESOLUTION and clock.state == ClockState.MET:
            clock.state, clock.met_at = ClockState.PAUSED, None
            clock.save(update_fields=["state", "met_at"])
        clock_resume(clock, ticket=ticket, at=at, math=math, rules=rules, reason=f"status {status}")


def _store_handling_time(ticket: Ticket, summary: TicketSla, math: ClockMath, at: datetime) -> None:
    start = ticket.dispatched_at or ticket.created_at
    summary.handling_calendar_seconds = max(0, int((at - start).total_seconds()))
    from sla import business_time

    summary.handling_business_seconds = int(
        business_time.between(math.calendar, start, at).total_seconds()
    )


def sla_agent_replied(ticket: Ticket, *, at: datetime) -> None:
    """A public reply from the help desk meets the first and the next response."""
    math = ClockMath(ticket, at)
    for clock in SlaClock.objects.select_for_update().filter(
        ticket=ticket, kind__in=[ClockKind.FIRST_RESPONSE, ClockKind.NEXT_RESPONSE]
    ):
        clock_meet(clock, ticket=ticket, at=at, math=math)


def sla_customer_replied(ticket: Ticket, *, at: datetime) -> None:
    """After the first response, each customer reply starts the next-response clock."""
    summary = _summary(ticket)
    policy = summary.policy
    if policy is None or ticket.first_responded_at is None:
        return
    running = SlaClock.objects.filter(
        ticket=ticket, kind=ClockKind.NEXT_RESPONSE, state=ClockState.RUNNING
    ).exists()
    if running:
        return
    clock_start(
        ticket=ticket,
        policy=policy,
        kind=ClockKind.NEXT_RESPONSE,
        at=at,
        math=ClockMath(ticket, at),
        rules=policy_rules(policy.pk),
    )

"""Automatic assignment: who should get a new ticket.

The choice is a pure function over candidate snapshots (``choose_assignee``), so it can
be property-tested; ``assignee_suggest`` loads the snapshots for a ticket. Strategies,
per department: manual, round robin, least open load, and best fit — a score from skills
matching the category, the customer's language, the service area, and current load.
An organization's default engineer comes first when they are eligible. Never an
inactive, absent or fully loaded agent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, Q

from ticketing.models import Agent, AssignmentStrategy, Department, Ticket
from ticketing.models.tickets import ACTIVE_STATUSES

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Candidate:
    agent_id: int
    active: bool
    available: bool
    open_load: int
    max_open: int  # 0 = no limit
    skills: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    service_area: str = ""

    @property
    def has_capacity(self) -> bool:
        return self.max_open == 0 or self.open_load < self.max_open

    @property
    def eligible(self) -> bool:
        return self.active and self.available and self.has_capacity


@dataclass(frozen=True)
class TicketNeeds:
    skills: frozenset[str] = field(default_factory=frozenset)
    language: str = ""
    service_area: str = ""


def best_fit_score(candidate: Candidate, needs: TicketNeeds) -> float:
    score = 3.0 * len(candidate.skills & needs.skills)
    if needs.language and needs.language.split("-")[0] in {
        lang.split("-")[0] for lang in candidate.languages
    }:
        score += 2.0
    if needs.service_area and candidate.service_area.casefold() == needs.service_area.casefold():
        score += 2.0
    # Spread work: a fuller agent scores lower.
    capacity = candidate.max_open or 50
    score -= 2.0 * min(candidate.open_load / capacity, 1.0)
    return score


def choose_assignee(
    *,
    strategy: str,
    candidates: list[Candidate],
    needs: TicketNeeds,
    last_assigned_id: int | None = None,
    preferred_id: int | None = None,
) -> int | None:
    """The agent id to assign, or None (manual strategy, or nobody eligible)."""
    eligible = sorted((c for c in candidates if c.eligible), key=lambda c: c.agent_id)
    if preferred_id is not None:
        for candidate in eligible:
            if candidate.agent_id == preferred_id:
                return candidate.agent_id
    if strategy == AssignmentStrategy.MANUAL or not eligible:
        return None
    if strategy == AssignmentStrategy.ROUND_ROBIN:
        after = [c for c in eligible if last_assigned_id is None or c.agent_id > last_assigned_id]
        return (after or eligible)[0].agent_id
    if strategy == AssignmentStrategy.LEAST_LOADED:
        return min(eligible, key=lambda c: (c.open_load, c.agent_id)).agent_id
    return max(
        eligible, key=lambda c: (best_fit_score(c, needs), -c.open_load, -c.agent_id)
    ).agent_id


def is_available(agent: Agent, at: datetime) -> bool:
    """At work at ``at``: inside a weekly interval (in the agent's time zone, overnight
    intervals included) and not out of office."""
    away_from, away_until = agent.out_of_office_from, agent.out_of_office_until
    if away_from and away_from <= at and (away_until is None or at < away_until):
        return False
    try:
        zone = ZoneInfo(agent.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = at.astimezone(zone)
    minute = local.hour * 60 + local.minute
    today = WEEKDAYS[local.weekday()]
    yesterday = WEEKDAYS[(local - timedelta(days=1)).weekday()]
    schedule = agent.weekly_availability or {}
    for start, end in _intervals(schedule.get(today)):
        if start < end and start <= minute < end:
            return True
        if start >= end and minute >= start:  # overnight, evening part
            return True
    return any(start >= end and minute < end for start, end in _intervals(schedule.get(yesterday)))


def _intervals(raw: object) -> list[tuple[int, int]]:
    intervals = []
    for pair in raw or []:  # type: ignore[attr-defined]
        try:
            start, end = (_minutes(str(value)) for value in pair)
        except (TypeError, ValueError):
            continue
        intervals.append((start, end))
    return intervals


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    total = int(hours) * 60 + int(minutes)
    if not 0 <= total <= 24 * 60:
        raise ValueError(value)
    return total


def candidates_for(
    *, department: Department, at: datetime, extra: Agent | None = None
) -> list[tuple[Agent, Candidate]]:
    members = Q(departments=department)
    if extra is not None:
        members |= Q(pk=extra.pk)
    agents = Agent.objects.filter(members)
    agents = (
        agents.select_related("user")
        .annotate(
            open_load=Count(
                "assigned_tickets",
                filter=Q(assigned_tickets__status__in=ACTIVE_STATUSES),
                # the departments join repeats an agent who is in several departments
                distinct=True,
            )
        )
        .distinct()
    )
    return [
        (
            agent,
            Candidate(
                agent_id=agent.pk,
                active=agent.is_active and agent.user.is_active,
                available=is_available(agent, at),
                open_load=agent.open_load,
                max_open=agent.max_open_tickets,
                skills=frozenset(skill.casefold() for skill in agent.skills),
                languages=frozenset(agent.languages),
                service_area=agent.service_area,
            ),
        )
        for agent in agents
    ]


def ticket_needs(ticket: Ticket) -> TicketNeeds:
    requester = ticket.requester
    organization = requester.organization if requester else None
    return TicketNeeds(
        skills=frozenset(s.casefold() for s in (ticket.category.skills if ticket.category else [])),
        language=(requester.language if requester else "") or "",
        service_area=(requester.service_area if requester else "")
        or (organization.service_area if organization else ""),
    )


def assignee_suggest(*, ticket: Ticket, at: datetime, strategy: str | None = None) -> Agent | None:
    """Who the department's strategy (or ``strategy``) would assign ``ticket`` to now."""
    department = ticket.department
    requester = ticket.requester
    engineer = (
        requester.organization.default_engineer if requester and requester.organization else None
    )
    pairs = candidates_for(department=department, at=at, extra=engineer)
    chosen = choose_assignee(
        strategy=strategy or department.assignment_strategy,
        candidates=[candidate for _, candidate in pairs],
        needs=ticket_needs(ticket),
        last_assigned_id=department.last_assigned_agent_id,
        preferred_id=engineer.pk if engineer else None,
    )
    return next((agent for agent, _ in pairs if agent.pk == chosen), None)

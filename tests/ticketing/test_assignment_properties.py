"""Who automatic assignment picks: properties of the pure ``choose_assignee`` over
generated candidates, and examples of availability and suggestions on real agents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.conftest import TenantUnderTest
from tests.ticketing.factories import (
    AgentFactory,
    ContactFactory,
    DepartmentFactory,
    OrganizationFactory,
    UserFactory,
    make_ticket,
)
from ticketing.models import Agent, AssignmentStrategy, Contact, Department, Ticket
from ticketing.services.assignment import (
    Candidate,
    TicketNeeds,
    assignee_suggest,
    best_fit_score,
    candidates_for,
    choose_assignee,
    is_available,
)

STRATEGIES: list[str] = list(AssignmentStrategy.values)
AUTOMATIC: list[str] = [s for s in STRATEGIES if s != AssignmentStrategy.MANUAL]
SKILLS = st.frozensets(st.sampled_from(["printers", "network", "billing", "sap"]), max_size=3)
LANGUAGES = st.frozensets(st.sampled_from(["en", "fa", "pl", "zh-hans", "en-gb"]), max_size=2)
AREAS = st.sampled_from(["", "Tehran", "Warsaw", "tehran"])


@st.composite
def candidate(draw: st.DrawFn, agent_id: int) -> Candidate:
    return Candidate(
        agent_id=agent_id,
        active=draw(st.booleans()),
        available=draw(st.booleans()),
        open_load=draw(st.integers(min_value=0, max_value=12)),
        max_open=draw(st.integers(min_value=0, max_value=10)),
        skills=draw(SKILLS),
        languages=draw(LANGUAGES),
        service_area=draw(AREAS),
    )


@st.composite
def candidates(draw: st.DrawFn, min_size: int = 0) -> list[Candidate]:
    ids = draw(
        st.lists(st.integers(min_value=1, max_value=60), unique=True, min_size=min_size, max_size=8)
    )
    return [draw(candidate(agent_id)) for agent_id in ids]


NEEDS = st.builds(
    TicketNeeds, skills=SKILLS, language=st.sampled_from(["", "en", "fa-IR"]), service_area=AREAS
)
OPTIONAL_ID = st.none() | st.integers(min_value=0, max_value=61)


def _eligible(pool: list[Candidate]) -> list[Candidate]:
    return [c for c in pool if c.active and c.available and c.has_capacity]


def test_eligibility_is_active_available_and_below_capacity() -> None:
    base = Candidate(agent_id=1, active=True, available=True, open_load=2, max_open=3)
    assert base.eligible
    assert not Candidate(agent_id=1, active=False, available=True, open_load=0, max_open=3).eligible
    assert not Candidate(agent_id=1, active=True, available=False, open_load=0, max_open=3).eligible
    assert not Candidate(agent_id=1, active=True, available=True, open_load=3, max_open=3).eligible
    assert not Candidate(agent_id=1, active=True, available=True, open_load=4, max_open=3).eligible
    assert Candidate(agent_id=1, active=True, available=True, open_load=99, max_open=0).eligible


@given(
    strategy=st.sampled_from(STRATEGIES),
    pool=candidates(),
    needs=NEEDS,
    last_assigned_id=OPTIONAL_ID,
    preferred_id=OPTIONAL_ID,
)
def test_never_an_ineligible_agent_and_none_only_when_allowed(
    strategy: str,
    pool: list[Candidate],
    needs: TicketNeeds,
    last_assigned_id: int | None,
    preferred_id: int | None,
) -> None:
    chosen = choose_assignee(
        strategy=strategy,
        candidates=pool,
        needs=needs,
        last_assigned_id=last_assigned_id,
        preferred_id=preferred_id,
    )
    eligible_ids = {c.agent_id for c in _eligible(pool)}
    if chosen is not None:
        assert chosen in eligible_ids
    else:
        preferred_eligible = preferred_id in eligible_ids
        assert not eligible_ids or (
            strategy == AssignmentStrategy.MANUAL and not preferred_eligible
        )
    if strategy != AssignmentStrategy.MANUAL and eligible_ids:
        assert chosen is not None


@given(pool=candidates(), needs=NEEDS, last=OPTIONAL_ID)
def test_manual_leaves_the_ticket_unassigned_without_a_preferred_engineer(
    pool: list[Candidate], needs: TicketNeeds, last: int | None
) -> None:
    chosen = choose_assignee(
        strategy=AssignmentStrategy.MANUAL, candidates=pool, needs=needs, last_assigned_id=last
    )
    assert chosen is None


@given(pool=candidates(min_size=1), needs=NEEDS, last=OPTIONAL_ID)
def test_least_loaded_picks_a_minimum_load_eligible_agent(
    pool: list[Candidate], needs: TicketNeeds, last: int | None
) -> None:
    eligible = _eligible(pool)
    chosen = choose_assignee(
        strategy=AssignmentStrategy.LEAST_LOADED,
        candidates=pool,
        needs=needs,
        last_assigned_id=last,
    )
    if not eligible:
        assert chosen is None
        return
    by_id = {c.agent_id: c for c in eligible}
    assert chosen in by_id
    assert by_id[chosen].open_load == min(c.open_load for c in eligible)


@given(pool=candidates(min_size=1), needs=NEEDS)
def test_best_fit_picks_a_top_scoring_eligible_agent(
    pool: list[Candidate], needs: TicketNeeds
) -> None:
    eligible = _eligible(pool)
    chosen = choose_assignee(strategy=AssignmentStrategy.BEST_FIT, candidates=pool, needs=needs)
    if not eligible:
        assert chosen is None
        return
    by_id = {c.agent_id: c for c in eligible}
    assert chosen in by_id
    assert best_fit_score(by_id[chosen], needs) == max(best_fit_score(c, needs) for c in eligible)


@given(pool=candidates(min_size=1), needs=NEEDS, start=OPTIONAL_ID)
def test_round_robin_cycles_through_eligible_agents_in_id_order(
    pool: list[Candidate], needs: TicketNeeds, start: int | None
) -> None:
    eligible_ids = sorted(c.agent_id for c in _eligible(pool))
    assume(eligible_ids)
    picks: list[int] = []
    last = start
    for _ in range(2 * len(eligible_ids) + 1):
        chosen = choose_assignee(
            strategy=AssignmentStrategy.ROUND_ROBIN,
            candidates=pool,
            needs=needs,
            last_assigned_id=last,
        )
        assert chosen is not None
        picks.append(chosen)
        last = chosen
    # The first pick is the next eligible id after ``start`` (wrapping round)...
    after_start = [i for i in eligible_ids if start is None or i > start]
    assert picks[0] == (after_start or eligible_ids)[0]
    # ...and from there every eligible agent gets one ticket per round, in id order.
    offset = eligible_ids.index(picks[0])
    expected = [eligible_ids[(offset + k) % len(eligible_ids)] for k in range(len(picks))]
    assert picks == expected


@given(
    strategy=st.sampled_from(STRATEGIES),
    pool=candidates(min_size=1),
    needs=NEEDS,
    last=OPTIONAL_ID,
    data=st.data(),
)
def test_preferred_engineer_is_honoured_only_when_eligible(
    strategy: str, pool: list[Candidate], needs: TicketNeeds, last: int | None, data: st.DataObject
) -> None:
    preferred = data.draw(st.sampled_from(pool))
    chosen = choose_assignee(
        strategy=strategy,
        candidates=pool,
        needs=needs,
        last_assigned_id=last,
        preferred_id=preferred.agent_id,
    )
    if preferred.eligible:
        assert chosen == preferred.agent_id
    else:
        without_preference = choose_assignee(
            strategy=strategy, candidates=pool, needs=needs, last_assigned_id=last
        )
        assert chosen == without_preference


@given(strategy=st.sampled_from(STRATEGIES), pool=candidates(), needs=NEEDS, last=OPTIONAL_ID)
def test_the_order_candidates_arrive_in_does_not_matter(
    strategy: str, pool: list[Candidate], needs: TicketNeeds, last: int | None
) -> None:
    forwards = choose_assignee(
        strategy=strategy, candidates=pool, needs=needs, last_assigned_id=last
    )
    backwards = choose_assignee(
        strategy=strategy, candidates=pool[::-1], needs=needs, last_assigned_id=last
    )
    assert forwards == backwards


# --- availability on real agents -------------------------------------------------------------

TEHRAN = ZoneInfo("Asia/Tehran")  # UTC+03:30 all year since 2022


def _tehran(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Tehran wall-clock time, handed over as UTC like the services do."""
    return datetime(year, month, day, hour, minute, tzinfo=TEHRAN).astimezone(UTC)


def test_weekly_hours_are_read_in_the_agents_time_zone(in_alpha: TenantUnderTest) -> None:
    agent = AgentFactory.create(
        timezone="Asia/Tehran", weekly_availability={"mon": [["09:00", "17:00"]]}
    )
    # Monday 2024-01-08 in Tehran.
    assert not is_available(agent, _tehran(2024, 1, 8, 8, 59))
    assert is_available(agent, _tehran(2024, 1, 8, 9, 0))
    assert is_available(agent, _tehran(2024, 1, 8, 16, 59))
    assert not is_available(agent, _tehran(2024, 1, 8, 17, 0))
    assert not is_available(agent, _tehran(2024, 1, 9, 10, 0))  # Tuesday
    # 06:00 UTC on Monday is 09:30 in Tehran: at work, though 06:00 is outside 09–17.
    assert is_available(agent, datetime(2024, 1, 8, 6, 0, tzinfo=UTC))


def test_the_local_weekday_counts_not_the_utc_one(in_alpha: TenantUnderTest) -> None:
    agent = AgentFactory.create(
        timezone="Asia/Tehran", weekly_availability={"tue": [["00:00", "02:00"]]}
    )
    # Monday 21:00 UTC is already Tuesday 00:30 in Tehran.
    assert is_available(agent, datetime(2024, 1, 8, 21, 0, tzinfo=UTC))
    assert not is_available(agent, datetime(2024, 1, 9, 21, 0, tzinfo=UTC))  # Wednesday there


def test_overnight_interval_runs_into_the_next_morning(in_alpha: TenantUnderTest) -> None:
    agent = AgentFactory.create(
        timezone="Asia/Tehran", weekly_availability={"mon": [["22:00", "06:00"]]}
    )
    assert not is_available(agent, _tehran(2024, 1, 8, 21, 59))  # Monday evening, before
    assert is_available(agent, _tehran(2024, 1, 8, 22, 0))
    assert is_available(agent, _tehran(2024, 1, 8, 23, 30))
    assert is_available(agent, _tehran(2024, 1, 9, 5, 0))  # Tuesday morning
    assert not is_available(agent, _tehran(2024, 1, 9, 6, 0))
    assert not is_available(agent, _tehran(2024, 1, 9, 7, 0))
    assert not is_available(agent, _tehran(2024, 1, 8, 5, 0))  # Sunday night was free
    assert not is_available(agent, _tehran(2024, 1, 9, 23, 30))  # Tuesday evening too


def test_out_of_office_overrides_working_hours(in_alpha: TenantUnderTest) -> None:
    start = datetime(2024, 1, 8, 8, 0, tzinfo=UTC)
    agent = AgentFactory.create(
        out_of_office_from=start, out_of_office_until=start + timedelta(days=2)
    )
    assert is_available(agent, start - timedelta(minutes=1))
    assert not is_available(agent, start)
    assert not is_available(agent, start + timedelta(days=1))
    assert is_available(agent, start + timedelta(days=2))
    agent.out_of_office_until = None  # away until further notice
    assert not is_available(agent, start + timedelta(days=300))


def test_broken_settings_do_not_make_an_agent_available(in_alpha: TenantUnderTest) -> None:
    agent = AgentFactory.create(
        timezone="Nowhere/Land",
        weekly_availability={"mon": [["9am", "5pm"], ["25:00", "26:00"], ["10:00"]]},
    )
    assert not is_available(agent, datetime(2024, 1, 8, 10, 30, tzinfo=UTC))


# --- suggestions on real agents ------------------------------------------------------------

NOON_WEDNESDAY = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)


def _load(agent: Agent, count: int, department: Department) -> None:
    """Give ``agent`` ``count`` open tickets."""
    for _ in range(count):
        ticket = make_ticket(department=department, subject="Load")
        Ticket.objects.filter(pk=ticket.pk).update(assignee=agent, status="open")


@pytest.fixture
def unassigned(support: Department) -> Ticket:
    ticket: Ticket = make_ticket(department=support)
    assert ticket.assignee_id is None  # the department assigns manually
    return ticket


@pytest.fixture
def ineligible_agents(support: Department) -> list[Agent]:
    """Support agents created first (lowest ids) and idle, but never to be chosen."""
    inactive = AgentFactory.create(departments=[support], is_active=False)
    inactive_user = AgentFactory.create(
        departments=[support], user=UserFactory.create(is_active=False)
    )
    full = AgentFactory.create(departments=[support], max_open_tickets=1)
    _load(full, 1, support)
    off_hours = AgentFactory.create(
        departments=[support], weekly_availability={"sat": [["09:00", "17:00"]]}
    )
    away = AgentFactory.create(
        departments=[support],
        out_of_office_from=NOON_WEDNESDAY - timedelta(hours=1),
        out_of_office_until=NOON_WEDNESDAY + timedelta(hours=1),
    )
    return [inactive, inactive_user, full, off_hours, away]


@pytest.mark.parametrize("strategy", AUTOMATIC)
def test_suggestion_skips_inactive_full_and_absent_agents(
    strategy: str, support: Department, ineligible_agents: list[Agent]
) -> None:
    busy = AgentFactory.create(departments=[support], max_open_tickets=5)
    _load(busy, 2, support)
    ticket = make_ticket(department=support)
    assert assignee_suggest(ticket=ticket, at=NOON_WEDNESDAY, strategy=strategy) == busy
    assert all(a.pk < busy.pk for a in ineligible_agents)  # ineligible ones came first


def test_nobody_is_suggested_when_nobody_is_eligible(
    support: Department, ineligible_agents: list[Agent], unassigned: Ticket
) -> None:
    for strategy in STRATEGIES:
        assert assignee_suggest(ticket=unassigned, at=NOON_WEDNESDAY, strategy=strategy) is None


def test_organizations_default_engineer_is_preferred_when_eligible(
    support: Department, agent: Agent, engineer: Agent
) -> None:
    _load(engineer, 3, support)  # busier than the idle support agent
    organization = OrganizationFactory.create(default_engineer=engineer)
    ticket = make_ticket(
        department=support, requester=ContactFactory.create(organization=organization)
    )
    ticket.refresh_from_db()
    # The engineer is not in Support; the organization's preference brings them in, and
    # ticket creation already followed it.
    assert ticket.assignee == engineer
    for strategy in STRATEGIES:
        assert assignee_suggest(ticket=ticket, at=NOON_WEDNESDAY, strategy=strategy) == engineer

    Agent.objects.filter(pk=engineer.pk).update(
        out_of_office_from=NOON_WEDNESDAY - timedelta(days=1)
    )
    assert assignee_suggest(ticket=ticket, at=NOON_WEDNESDAY, strategy="least_loaded") == agent
    assert assignee_suggest(ticket=ticket, at=NOON_WEDNESDAY, strategy="manual") is None


def test_default_engineer_in_several_departments_has_their_real_load(
    support: Department, engineering: Department, agent: Agent
) -> None:
    """The organization's engineer may work in several departments (not this one); their
    open tickets count once each, so three of five does not look like a full desk."""
    engineer = AgentFactory.create(departments=[engineering], max_open_tickets=5)
    engineer.departments.add(DepartmentFactory.create(name="Field service"))
    _load(engineer, 3, support)
    organization = OrganizationFactory.create(default_engineer=engineer)
    requester = ContactFactory.create()
    ticket = make_ticket(department=support, requester=requester)
    Contact.objects.filter(pk=requester.pk).update(organization=organization)
    ticket = Ticket.objects.get(pk=ticket.pk)

    loads = {
        candidate.agent_id: candidate.open_load
        for _, candidate in candidates_for(department=support, at=NOON_WEDNESDAY, extra=engineer)
    }
    assert loads == {agent.pk: 0, engineer.pk: 3}
    assert assignee_suggest(ticket=ticket, at=NOON_WEDNESDAY, strategy="least_loaded") == engineer

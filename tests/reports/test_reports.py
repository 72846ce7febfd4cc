"""Report figures against values computed by hand on a small fixed data set, the
reports connection's tenant handling, CSV and SVG."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from django.db import connections
from django_tenants.utils import schema_context

from reports import charts, exports
from reports.db import REPORTS_ALIAS, fetch, reports_alias
from reports.errors import ReportRangeInvalid
from reports.selectors import (
    ReportRange,
    agent_breakdown,
    agent_performance,
    customer_summary,
    daily_volume_and_backlog,
    department_summary,
    sla_compliance,
)
from sla.models import ClockKind, ClockState, SlaClock, TicketSla
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import (
    CategoryFactory,
    ContactFactory,
    OrganizationFactory,
    make_ticket,
)
from ticketing.models import Agent, Department, SatisfactionRating, Ticket


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _ticket(department: Department, assignee: Agent | None, **times: object) -> Ticket:
    ticket = make_ticket(department=department, requester=times.pop("requester", None))
    Ticket.objects.filter(pk=ticket.pk).update(assignee=assignee, **times)
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def dataset(support: Department, engineering: Department, agent: Agent, colleague: Agent) -> dict:
    acme = OrganizationFactory(name="Acme")
    nadia = ContactFactory(full_name="Nadia", organization=acme)
    omar = ContactFactory(full_name="Omar")
    printers = CategoryFactory(name="Printers", default_department=support)
    t1 = _ticket(
        support,
        agent,
        requester=nadia,
        created_at=at(1, 9),
        dispatched_at=at(1, 9),
        first_responded_at=at(1, 9, 30),
        resolved_at=at(1, 11),
        status="resolved",
        ticket_type="incident",
        category=printers,
    )  # handling 7,200 s, first response 1,800 s
    t2 = _ticket(
        support,
        agent,
        requester=nadia,
        created_at=at(1, 10),
        dispatched_at=at(1, 10),
        first_responded_at=at(1, 10, 10),
        resolved_at=at(2, 10),
        status="resolved",
    )  # handling 86,400 s, first response 600 s
    t3 = _ticket(
        support,
        colleague,
        requester=omar,
        created_at=at(2, 8),
        dispatched_at=at(2, 9),
        first_responded_at=at(2, 9),
        resolved_at=at(2, 13),
        status="resolved",
    )  # handling (from dispatch) 14,400 s, first response 3,600 s
    t4 = _ticket(support, None, requester=omar, created_at=at(2, 15))  # still open
    _ticket(
        support,
        agent,
        created_at=at(20, 9, month=2),
        resolved_at=at(1, 12),
        status="resolved",
        dispatched_at=at(20, 9, month=2),
    )  # from February, resolved in range: 9 days + 3 h
    _ticket(engineering, None, created_at=at(1, 9))  # another department
    for ticket, score in ((t1, 5), (t2, 3), (t3, 4)):
        SatisfactionRating.objects.create(ticket=ticket, score=score, rated_at=at(2, 20))
    TicketSla.objects.update_or_create(
        ticket=t1, defaults={"handling_business_seconds": 3600, "closed_late": False}
    )
    TicketSla.objects.update_or_create(
        ticket=t2, defaults={"handling_business_seconds": 28800, "closed_late": True}
    )
    for ticket, kind, met, breached in (
        (t1, ClockKind.FIRST_RESPONSE, at(1, 9, 30), None),
        (t2, ClockKind.FIRST_RESPONSE, at(1, 10, 10), None),
        (t2, ClockKind.RESOLUTION, None, at(1, 18)),
        (t3, ClockKind.RESOLUTION, at(2, 13), None),
    ):
        SlaClock.objects.update_or_create(
            ticket=ticket, kind=kind,
            defaults={
                "business": True, "target_seconds": 3600, "started_at": at(1, 0),
                "state": ClockState.MET, "met_at": met, "breached_at": breached,
            },
        )  # fmt: skip
    return {"t4": t4, "nadia": nadia, "acme": acme}


def _range(department: Department | None = None) -> ReportRange:
    return ReportRange.build(
        start=date(2026, 3, 1),
        end=date(2026, 3, 2),
        department_id=department.pk if department else None,
        timezone="UTC",
    )


def test_agent_monthly_figures(dataset: dict, support: Department, agent: Agent) -> None:
    rows = agent_performance(report_range=_range(support), period="month")
    by_agent = {row["agent_id"]: row for row in rows}
    mine = by_agent[agent.pk]
    assert mine["period"] == date(2026, 3, 1)
    assert mine["handled"] == 3
    handling = sorted([7200, 86400, 9 * 86400 + 3 * 3600])
    assert mine["handling_avg"] == round(sum(handling) / 3)
    assert mine["handling_median"] == handling[1]
    assert mine["first_response_avg"] == 1200  # t5 never had a response
    assert mine["first_response_median"] == 1200
    assert mine["business_handling_avg"] == (3600 + 28800) // 2
    assert mine["business_handling_median"] == (3600 + 28800) // 2
    others = [row for row in rows if row["agent_id"] != agent.pk]
    assert [(r["handled"], r["handling_avg"], r["first_response_avg"]) for r in others] == [
        (1, 14400, 3600)
    ]


def test_agent_daily_and_sorting(dataset: dict, support: Department, agent: Agent) -> None:
    daily = agent_performance(report_range=_range(support), period="day", sort="handling")
    assert [(row["period"].day, row["agent_id"] == agent.pk, row["handled"]) for row in daily] == [
        (1, True, 2),
        (2, False, 1),
        (2, True, 1),
    ]
    by_count = agent_performance(report_range=_range(support), period="month", sort="count")
    assert [row["handled"] for row in by_count] == [3, 1]
    by_handling = agent_performance(report_range=_range(support), sort="handling")
    assert [row["handled"] for row in by_handling] == [1, 3]  # 4 h average before 3.4 days


def test_agent_breakdown_by_type_and_category(
    dataset: dict, support: Department, agent: Agent
) -> None:
    rows = agent_breakdown(report_range=_range(support))
    mine = {
        (r["ticket_type"], r["category"]): r["handled"] for r in rows if r["agent_id"] == agent.pk
    }
    assert mine == {("incident", "Printers"): 1, ("question", ""): 2}


def test_department_figures(dataset: dict, support: Department, engineering: Department) -> None:
    rows = {row["department"]: row for row in department_summary(report_range=_range())}
    assert rows["Support"]["created"] == 4
    assert rows["Support"]["resolved"] == 4
    assert rows["Support"]["closed_late"] == 1
    assert rows["Support"]["backlog_at_end"] == 1
    assert rows["Support"]["satisfaction_avg"] == 4.0
    assert rows["Support"]["ratings"] == 3
    assert rows["Engineering"]["created"] == 1
    only = department_summary(report_range=_range(engineering))
    assert [row["department"] for row in only] == ["Engineering"]


def test_backlog_over_time(dataset: dict, support: Department) -> None:
    rows = daily_volume_and_backlog(report_range=_range(support))
    assert [(r["day"].day, r["created"], r["resolved"], r["backlog"]) for r in rows] == [
        (1, 2, 2, 1),  # t5 from February was open at the start; t1 and t5 resolved
        (2, 2, 2, 1),  # t4 is left
    ]


def test_sla_compliance(dataset: dict, support: Department) -> None:
    rows = sla_compliance(report_range=_range(support))
    assert [(r["target"], r["met"], r["breached"], r["compliance"]) for r in rows] == [
        ("first_response", 2, 0, 100.0),
        ("resolution", 1, 1, 50.0),
    ]


def test_customer_and_organization_figures(dataset: dict, support: Department) -> None:
    customers = customer_summary(report_range=_range(support))
    nadia = next(row for row in customers if row["name"] == "Nadia")
    assert (nadia["tickets"], nadia["satisfaction_avg"], nadia["ratings"]) == (2, 4.0, 2)
    organizations = customer_summary(report_range=_range(support), by="organization")
    assert [(r["name"], r["tickets"], r["satisfaction_avg"]) for r in organizations] == [
        ("Acme", 2, 4.0)
    ]


def test_bad_ranges(in_alpha: TenantUnderTest) -> None:
    with pytest.raises(ReportRangeInvalid):
        ReportRange.build(start=date(2026, 3, 2), end=date(2026, 3, 1))
    with pytest.raises(ReportRangeInvalid):
        ReportRange.build(start=date(2020, 1, 1), end=date(2026, 1, 1))
    with pytest.raises(ReportRangeInvalid):
        agent_performance(report_range=_range(), period="year")


def test_csv_is_spreadsheet_safe() -> None:
    text = exports.rows_to_csv(
        columns=[("name", "Name"), ("n", "Tickets")],
        rows=[{"name": '=HYPERLINK("x")', "n": 2}, {"name": "نادیا 张", "n": None}],
    )
    assert text.startswith("\ufeffName,Tickets\r\n")
    assert "'=HYPERLINK" in text
    assert "نادیا 张," in text


def test_svg_charts_escape_labels() -> None:
    svg = charts.bar_chart(title="<b>", points=[("<script>", 3.0), ("b", 1.0)])
    assert svg.startswith("<svg")
    assert "<script>" not in svg
    line = charts.line_chart(title="Backlog", points=[("2026-03-01", 1), ("2026-03-02", 4)])
    assert "polyline" in line
    assert charts.line_chart(title="empty", points=[]).startswith("<svg")


@pytest.fixture
def reports_connection(tenant_a: TenantUnderTest, tenant_b: TenantUnderTest) -> Iterator[None]:
    """A second connection as REPORTS_DATABASE_URL would make (same server here), opened
    after the test database is set up, as a replica would be: outside the test's
    transaction, so it reads only committed rows."""
    connections.settings[REPORTS_ALIAS] = dict(connections["default"].settings_dict)
    replica = connections.create_connection(REPORTS_ALIAS)
    # Django's test case refuses aliases it was not told about; a connection it does not
    # know by name (like a replica opened by the code under test) is let through.
    replica.alias = "replica-under-test"
    connections[REPORTS_ALIAS] = replica
    connections[replica.alias] = replica  # found by name, yet not a configured alias
    try:
        yield
    finally:
        replica.close()
        del connections[REPORTS_ALIAS]
        del connections[replica.alias]
        del connections.settings[REPORTS_ALIAS]


def test_the_reports_connection_reads_the_current_tenant(
    reports_connection: None, tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    assert reports_alias() == REPORTS_ALIAS
    # the session tenants' admins are committed, so a second connection sees them
    sql = "SELECT u.email FROM ticketing_agent a JOIN accounts_user u ON u.id = a.user_id"
    for tenant in (tenant_a, tenant_b, tenant_a):
        with schema_context(tenant.tenant.schema_name):
            emails = {row["email"] for row in fetch(sql, {})}
            assert emails == {tenant.admin.email}
    with pytest.raises(RuntimeError):
        fetch(sql, {})  # public schema: no tenant, no report


def test_default_alias_without_replica() -> None:
    assert reports_alias() == "default"


def test_business_time_handling_from_the_sla_engine(support: Department, agent: Agent) -> None:
    """Dispatched Friday 16:00, resolved Monday 10:00 in a 09:00–17:00 week: two business
    hours, 66 calendar hours."""
    from django.db import transaction

    from sla.models import BusinessCalendar, SlaPolicy
    from sla.services import sla_status_changed

    BusinessCalendar.objects.create(
        name="Office", timezone="UTC", is_default=True,
        weekly_hours={d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    )  # fmt: skip
    SlaPolicy.objects.create(name="Business", resolution_minutes=8 * 60)
    friday, monday = at(6, 16), at(9, 10)
    ticket = _ticket(
        support, agent, created_at=friday, dispatched_at=friday, resolved_at=monday,
        status="resolved",
    )  # fmt: skip
    with transaction.atomic():
        sla_status_changed(ticket, at=monday, before="open")
    summary = TicketSla.objects.get(ticket=ticket)
    assert summary.handling_business_seconds == 2 * 3600
    rows = agent_performance(
        report_range=ReportRange.build(
            start=date(2026, 3, 9), end=date(2026, 3, 9), department_id=support.pk, timezone="UTC"
        )
    )
    assert [(r["handled"], r["handling_avg"], r["business_handling_avg"]) for r in rows] == [
        (1, 66 * 3600, 2 * 3600)
    ]

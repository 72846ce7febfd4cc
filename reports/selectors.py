"""Report figures, computed in SQL on the reports connection (``reports/db.py``).

Every report takes a :class:`ReportRange` (dates in the tenant's time zone, end date
included, optional department). Times are in seconds. Handling time runs from dispatch
(arrival in the department's queue) to resolution; first-response time from creation to
the first public reply. Business-time handling comes from the SLA engine's per-ticket
summary (``sla_ticketsla``), kept when the ticket is resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils.translation import gettext as _

from reports.db import fetch
from reports.errors import ReportRangeInvalid

MAX_RANGE_DAYS = 3 * 366
MAX_ROWS = 500
AGENT_SORTS = {
    "count": "handled DESC, agent",
    "-count": "handled ASC, agent",
    "handling": "handling_avg ASC NULLS LAST, agent",
    "-handling": "handling_avg DESC NULLS LAST, agent",
}


@dataclass(frozen=True)
class ReportRange:
    start: date
    end: date  # included
    department_id: int | None = None
    timezone: str = "UTC"

    @classmethod
    def build(
        cls,
        *,
        start: date,
        end: date,
        department_id: int | None = None,
        timezone: str | None = None,
    ) -> ReportRange:
        if end < start:
            raise ReportRangeInvalid(
                _("The end date is before the start date."),
                field_errors={"end": [_("The end date is before the start date.")]},
            )
        if (end - start).days > MAX_RANGE_DAYS:
            raise ReportRangeInvalid(
                _("Choose at most three years."),
                field_errors={"start": [_("Choose at most three years.")]},
            )
        tenant = getattr(connection, "tenant", None)
        zone = timezone or str(getattr(tenant, "timezone", "") or "UTC")
        return cls(start=start, end=end, department_id=department_id, timezone=zone)

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=ZoneInfo(self.timezone))

    @property
    def end_at(self) -> datetime:
        return datetime.combine(
            self.end + timedelta(days=1), time.min, tzinfo=ZoneInfo(self.timezone)
        )

    def params(self, **extra: Any) -> dict[str, Any]:
        return {
            "start": self.start_at,
            "end": self.end_at,
            "department": self.department_id,
            "tz": self.timezone,
            "first_day": self.start,
            "last_day": self.end,
            **extra,
        }


_DEPARTMENT = "(%(department)s::bigint IS NULL OR t.department_id = %(department)s::bigint)"
_HANDLING = "extract(epoch FROM t.resolved_at - coalesce(t.dispatched_at, t.created_at))"
_FIRST_RESPONSE = "extract(epoch FROM t.first_responded_at - t.created_at)"
_COUNTED = "t.merged_into_id IS NULL AND t.status <> 'spam'"


def agent_performance(
    *, report_range: ReportRange, period: str = "month", sort: str = "count"
) -> list[dict[str, Any]]:
    """Per agent and day or month: tickets resolved, handling and first-response times
    (average and median; handling also in business time)."""
    if period not in ("day", "month"):
        raise ReportRangeInvalid(_("Choose daily or monthly."))
    order = AGENT_SORTS.get(sort, AGENT_SORTS["count"])
    sql = f"""
        SELECT date_trunc(%(period)s, t.resolved_at AT TIME ZONE %(tz)s)::date AS period,
               t.assignee_id AS agent_id,
               coalesce(nullif(u.full_name, ''), u.email) AS agent,
               count(*) AS handled,
               avg({_HANDLING}) AS handling_avg,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {_HANDLING}) AS handling_median,
               avg(s.handling_business_seconds) AS business_handling_avg,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY s.handling_business_seconds)
                   AS business_handling_median,
               avg({_FIRST_RESPONSE}) AS first_response_avg,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {_FIRST_RESPONSE})
                   AS first_response_median
        FROM ticketing_ticket t
        JOIN ticketing_agent a ON a.id = t.assignee_id
        JOIN accounts_user u ON u.id = a.user_id
        LEFT JOIN sla_ticketsla s ON s.ticket_id = t.id
        WHERE t.resolved_at >= %(start)s AND t.resolved_at < %(end)s
          AND {_COUNTED} AND {_DEPARTMENT}
        GROUP BY 1, 2, 3
        ORDER BY 1, {order}
        LIMIT {MAX_ROWS * 40}
    """
    return _seconds(fetch(sql, report_range.params(period=period)))


def agent_breakdown(*, report_range: ReportRange) -> list[dict[str, Any]]:
    """Per agent: resolved tickets by type and service category."""
    sql = f"""
        SELECT t.assignee_id AS agent_id,
               coalesce(nullif(u.full_name, ''), u.email) AS agent,
               t.ticket_type, coalesce(c.name, '') AS category,
               count(*) AS handled
        FROM ticketing_ticket t
        JOIN ticketing_agent a ON a.id = t.assignee_id
        JOIN accounts_user u ON u.id = a.user_id
        LEFT JOIN ticketing_category c ON c.id = t.category_id
        WHERE t.resolved_at >= %(start)s AND t.resolved_at < %(end)s
          AND {_COUNTED} AND {_DEPARTMENT}
        GROUP BY 1, 2, 3, 4
        ORDER BY agent, handled DESC, t.ticket_type, category
        LIMIT {MAX_ROWS * 10}
    """
    return fetch(sql, report_range.params())


def department_summary(*, report_range: ReportRange) -> list[dict[str, Any]]:
    """Per department: tickets created, resolved, closed late, open at the end, and the
    customers' satisfaction."""
    params = report_range.params()
    department = "(%(department)s::bigint IS NULL OR d.id = %(department)s::bigint)"
    sql = f"""
        SELECT d.id AS department_id, d.name AS department,
            (SELECT count(*) FROM ticketing_ticket t WHERE t.department_id = d.id
               AND t.created_at >= %(start)s AND t.created_at < %(end)s AND {_COUNTED})
               AS created,
            (SELECT count(*) FROM ticketing_ticket t WHERE t.department_id = d.id
               AND t.resolved_at >= %(start)s AND t.resolved_at < %(end)s AND {_COUNTED})
               AS resolved,
            (SELECT count(*) FROM ticketing_ticket t JOIN sla_ticketsla s ON s.ticket_id = t.id
               WHERE t.department_id = d.id AND s.closed_late
               AND t.resolved_at >= %(start)s AND t.resolved_at < %(end)s AND {_COUNTED})
               AS closed_late,
            (SELECT count(*) FROM ticketing_ticket t WHERE t.department_id = d.id
               AND t.created_at < %(end)s AND (t.resolved_at IS NULL OR t.resolved_at >= %(end)s)
               AND {_COUNTED}) AS backlog_at_end,
            (SELECT avg(r.score) FROM ticketing_satisfactionrating r
               JOIN ticketing_ticket t ON t.id = r.ticket_id
               WHERE t.department_id = d.id AND r.rated_at >= %(start)s
               AND r.rated_at < %(end)s) AS satisfaction_avg,
            (SELECT count(*) FROM ticketing_satisfactionrating r
               JOIN ticketing_ticket t ON t.id = r.ticket_id
               WHERE t.department_id = d.id AND r.rated_at >= %(start)s
               AND r.rated_at < %(end)s) AS ratings
        FROM ticketing_department d
        WHERE {department}
        ORDER BY d.name
    """
    rows = fetch(sql, params)
    for row in rows:
        if row["satisfaction_avg"] is not None:
            row["satisfaction_avg"] = round(float(row["satisfaction_avg"]), 2)
    return rows


def sla_compliance(*, report_range: ReportRange) -> list[dict[str, Any]]:
    """Per department and target (first response, next response, resolution): clocks
    that finished in the range in time (met) and those that breached."""
    sql = f"""
        SELECT d.id AS department_id, d.name AS department, c.kind AS target,
               count(*) FILTER (WHERE c.breached_at IS NULL) AS met,
               count(*) FILTER (WHERE c.breached_at IS NOT NULL) AS breached
        FROM sla_slaclock c
        JOIN ticketing_ticket t ON t.id = c.ticket_id
        JOIN ticketing_department d ON d.id = t.department_id
        WHERE ((c.breached_at >= %(start)s AND c.breached_at < %(end)s)
               OR (c.breached_at IS NULL AND c.met_at >= %(start)s AND c.met_at < %(end)s))
          AND {_COUNTED} AND {_DEPARTMENT}
        GROUP BY 1, 2, 3
        ORDER BY 2, 3
    """
    rows = fetch(sql, report_range.params())
    for row in rows:
        total = row["met"] + row["breached"]
        row["compliance"] = round(100.0 * row["met"] / total, 1) if total else None
    return rows


def daily_volume_and_backlog(*, report_range: ReportRange) -> list[dict[str, Any]]:
    """For each day: tickets created, tickets resolved, and the backlog (created and not
    resolved) at the end of the day. Backlog = all created so far − all resolved so far."""
    sql = f"""
        WITH days AS (
            SELECT generate_series(%(first_day)s::date, %(last_day)s::date, interval '1 day')::date
                AS day
        ),
        created AS (
            SELECT (t.created_at AT TIME ZONE %(tz)s)::date AS day, count(*) AS n
            FROM ticketing_ticket t
            WHERE t.created_at >= %(start)s AND t.created_at < %(end)s
              AND {_COUNTED} AND {_DEPARTMENT}
            GROUP BY 1
        ),
        resolved AS (
            SELECT (t.resolved_at AT TIME ZONE %(tz)s)::date AS day, count(*) AS n
            FROM ticketing_ticket t
            WHERE t.resolved_at >= %(start)s AND t.resolved_at < %(end)s
              AND {_COUNTED} AND {_DEPARTMENT}
            GROUP BY 1
        ),
        before AS (
            SELECT
              (SELECT count(*) FROM ticketing_ticket t
                WHERE t.created_at < %(start)s AND {_COUNTED} AND {_DEPARTMENT}) -
              (SELECT count(*) FROM ticketing_ticket t
                WHERE t.resolved_at < %(start)s AND {_COUNTED} AND {_DEPARTMENT}) AS open
        )
        SELECT days.day,
               coalesce(created.n, 0) AS created,
               coalesce(resolved.n, 0) AS resolved,
               (SELECT open FROM before)
                 + sum(coalesce(created.n, 0) - coalesce(resolved.n, 0))
                   OVER (ORDER BY days.day) AS backlog
        FROM days
        LEFT JOIN created ON created.day = days.day
        LEFT JOIN resolved ON resolved.day = days.day
        ORDER BY days.day
    """
    rows = fetch(sql, report_range.params())
    for row in rows:
        row["backlog"] = int(row["backlog"])
    return rows


def customer_summary(*, report_range: ReportRange, by: str = "contact") -> list[dict[str, Any]]:
    """Tickets opened in the range and satisfaction, per customer or per organization."""
    if by == "organization":
        key, name, join = (
            "o.id",
            "o.name",
            "JOIN ticketing_contact p ON p.id = t.requester_id "
            "JOIN ticketing_organization o ON o.id = p.organization_id",
        )
    else:
        key, name, join = (
            "p.id",
            "coalesce(nullif(p.full_name, ''), p.email)",
            "JOIN ticketing_contact p ON p.id = t.requester_id",
        )
    sql = f"""
        SELECT {key} AS id, {name} AS name, count(*) AS tickets,
               avg(r.score) AS satisfaction_avg, count(r.id) AS ratings
        FROM ticketing_ticket t
        {join}
        LEFT JOIN ticketing_satisfactionrating r ON r.ticket_id = t.id
        WHERE t.created_at >= %(start)s AND t.created_at < %(end)s
          AND {_COUNTED} AND {_DEPARTMENT}
        GROUP BY 1, 2
        ORDER BY tickets DESC, name
        LIMIT {MAX_ROWS}
    """
    rows = fetch(sql, report_range.params())
    for row in rows:
        if row["satisfaction_avg"] is not None:
            row["satisfaction_avg"] = round(float(row["satisfaction_avg"]), 2)
    return rows


def _seconds(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        for key, value in row.items():
            if key.endswith(("_avg", "_median")) and value is not None:
                row[key] = round(float(value))
    return rows

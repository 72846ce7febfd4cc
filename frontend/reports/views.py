"""Report pages of the console: per agent, per department, per customer. Date range and
department filter on each, SVG charts drawn here, CSV of every table. Supervisors see
the departments they manage; tenant admins see all."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontend.base_views import StaffView
from frontend.reports.forms import ReportFilterForm
from reports import charts, exports
from reports import selectors as report
from reports.errors import ReportRangeInvalid
from ticketing.models import AgentRole, Department

Columns = list[tuple[str, str]]


REPORTS: dict[str, Any] = {
    "agents": gettext_lazy("Agents"),
    "departments": gettext_lazy("Departments"),
    "customers": gettext_lazy("Customers"),
}


def _tables(
    name: str, rng: report.ReportRange, data: dict[str, Any]
) -> dict[str, tuple[Columns, list[dict[str, Any]]]]:
    if name == "agents":
        return {
            "performance": (
                [
                    ("period", _("Period")),
                    ("agent", _("Agent")),
                    ("handled", _("Tickets handled")),
                    ("handling_avg", _("Average handling (s)")),
                    ("handling_median", _("Median handling (s)")),
                    ("business_handling_avg", _("Average handling, business time (s)")),
                    ("business_handling_median", _("Median handling, business time (s)")),
                    ("first_response_avg", _("Average first response (s)")),
                    ("first_response_median", _("Median first response (s)")),
                ],
                report.agent_performance(
                    report_range=rng,
                    period=data.get("period") or "month",
                    sort=data.get("sort") or "count",
                ),
            ),
            "by_type_and_category": (
                [
                    ("agent", _("Agent")),
                    ("ticket_type", _("Type")),
                    ("category", _("Category")),
                    ("handled", _("Tickets handled")),
                ],
                report.agent_breakdown(report_range=rng),
            ),
        }
    if name == "departments":
        return {
            "summary": (
                [
                    ("department", _("Department")),
                    ("created", _("Created")),
                    ("resolved", _("Resolved")),
                    ("closed_late", _("Closed late")),
                    ("backlog_at_end", _("Open at the end")),
                    ("satisfaction_avg", _("Satisfaction")),
                    ("ratings", _("Ratings")),
                ],
                report.department_summary(report_range=rng),
            ),
            "sla": (
                [
                    ("department", _("Department")),
                    ("target", _("Target")),
                    ("met", _("Met")),
                    ("breached", _("Breached")),
                    ("compliance", _("Compliance (%)")),
                ],
                report.sla_compliance(report_range=rng),
            ),
            "daily": (
                [
                    ("day", _("Day")),
                    ("created", _("Created")),
                    ("resolved", _("Resolved")),
                    ("backlog", _("Backlog")),
                ],
                report.daily_volume_and_backlog(report_range=rng),
            ),
        }
    return {
        "customers": (
            [
                ("name", _("Customer")),
                ("tickets", _("Tickets")),
                ("satisfaction_avg", _("Satisfaction")),
                ("ratings", _("Ratings")),
            ],
            report.customer_summary(report_range=rng),
        ),
        "organizations": (
            [
                ("name", _("Organization")),
                ("tickets", _("Tickets")),
                ("satisfaction_avg", _("Satisfaction")),
                ("ratings", _("Ratings")),
            ],
            report.customer_summary(report_range=rng, by="organization"),
        ),
    }


def _charts(name: str, tables: dict[str, tuple[Columns, list[dict[str, Any]]]]) -> list[str]:
    if name == "agents":
        totals: dict[str, float] = {}
        for row in tables["performance"][1]:
            totals[row["agent"]] = totals.get(row["agent"], 0) + row["handled"]
        return [
            charts.bar_chart(title=_("Tickets handled per agent"), points=list(totals.items())[:30])
        ]
    if name == "departments":
        daily = tables["daily"][1]
        return [
            charts.line_chart(
                title=_("Backlog at the end of each day"),
                points=[(str(r["day"]), r["backlog"]) for r in daily],
            ),
            charts.bar_chart(
                title=_("Tickets created per day"),
                points=[(str(r["day"])[5:], r["created"]) for r in daily],
            ),
        ]
    rows = tables["customers"][1][:15]
    return [
        charts.bar_chart(
            title=_("Tickets per customer"), points=[(str(r["name"]), r["tickets"]) for r in rows]
        )
    ]


class ReportView(StaffView):
    minimum_role: ClassVar[str] = AgentRole.SUPERVISOR

    def _departments(self) -> list[Department]:
        departments = Department.objects.order_by("name")
        if self.agent.role != AgentRole.ADMIN:
            departments = departments.filter(pk__in=self.agent.supervised_departments.values("pk"))
        return list(departments)

    def get(self, request: HttpRequest, name: str = "agents") -> HttpResponse:
        if name not in REPORTS:
            raise Http404
        allowed = self._departments()
        is_admin = self.agent.role == AgentRole.ADMIN
        if not allowed and not is_admin:
            raise PermissionDenied
        form = ReportFilterForm({**ReportFilterForm.defaults(), **request.GET.dict()})
        choices: list[tuple[Any, str]] = [(d.pk, d.name) for d in allowed]
        form.fields["department"].choices = (  # type: ignore[attr-defined]
            [("", _("All departments"))] if is_admin else []
        ) + choices
        context: dict[str, Any] = {"form": form, "name": name, "reports": REPORTS}
        status = 200
        if form.is_valid():
            data = form.cleaned_data
            department = data.get("department")
            if department is None and not is_admin:
                department = allowed[0].pk
            try:
                rng = report.ReportRange.build(
                    start=data["start"], end=data["end"], department_id=department
                )
            except ReportRangeInvalid as error:
                for field, problems in error.field_errors.items():
                    for problem in problems:
                        form.add_error(field, problem)
                status = 422
            else:
                tables = _tables(name, rng, data)
                wanted = request.GET.get("table")
                if request.GET.get("format") == "csv":
                    return self._csv(name, wanted, tables, rng)
                context["tables"] = [
                    {
                        "key": key,
                        "columns": columns,
                        "rows": [[row.get(k) for k, _h in columns] for row in rows],
                    }
                    for key, (columns, rows) in tables.items()
                ]
                context["charts"] = [mark_safe(svg) for svg in _charts(name, tables)]  # noqa: S308 — built by reports.charts with every text escaped
                context["query"] = request.GET.urlencode()
        else:
            status = 422
        return render(request, "reports/report.html", context, status=status)

    def _csv(
        self, name: str, wanted: str | None, tables: dict[str, Any], rng: report.ReportRange
    ) -> HttpResponse:
        if wanted not in tables:
            raise Http404
        columns, rows = tables[wanted]
        response = HttpResponse(
            exports.rows_to_csv(columns=columns, rows=rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{name}-{wanted}-{rng.start}-{rng.end}.csv"'
        )
        return response

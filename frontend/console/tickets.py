"""The console's ticket lists: filters, sorting, search, waiting time and bulk actions.
The list runs a bounded number of queries whatever the number of tickets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Value
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import View

from frontend.base_views import StaffView
from frontend.console.forms import PRESETS, BulkForm, SavedViewForm, TicketFilterForm
from frontend.console.queries import tickets_search, tickets_sorted
from frontend.domain_errors import is_htmx
from sla.selectors import at_risk_condition
from ticketing import permissions
from ticketing.errors import TicketingError
from ticketing.models import Agent, Ticket
from ticketing.models.tickets import ACTIVE_STATUSES
from ticketing.selectors import saved_views_visible, ticket_get, ticket_list, waiting_since
from ticketing.services import operations

PAGE_SIZE = 50


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def tickets_filtered(agent: Agent, params: Mapping[str, str], *, now: datetime) -> Any:
    """The tickets ``params`` (the list's query parameters, as a saved view stores them)
    select, unsorted. Values that do not parse are ignored, as on the list."""
    filters: dict[str, Any] = {}
    for key in ("department", "priority", "category", "product"):
        if (pk := _int(params.get(key))) is not None:
            filters[key] = pk
    if params.get("tag"):
        filters["tag"] = params["tag"]
    for key in ("created_after", "created_before"):
        if (day := _day(params.get(key))) is not None:
            filters[key] = day
    status = params.get("status") or ""
    if status and status != "all":
        filters["status"] = status
    assignee = params.get("assignee") or ""
    if assignee == "me":
        filters["assignee"] = agent.pk
    elif assignee.isdigit():
        filters["assignee"] = int(assignee)
    tickets = ticket_list(agent=agent, filters=filters)
    if not status:
        tickets = tickets.filter(status__in=ACTIVE_STATUSES)
    if assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    preset = params.get("preset") or ""
    if preset == "mine":
        tickets = tickets.filter(assignee_id=agent.pk)
    elif preset == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
        if not agent.is_admin:
            tickets = tickets.filter(department_id__in=permissions.department_ids(agent))
    elif preset == "at_risk":
        tickets = tickets.filter(at_risk_condition(at=now))
    return tickets_search(tickets=tickets, query=params.get("q") or "")


def filtered_tickets(agent: Agent, form: TicketFilterForm) -> Any:
    params = form.params()
    tickets = tickets_filtered(agent, params, now=timezone.now())
    default_sort = "sla" if params.get("preset") == "at_risk" else "priority"
    return tickets_sorted(tickets=tickets, sort=params.get("sort") or default_sort)


@dataclass(frozen=True)
class ViewLink:
    key: str
    name: str
    url: str
    count: int
    shared: bool = False


#: Saved views listed beside the ticket list (each adds one branch to the count query).
VIEWS_LISTED = 30


def view_links(agent: Agent, *, now: datetime) -> list[ViewLink]:
    """The built-in views and the saved views the agent sees, each with the number of
    tickets it shows — all counted in one query."""
    entries: list[tuple[str, str, dict[str, str], bool]] = [
        (key, str(label), {"preset": key}, False) for key, label in PRESETS
    ]
    for view in saved_views_visible(agent=agent)[:VIEWS_LISTED]:
        entries.append((str(view.pk), view.name, dict(view.filters), view.owner_id != agent.pk))
    parts = [
        tickets_filtered(agent, params, now=now)
        .order_by()
        .annotate(view_key=Value(key))
        .values("view_key")
        .annotate(total=Count("pk"))
        for key, _name, params, _shared in entries
    ]
    counts = {row["view_key"]: row["total"] for row in parts[0].union(*parts[1:], all=True)}
    links = []
    for key, name, params, shared in entries:
        query = {**params, "view": key}
        links.append(
            ViewLink(key, name, f"/console/tickets/?{urlencode(query)}", counts.get(key, 0), shared)
        )
    return links


class TicketListView(StaffView, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = TicketFilterForm(request.GET or None)
        tickets = filtered_tickets(self.agent, form)
        page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
        now = timezone.now()
        rows = list(page.object_list)
        for ticket in rows:
            ticket.waiting_from = waiting_since(ticket)
        query = request.GET.copy()
        query.pop("page", None)
        saved_query = query.copy()
        saved_query.pop("view", None)
        context = {
            "form": form,
            "page": page,
            "tickets": rows,
            "query": query.urlencode(),
            "bulk": BulkForm(ticket_ids=[t.pk for t in rows], auto_id="id_bulk_%s"),
            "now": now,
        }
        if is_htmx(request):
            return render(request, "console/_ticket_table.html", context)
        context.update(
            views=view_links(self.agent, now=now),
            current_view=request.GET.get("view", ""),
            save_form=SavedViewForm(
                initial={"filters": saved_query.urlencode()}, auto_id="id_save_%s"
            ),
        )
        return render(request, "console/ticket_list.html", context)


class BulkActionView(StaffView, View):
    """Applies one action to the selected tickets, each through its service; a ticket
    that refuses (locked, not allowed) is reported and the others still change."""

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = [int(v) for v in request.POST.getlist("tickets") if v.isdigit()][:PAGE_SIZE]
        form = BulkForm(request.POST, ticket_ids=ids)
        back = request.POST.get("next", "/console/tickets/")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "/console/tickets/"
        if not form.is_valid():
            messages.error(request, _("Choose tickets and an action."))
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        tickets = [t for pk in ids if (t := ticket_get(agent=self.agent, pk=pk)) is not None]
        done, failed = 0, []
        action = data["action"]
        if action == "merge":
            tickets.sort(key=lambda t: t.created_at)
            for ticket in tickets[1:]:
                try:
                    operations.ticket_merge(
                        source=ticket, target=tickets[0], actor=self.agent, note=data["reason"]
                    )
                    done += 1
                except TicketingError as error:
                    failed.append(f"{ticket.reference}: {error.message}")
        else:
            for ticket in tickets:
                try:
                    self._apply(action, ticket, data)
                    done += 1
                except TicketingError as error:
                    failed.append(f"{ticket.reference}: {error.message}")
        if done:
            messages.success(
                request,
                ngettext("%(count)d ticket changed.", "%(count)d tickets changed.", done)
                % {"count": done},
            )
        for line in failed:
            messages.error(request, line)
        return HttpResponseRedirect(back)

    def _apply(self, action: str, ticket: Ticket, data: dict[str, Any]) -> None:
        if action == "assign":
            operations.ticket_assign(ticket=ticket, assignee=data.get("assignee"), actor=self.agent)
        elif action == "transfer":
            operations.ticket_transfer(
                ticket=ticket,
                actor=self.agent,
                to_department=data.get("department"),
                to_agent=data.get("assignee"),
                reason=data.get("reason", ""),
            )
        elif action == "status":
            operations.ticket_change_status(
                ticket=ticket, status=data.get("status") or "", actor=self.agent
            )

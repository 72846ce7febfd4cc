"""The console's ticket lists: filters, sorting, search, waiting time and bulk actions.
The list runs a bounded number of queries whatever the number of tickets."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import View

from frontend.base_views import StaffView
from frontend.console.forms import BulkForm, TicketFilterForm
from frontend.console.queries import tickets_search, tickets_sorted
from frontend.domain_errors import is_htmx
from ticketing.errors import TicketingError
from ticketing.models import Agent, Ticket
from ticketing.models.tickets import ACTIVE_STATUSES
from ticketing.selectors import ticket_get, ticket_list, waiting_since
from ticketing.services import operations

PAGE_SIZE = 50


def filtered_tickets(agent: Agent, form: TicketFilterForm) -> Any:
    data = form.cleaned_data if form.is_valid() else {}
    filters: dict[str, Any] = {}
    for key in ("department", "priority", "category", "product"):
        if data.get(key) is not None:
            filters[key] = data[key].pk
    for key in ("tag", "created_after", "created_before"):
        if data.get(key):
            filters[key] = data[key]
    status = data.get("status") or ""
    if status and status != "all":
        filters["status"] = status
    assignee = data.get("assignee") or ""
    if assignee == "me":
        filters["assignee"] = agent.pk
    elif assignee.isdigit():
        filters["assignee"] = int(assignee)
    tickets = ticket_list(agent=agent, filters=filters)
    if not status:
        tickets = tickets.filter(status__in=ACTIVE_STATUSES)
    if assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    tickets = tickets_search(tickets=tickets, query=data.get("q") or "")
    return tickets_sorted(tickets=tickets, sort=data.get("sort") or "priority")


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
        context = {
            "form": form,
            "page": page,
            "tickets": rows,
            "query": query.urlencode(),
            "bulk": BulkForm(ticket_ids=[t.pk for t in rows], auto_id="id_bulk_%s"),
            "now": now,
        }
        template = "console/_ticket_table.html" if is_htmx(request) else "console/ticket_list.html"
        return render(request, template, context)


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

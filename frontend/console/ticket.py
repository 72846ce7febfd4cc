"""One ticket in the console: the conversation, notes, files, timeline and SLA clocks,
and every action an agent takes on it. Each action is a POST to its own URL that calls
one service; a domain error comes back as a form error on the same page, with what the
agent typed kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import View

from frontend.base_views import StaffView
from frontend.console import forms as console_forms
from frontend.console.timeline import describe
from frontend.domain_errors import add_domain_error
from sla.models import ClockKind
from sla.selectors import ticket_clocks
from ticketing import permissions
from ticketing.errors import InvalidInput, TicketingError
from ticketing.models import Agent, Message, Ticket
from ticketing.selectors import (
    ticket_by_number,
    ticket_conversation,
    ticket_timeline,
    waiting_since,
)
from ticketing.services import conversation, operations
from ticketing.services.canned import canned_render, canned_responses_for

FORM_CLASSES: dict[str, type[forms.Form]] = {
    "reply": console_forms.ReplyForm,
    "note": console_forms.NoteForm,
    "transfer": console_forms.TransferForm,
    "assign": console_forms.AssignForm,
    "status": console_forms.StatusForm,
    "priority": console_forms.PriorityForm,
    "merge": console_forms.TicketNumberForm,
    "link": console_forms.TicketNumberForm,
    "forward": console_forms.ForwardForm,
}


def ticket_for(agent: Agent, number: int) -> Ticket:
    """The ticket if this agent may see it; a 404 otherwise (no hint that it exists)."""
    ticket = ticket_by_number(agent=agent, number=number)
    if ticket is None:
        raise Http404
    return ticket


def latest_message_id(ticket: Ticket) -> int:
    return ticket.messages.order_by("-pk").values_list("pk", flat=True).first() or 0


def newer_messages(ticket: Ticket, *, seen: int, agent: Agent) -> list[Message]:
    """What colleagues or the customer wrote after the agent loaded the page."""
    return list(
        ticket.messages.filter(pk__gt=seen)
        .exclude(author_id=agent.user_id)
        .order_by("created_at", "pk")
    )


def lock_holder(ticket: Ticket, agent: Agent) -> Agent | None:
    """The colleague who holds a live lock on the ticket, if any."""
    if (
        ticket.locked_by_id is not None
        and ticket.locked_by_id != agent.pk
        and ticket.locked_until is not None
        and ticket.locked_until > timezone.now()
    ):
        return ticket.locked_by
    return None


def ticket_page_context(
    request: HttpRequest, agent: Agent, ticket: Ticket, bound: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    bound = bound or {}
    now = timezone.now()
    seen = latest_message_id(ticket)
    initial_reply: dict[str, Any] = {"last_seen": seen}
    canned_id = request.GET.get("canned", "")
    if canned_id.isdigit():
        response = next(
            (c for c in canned_responses_for(agent, ticket) if c.pk == int(canned_id)), None
        )
        if response is not None:
            initial_reply["body"] = canned_render(response=response, ticket=ticket, agent=agent)
    page_forms: dict[str, forms.Form] = {
        "reply": console_forms.ReplyForm(initial=initial_reply),
        "note": console_forms.NoteForm(initial={"last_seen": seen}),
        "transfer": console_forms.TransferForm(),
        "assign": console_forms.AssignForm(initial={"assignee": ticket.assignee_id}),
        "status": console_forms.StatusForm(initial={"status": ticket.status}),
        "priority": console_forms.PriorityForm(initial={"priority": ticket.priority_id}),
        "merge": console_forms.TicketNumberForm(auto_id="id_merge_%s"),
        "link": console_forms.TicketNumberForm(auto_id="id_link_%s"),
        "forward": console_forms.ForwardForm(),
    }
    page_forms.update(bound)
    clock_names = dict(ClockKind.choices)
    clocks = [
        {"view": clock, "name": clock_names.get(clock.kind, clock.kind)}
        for clock in ticket_clocks(ticket=ticket, at=now, viewer_timezone=agent.timezone)
    ]
    return {
        "ticket": ticket,
        "conversation": list(ticket_conversation(ticket=ticket, include_internal=True)),
        "attachments": list(ticket.attachments.filter(message__isnull=True)),
        "timeline": describe(ticket_timeline(ticket=ticket)),
        "clocks": clocks,
        "waiting_since": waiting_since(ticket),
        "lock_holder": lock_holder(ticket, agent),
        "locked_by_me": ticket.locked_by_id == agent.pk
        and ticket.locked_until is not None
        and ticket.locked_until > now,
        "can_manage": permissions.can_manage(agent, ticket.department),
        "canned": canned_responses_for(agent, ticket),
        "signature": agent.signature.strip(),
        "incidents": list(ticket.incidents.order_by("number")[:50]),
        "forms": page_forms,
        "newer": bound.get("_newer", []),
    }


class TicketPageView(StaffView, View):
    def get(self, request: HttpRequest, number: int) -> HttpResponse:
        ticket = ticket_for(self.agent, number)
        return render(
            request, "console/ticket.html", ticket_page_context(request, self.agent, ticket)
        )


Handler = Callable[[Agent, Ticket, dict[str, Any], HttpRequest], str]


def _find(agent: Agent, number: int, field: str) -> Ticket:
    other = ticket_by_number(agent=agent, number=number)
    if other is None:
        raise InvalidInput(
            _("No ticket %(number)s that you can see.") % {"number": number},
            field_errors={field: [_("No such ticket.")]},
        )
    return other


def _reply(agent: Agent, ticket: Ticket, data: dict[str, Any], request: HttpRequest) -> str:
    conversation.reply_from_agent(
        ticket=ticket,
        agent=agent,
        body=data["body"],
        attachments=data.get("attachments") or [],
        next_status=data.get("next_status") or None,
    )
    return _("Reply sent.")


def _note(agent: Agent, ticket: Ticket, data: dict[str, Any], request: HttpRequest) -> str:
    conversation.note_add(
        ticket=ticket, agent=agent, body=data["body"], attachments=data.get("attachments") or []
    )
    return _("Note added.")


def _transfer(agent: Agent, ticket: Ticket, data: dict[str, Any], request: HttpRequest) -> str:
    operations.ticket_transfer(
        ticket=ticket,
        actor=agent,
        to_department=data.get("to_department"),
        to_agent=data.get("to_agent"),
        reason=data["reason"],
    )
    return _("Ticket transferred.")


def _assign(agent: Agent, ticket: Ticket, data: dict[str, Any], request: HttpRequest) -> str:
    operations.ticket_assign(ticket=ticket, assignee=data.get("assignee"), actor=agent)
    return _("Assignee changed.")


def _status(agent: Agent, ticket: Ticket, data: dict[str, Any], request: HttpRequest) -> str:
    operations.ticket_change_status(
        ticket=ticket, status=data["status"], actor=agent, note=data.get("note", "")
    )
    return _("Status changed.")


def _priority(agent: Agent, ticket: Ticket, data: dict[str, Any], request: HttpRequest) -> str:
    operations.ticket_change_priority(ticket=ticket, priority=data["priority"], actor=agent)
    return _("Priority changed.")


def _merge(agent: Agent, ticket: Ticket, data: dict[str, Any], request: HttpRequest) -> str:
    target = _find(agent, data["number"], "number")
    operations.ticket_merge(source=ticket, target=target, actor=agent, note=data.get("note", ""))
    return _("Merged into %(reference)s.") % {"reference": target.reference}


def _link(agent: Agent, ticket: Ticket, data: dict[str, Any], request: HttpRequest) -> str:
    problem = _find(agent, data["number"], "number")
    operations.ticket_link_problem(incident=ticket, problem=problem, actor=agent)
    return _("Linked to problem %(reference)s.") % {"reference": problem.reference}


def _forward(agent: Agent, ticket: Ticket, data: dict[str, Any], request: HttpRequest) -> str:
    operations.ticket_forward_transcript(
        ticket=ticket, actor=agent, to_email=data["to_email"], note=data.get("note", "")
    )
    return _("Transcript sent.")


HANDLERS: dict[str, Handler] = {
    "reply": _reply,
    "note": _note,
    "transfer": _transfer,
    "assign": _assign,
    "status": _status,
    "priority": _priority,
    "merge": _merge,
    "link": _link,
    "forward": _forward,
}


class TicketActionView(StaffView, View):
    """POST /console/tickets/<number>/<action>/ — one service call per action."""

    def post(self, request: HttpRequest, number: int, action: str) -> HttpResponse:
        ticket = ticket_for(self.agent, number)
        if action in ("lock", "unlock", "take"):
            return self._simple(request, ticket, action)
        if action not in HANDLERS:
            raise Http404
        form_kwargs: dict[str, Any] = {"data": request.POST, "files": request.FILES}
        if action in ("merge", "link"):
            form_kwargs["auto_id"] = f"id_{action}_%s"
        form = FORM_CLASSES[action](**form_kwargs)
        bound: dict[str, Any] = {action: form}
        if form.is_valid():
            data = form.cleaned_data
            newer = []
            if action in ("reply", "note") and not data.get("send_anyway"):
                newer = newer_messages(ticket, seen=data.get("last_seen") or 0, agent=self.agent)
            if newer:
                # Someone wrote while this agent was typing: show it and ask again.
                data_copy = request.POST.copy()
                data_copy["send_anyway"] = "on"
                data_copy["last_seen"] = str(latest_message_id(ticket))
                form = FORM_CLASSES[action](data=data_copy)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "Someone else wrote on this ticket while you were typing. Read the "
                        "new messages below; your text is kept — send again to post it."
                    ),
                )
                bound = {action: form, "_newer": newer}
            else:
                try:
                    text = HANDLERS[action](self.agent, ticket, data, request)
                except TicketingError as error:
                    add_domain_error(form, error)
                else:
                    messages.success(request, text)
                    if action == "merge" or not permissions.can_view(
                        self.agent, Ticket.objects.get(pk=ticket.pk)
                    ):
                        return HttpResponseRedirect("/console/tickets/")
                    return HttpResponseRedirect(f"/console/tickets/{ticket.number}/")
        ticket = ticket_for(self.agent, number)
        context = ticket_page_context(request, self.agent, ticket, bound)
        context["open_action"] = action
        return render(request, "console/ticket.html", context, status=400)

    def _simple(self, request: HttpRequest, ticket: Ticket, action: str) -> HttpResponse:
        try:
            if action == "lock":
                operations.ticket_lock(ticket=ticket, actor=self.agent)
                messages.success(request, _("You hold the lock on this ticket."))
            elif action == "unlock":
                operations.ticket_unlock(ticket=ticket, actor=self.agent)
                messages.success(request, _("Lock released."))
            else:
                operations.ticket_take(ticket=ticket, actor=self.agent)
                messages.success(request, _("The ticket is yours."))
        except TicketingError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(f"/console/tickets/{ticket.number}/")

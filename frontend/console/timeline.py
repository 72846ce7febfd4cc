"""The ticket's timeline in words: one line per ``TicketEvent``, with the names of the
departments and agents it mentions looked up once for the whole timeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ticketing.models import Agent, Department, TicketEvent, TicketStatus

KIND_LABELS = {
    "ticket.created": gettext_lazy("Ticket opened"),
    "ticket.assigned": gettext_lazy("Assigned"),
    "ticket.unassigned": gettext_lazy("Unassigned"),
    "ticket.transferred": gettext_lazy("Transferred"),
    "ticket.status_changed": gettext_lazy("Status changed"),
    "ticket.reopened": gettext_lazy("Reopened"),
    "ticket.priority_changed": gettext_lazy("Priority changed"),
    "ticket.type_changed": gettext_lazy("Type changed"),
    "ticket.category_changed": gettext_lazy("Service changed"),
    "ticket.tags_changed": gettext_lazy("Tags changed"),
    "ticket.locked": gettext_lazy("Locked"),
    "ticket.unlocked": gettext_lazy("Unlocked"),
    "ticket.lock_broken": gettext_lazy("Lock broken"),
    "ticket.merged": gettext_lazy("Merged into another ticket"),
    "ticket.merge_received": gettext_lazy("Another ticket merged in"),
    "ticket.linked": gettext_lazy("Linked to a problem"),
    "ticket.unlinked": gettext_lazy("Unlinked from the problem"),
    "ticket.forwarded": gettext_lazy("Transcript forwarded"),
    "ticket.rated": gettext_lazy("Rated by the customer"),
    "ticket.follow_up": gettext_lazy("Follow-up ticket"),
    "ticket.description_changed": gettext_lazy("Description changed"),
    "ticket.plan_changed": gettext_lazy("Support plan changed"),
    "message.created": gettext_lazy("Message"),
    "note.mentioned": gettext_lazy("Mentioned in a note"),
    "case_log.added": gettext_lazy("Case log entry"),
    "sla.policy_matched": gettext_lazy("SLA policy applied"),
    "sla.clock_started": gettext_lazy("SLA clock started"),
    "sla.clock_paused": gettext_lazy("SLA clock paused"),
    "sla.clock_resumed": gettext_lazy("SLA clock resumed"),
    "sla.clock_met": gettext_lazy("SLA target met"),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    label: str
    actor: str
    detail: str
    note: str


def _ids(events: list[TicketEvent], key: str) -> set[int]:
    found = set()
    for event in events:
        for side in (event.before, event.after):
            value = side.get(key) if isinstance(side, dict) else None
            if isinstance(value, int):
                found.add(value)
    return found


def _id(value: object) -> int:
    return value if isinstance(value, int) else 0


def _status_label(value: object) -> str:
    try:
        return str(TicketStatus(str(value)).label)
    except ValueError:
        return str(value or "")


def describe(events: Iterable[TicketEvent]) -> list[TimelineEntry]:
    events = list(events)
    departments = dict(
        Department.objects.filter(pk__in=_ids(events, "department")).values_list("pk", "name")
    )
    agents = {
        agent.pk: agent.display_name
        for agent in Agent.objects.filter(pk__in=_ids(events, "assignee")).select_related("user")
    }
    nobody = _("nobody")
    entries = []
    for event in events:
        before, after = event.before or {}, event.after or {}
        detail = ""
        if event.kind == "ticket.transferred":
            parts = []
            if before.get("department") != after.get("department"):
                parts.append(
                    _("from %(old)s to %(new)s")
                    % {
                        "old": departments.get(_id(before.get("department")), "?"),
                        "new": departments.get(_id(after.get("department")), "?"),
                    }
                )
            if before.get("assignee") != after.get("assignee"):
                parts.append(
                    _("assignee: %(name)s")
                    % {"name": agents.get(_id(after.get("assignee")), nobody)}
                )
            detail = "; ".join(parts)
        elif event.kind in ("ticket.assigned", "ticket.unassigned"):
            detail = agents.get(_id(after.get("assignee")), nobody)
        elif event.kind in ("ticket.status_changed", "ticket.reopened"):
            detail = f"{_status_label(before.get('status'))} → {_status_label(after.get('status'))}"
        elif event.kind == "ticket.forwarded":
            detail = str(after.get("to", ""))
        elif event.kind == "sla.clock_started" or event.kind == "sla.clock_met":
            detail = str(after.get("kind", "")).replace("_", " ")
        actor = event.actor_name or (event.actor.get_full_name() if event.actor else "")
        entries.append(
            TimelineEntry(
                at=event.at,
                kind=event.kind,
                label=str(KIND_LABELS.get(event.kind, event.kind)),
                actor=actor or _("System"),
                detail=detail,
                note=event.note,
            )
        )
    return entries

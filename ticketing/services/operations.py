"""What agents do to a ticket: assign, transfer, change status, priority, type,
category and tags, lock, merge, link incidents to a problem, rate, forward."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from ticketing import permissions, statuses
from ticketing.errors import (
    AssigneeNotEligible,
    CannotLink,
    CannotMerge,
    InvalidInput,
    InvalidTransition,
    PermissionDenied,
    TicketLocked,
)
from ticketing.events import EventDraft, record_event, record_events
from ticketing.models import (
    Agent,
    AgentRole,
    Category,
    Contact,
    Department,
    HelpdeskSettings,
    Message,
    Priority,
    SatisfactionRating,
    Ticket,
    TicketStatus,
    TicketType,
)
from ticketing.models.tickets import ACTIVE_STATUSES
from ticketing.services._common import ensure_not_locked_by_other, lock_ticket, now

S = TicketStatus


def _require(agent: Agent | None, ticket: Ticket) -> None:
    """Permission and lock checks for an agent; ``None`` is the system (SLA escalations,
    scheduled tasks), which acts on every ticket."""
    if agent is None:
        return
    permissions.require_view(agent, ticket)
    ensure_not_locked_by_other(ticket, agent, at=now())


def _user(agent: Agent | None) -> Any:
    return agent.user if agent is not None else None


def _touch(ticket: Ticket, at: Any, *fields: str) -> None:
    ticket.updated_at = at
    ticket.save(update_fields=[*fields, "updated_at"])


# --- assignment and transfer ------------------------------------------------------------


def assignment_apply(
    *, ticket: Ticket, agent: Agent | None, actor: Any, at: Any, note: str
) -> None:
    """Set the assignee and record it (the ticket is already locked by the caller)."""
    if agent is not None and (ticket.status == S.SPAM or ticket.merged_into_id is not None):
        raise InvalidTransition(_("Spam and merged tickets cannot be assigned."))
    before = ticket.assignee_id
    if before == (agent.pk if agent else None):
        return
    ticket.assignee = agent
    fields = ["assignee"]
    if agent is not None and ticket.status == S.NEW:
        ticket.status = S.OPEN
        ticket.status_changed_at = at
        fields += ["status", "status_changed_at"]
    _touch(ticket, at, *fields)
    record_event(
        ticket=ticket,
        kind="ticket.assigned" if agent else "ticket.unassigned",
        actor=actor,
        at=at,
        before={"assignee": before},
        after={"assignee": agent.pk if agent else None, "status": ticket.status},
        note=note,
    )


def _check_assignable(agent: Agent, department: Department) -> None:
    if not (agent.is_active and agent.user.is_active):
        raise AssigneeNotEligible(_("%(name)s is not active.") % {"name": agent.display_name})
    if agent.role != AgentRole.ADMIN and not agent.departments.filter(pk=department.pk).exists():
        raise AssigneeNotEligible(
            _("%(name)s is not a member of %(department)s.")
            % {"name": agent.display_name, "department": department.name}
        )


def ticket_assign(
    *, ticket: Ticket, assignee: Agent | None, actor: Agent, note: str = ""
) -> Ticket:
    """Assign to ``assignee`` (None unassigns). Anyone who sees the ticket may assign
    within its department; the lock holder's colleagues may not while it is locked."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        _require(actor, ticket)
        if assignee is not None:
            _check_assignable(assignee, ticket.department)
        assignment_apply(ticket=ticket, agent=assignee, actor=actor.user, at=now(), note=note)
    return ticket


def ticket_take(*, ticket: Ticket, actor: Agent) -> Ticket:
    """Assign to oneself, only if nobody has it yet (two agents clicking at once: one
    gets it, the other a clear error)."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        _require(actor, ticket)
        if ticket.assignee_id is not None and ticket.assignee_id != actor.pk:
            raise AssigneeNotEligible(
                _("%(name)s has already taken this ticket.")
                % {"name": ticket.assignee.display_name if ticket.assignee else ""}
            )
        _check_assignable(actor, ticket.department)
        assignment_apply(ticket=ticket, agent=actor, actor=actor.user, at=now(), note="")
    return ticket


def ticket_transfer(
    *,
    ticket: Ticket,
    actor: Agent | None,
    to_department: Department | None = None,
    to_agent: Agent | None = None,
    reason: str = "",
) -> Ticket:
    """Move the ticket to another department and/or agent, with a reason on the
    timeline. Without ``to_agent`` a cross-department transfer leaves it unassigned in
    the new queue."""
    if to_department is None and to_agent is None:
        raise InvalidInput(
            _("Choose a department or an agent to transfer to."),
            field_errors={"to_department": [_("Choose a department or an agent.")]},
        )
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        _require(actor, ticket)
        if not ticket.is_active:
            raise InvalidTransition(_("Only open tickets can be transferred."))
        at = now()
        target_department = to_department or ticket.department
        if not target_department.is_active:
            raise InvalidInput(_("%(name)s is not active.") % {"name": target_department.name})
        if to_agent is not None:
            _check_assignable(to_agent, target_department)
        before = {"department": ticket.department_id, "assignee": ticket.assignee_id}
        fields = []
        if target_department.pk != ticket.department_id:
            ticket.department = target_department
            ticket.dispatched_at = at
            fields += ["department", "dispatched_at"]
            if to_agent is None:
                ticket.assignee = None
                fields.append("assignee")
        if to_agent is not None:
            ticket.assignee = to_agent
            fields.append("assignee")
            if ticket.status == S.NEW:  # as with any assignment, the work has started
                ticket.status, ticket.status_changed_at = S.OPEN, at
                fields += ["status", "status_changed_at"]
        if ticket.locked_by_id is not None:
            ticket.locked_by, ticket.locked_until = None, None
            fields += ["locked_by", "locked_until"]
        _touch(ticket, at, *fields)
        record_event(
            ticket=ticket,
            kind="ticket.transferred",
            actor=_user(actor),
            at=at,
            before=before,
            after={
                "department": ticket.department_id,
                "assignee": ticket.assignee_id,
                "status": ticket.status,
            },
            note=reason.strip(),
        )
    return ticket


# --- fields -------------------------------------------------------------------------------


def _change_field(
    *,
    ticket: Ticket,
    actor: Agent | None,
    field: str,
    value: Any,
    kind: str,
    note: str = "",
    derived: dict[str, Any] | None = None,
) -> Ticket:
    """Change one field and record it; ``derived`` are columns that follow it."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        _require(actor, ticket)
        before = (
            getattr(ticket, f"{field}_id", None)
            if hasattr(ticket, f"{field}_id")
            else getattr(ticket, field)
        )
        setattr(ticket, field, value)
        after = getattr(ticket, f"{field}_id", None) if hasattr(ticket, f"{field}_id") else value
        if before == after:
            return ticket
        at = now()
        for name, derived_value in (derived or {}).items():
            setattr(ticket, name, derived_value)
        _touch(ticket, at, field, *(derived or {}))
        record_event(
            ticket=ticket,
            kind=kind,
            actor=_user(actor),
            at=at,
            before={field: before},
            after={field: after},
            note=note,
        )
    return ticket


def ticket_change_priority(
    *, ticket: Ticket, priority: Priority, actor: Agent | None, note: str = ""
) -> Ticket:
    return _change_field(
        ticket=ticket,
        actor=actor,
        field="priority",
        value=priority,
        kind="ticket.priority_changed",
        note=note,
        derived={"priority_level": priority.level},
    )


def ticket_change_type(*, ticket: Ticket, ticket_type: str, actor: Agent) -> Ticket:
    if ticket_type not in TicketType.values:
        raise InvalidInput(
            _("Unknown ticket type."), field_errors={"ticket_type": [_("Unknown ticket type.")]}
        )
    return _change_field(
        ticket=ticket,
        actor=actor,
        field="ticket_type",
        value=ticket_type,
        kind="ticket.type_changed",
    )


def ticket_change_category(*, ticket: Ticket, category: Category | None, actor: Agent) -> Ticket:
    return _change_field(
        ticket=ticket, actor=actor, field="category", value=category, kind="ticket.category_changed"
    )


def ticket_set_tags(*, ticket: Ticket, tags: list[str], actor: Agent) -> Ticket:
    cleaned = sorted({tag.strip().casefold()[:50] for tag in tags if tag.strip()})
    return _change_field(
        ticket=ticket, actor=actor, field="tags", value=cleaned, kind="ticket.tags_changed"
    )


def ticket_change_status(
    *,
    ticket: Ticket,
    status: str,
    actor: Agent | None,
    note: str = "",
    actor_name: str | None = None,
) -> Ticket:
    """Move through the state machine. ``actor`` None is the system (auto-close)."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if actor is not None:
            _require(actor, ticket)
        return status_apply(
            ticket=ticket,
            status=status,
            actor_user=actor.user if actor else None,
            note=note,
            actor_name=actor_name,
        )


@dataclass(frozen=True)
class StatusChange:
    """A validated status change already applied to the ticket in memory."""

    kind: str
    before: str
    after: str
    fields: tuple[str, ...]


def status_prepare(*, ticket: Ticket, status: str, at: Any) -> StatusChange | None:
    """Validate ``status`` and set it with its timestamps on the (locked) ticket, without
    saving; None when nothing changes. Lets a caller save one UPDATE for several changes."""
    if status not in S.values:
        raise InvalidInput(_("Unknown status."), field_errors={"status": [_("Unknown status.")]})
    current = ticket.status
    if current == status:
        return None
    if ticket.merged_into_id is not None:
        raise InvalidTransition(_("This ticket was merged into another one; continue there."))
    if not statuses.can_transition(current, status):
        raise InvalidTransition(
            _("A ticket cannot go from %(current)s to %(target)s.")
            % {"current": S(current).label, "target": S(status).label}
        )
    changes = statuses.timestamp_changes(
        current=current, target=status, resolved_at=ticket.resolved_at, now=at
    )
    reopening = statuses.is_reopen(current, status)
    if reopening:
        changes["reopened_count"] = ticket.reopened_count + 1
    if status == S.SPAM:
        changes["assignee"] = None
    for name, value in changes.items():
        setattr(ticket, name, value)
    kind = "ticket.reopened" if reopening else "ticket.status_changed"
    return StatusChange(kind=kind, before=current, after=status, fields=tuple(changes))


def status_record(
    *,
    ticket: Ticket,
    change: StatusChange,
    actor_user: Any,
    at: Any,
    note: str = "",
    actor_name: str | None = None,
) -> None:
    record_events(
        ticket=ticket,
        drafts=[
            status_draft(change, actor_user=actor_user, at=at, note=note, actor_name=actor_name)
        ],
    )


def status_draft(
    change: StatusChange, *, actor_user: Any, at: Any, note: str = "", actor_name: str | None = None
) -> EventDraft:
    """The timeline row of a status change, to write with the change's other rows."""
    return EventDraft(
        kind=change.kind,
        actor=actor_user,
        actor_name=actor_name,
        at=at,
        before={"status": change.before},
        after={"status": change.after},
        note=note,
    )


def status_apply(
    *, ticket: Ticket, status: str, actor_user: Any, note: str = "", actor_name: str | None = None
) -> Ticket:
    """Apply a status change to a ticket the caller has locked."""
    at = now()
    change = status_prepare(ticket=ticket, status=status, at=at)
    if change is None:
        return ticket
    _touch(ticket, at, *change.fields)
    status_record(
        ticket=ticket,
        change=change,
        actor_user=actor_user,
        at=at,
        note=note,
        actor_name=actor_name,
    )
    return ticket


def ticket_close_by_customer(*, ticket: Ticket, contact: Contact) -> Ticket:
    """ "My problem is solved": the requester closes their own ticket."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if not permissions.contact_can_view(contact, ticket) or ticket.requester_id != contact.pk:
            raise PermissionDenied(_("Only the requester can close this ticket."))
        if (ticket.status, S.CLOSED) not in statuses.CUSTOMER_TRANSITIONS:
            raise InvalidTransition(_("This ticket is already closed."))
        return status_apply(
            ticket=ticket,
            status=S.CLOSED,
            actor_user=contact.user,
            actor_name=contact.full_name,
            note=_("Closed by the customer."),
        )


# --- locks -------------------------------------------------------------------------------


def ticket_lock(*, ticket: Ticket, actor: Agent) -> Ticket:
    """Take the ticket for a while so colleagues see it is being handled."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        permissions.require_view(actor, ticket)
        at = now()
        if (
            ticket.locked_by_id not in (None, actor.pk)
            and ticket.locked_until is not None
            and ticket.locked_until > at
        ):
            holder = ticket.locked_by.display_name if ticket.locked_by else ""
            raise TicketLocked(_("%(name)s is already working on this ticket.") % {"name": holder})
        minutes = HelpdeskSettings.current().lock_minutes
        ticket.locked_by = actor
        ticket.locked_until = at + timedelta(minutes=minutes)
        _touch(ticket, at, "locked_by", "locked_until")
        record_event(
            ticket=ticket,
            kind="ticket.locked",
            actor=actor.user,
            at=at,
            after={"locked_by": actor.pk, "locked_until": ticket.locked_until.isoformat()},
        )
    return ticket


def ticket_unlock(*, ticket: Ticket, actor: Agent) -> Ticket:
    """Release one's own lock, or break a colleague's (supervisors and admins)."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        permissions.require_view(actor, ticket)
        if ticket.locked_by_id is None:
            return ticket
        at = now()
        breaking = ticket.locked_by_id != actor.pk
        expired = ticket.locked_until is not None and ticket.locked_until <= at
        if breaking and not expired and not permissions.can_manage(actor, ticket.department):
            raise PermissionDenied(
                _("Only a supervisor or an admin can break another agent's lock.")
            )
        before = {"locked_by": ticket.locked_by_id}
        ticket.locked_by, ticket.locked_until = None, None
        _touch(ticket, at, "locked_by", "locked_until")
        record_event(
            ticket=ticket,
            kind="ticket.lock_broken" if breaking else "ticket.unlocked",
            actor=actor.user,
            at=at,
            before=before,
            after={"locked_by": None},
        )
    return ticket


# --- merge and link ------------------------------------------------------------------------


def ticket_merge(*, source: Ticket, target: Ticket, actor: Agent, note: str = "") -> Ticket:
    """Merge a duplicate into ``target``: its conversation and files move, it closes and
    points to the survivor."""
    if source.pk == target.pk:
        raise CannotMerge(_("A ticket cannot be merged into itself."))
    with transaction.atomic():
        # Lock both in id order so two opposite merges cannot deadlock.
        first, second = sorted([source.pk, target.pk])
        locked = {first: lock_ticket(first), second: lock_ticket(second)}
        source, target = locked[source.pk], locked[target.pk]
        _require(actor, source)
        _require(actor, target)
        if source.merged_into_id is not None:
            raise CannotMerge(_("%(ref)s was already merged.") % {"ref": source.reference})
        if source.status == S.SPAM:
            raise CannotMerge(_("%(ref)s is marked as spam.") % {"ref": source.reference})
        if target.merged_into_id is not None or target.status in (S.SPAM,):
            raise CannotMerge(_("%(ref)s cannot receive a merge.") % {"ref": target.reference})
        if source.is_internal != target.is_internal:
            raise CannotMerge(_("Internal and customer tickets cannot be merged."))
        at = now()
        moved = Message.objects.filter(ticket=source).update(ticket=target)
        source.attachments.update(ticket=target)
        if source.requester_id and source.requester_id != target.requester_id:
            target.cc_contacts.add(source.requester_id)
        target.watchers.add(*source.watchers.all())
        closing = status_prepare(ticket=source, status=S.CLOSED, at=at)
        source.merged_into = target
        _touch(source, at, "merged_into", *(closing.fields if closing else ()))
        _touch(target, at)
        if closing is not None:
            status_record(ticket=source, change=closing, actor_user=actor.user, at=at, note=note)
        record_event(
            ticket=source,
            kind="ticket.merged",
            actor=actor.user,
            at=at,
            after={"merged_into": target.pk, "messages_moved": moved},
            note=note,
        )
        record_event(
            ticket=target,
            kind="ticket.merge_received",
            actor=actor.user,
            at=at,
            after={"merged_from": source.pk, "messages_moved": moved},
            note=note,
        )
    return target


def ticket_link_problem(*, incident: Ticket, problem: Ticket, actor: Agent) -> Ticket:
    if problem.ticket_type != TicketType.PROBLEM:
        raise CannotLink(_("%(ref)s is not a problem ticket.") % {"ref": problem.reference})
    if incident.pk == problem.pk:
        raise CannotLink(_("A ticket cannot be linked to itself."))
    with transaction.atomic():
        incident = lock_ticket(incident)
        _require(actor, incident)
        permissions.require_view(actor, problem)
        if incident.ticket_type == TicketType.PROBLEM:
            raise CannotLink(_("Only incidents can be linked to a problem."))
        before = incident.problem_id
        incident.problem = problem
        at = now()
        _touch(incident, at, "problem")
        record_event(
            ticket=incident,
            kind="ticket.linked",
            actor=actor.user,
            at=at,
            before={"problem": before},
            after={"problem": problem.pk},
        )
    return incident


def ticket_unlink_problem(*, incident: Ticket, actor: Agent) -> Ticket:
    with transaction.atomic():
        incident = lock_ticket(incident)
        _require(actor, incident)
        if incident.problem_id is None:
            return incident
        before = incident.problem_id
        incident.problem = None
        at = now()
        _touch(incident, at, "problem")
        record_event(
            ticket=incident,
            kind="ticket.unlinked",
            actor=actor.user,
            at=at,
            before={"problem": before},
            after={"problem": None},
        )
    return incident


def open_incidents_of(problem: Ticket) -> list[Ticket]:
    """What resolving a problem offers to resolve with it."""
    return list(problem.incidents.filter(status__in=ACTIVE_STATUSES).order_by("number"))


def ticket_resolve_incidents(*, problem: Ticket, actor: Agent, note: str = "") -> list[Ticket]:
    """Resolve every open incident linked to ``problem`` (the agent accepted the offer)."""
    resolved = []
    for incident in open_incidents_of(problem):
        if permissions.can_view(actor, incident):
            resolved.append(
                ticket_change_status(
                    ticket=incident,
                    status=S.RESOLVED,
                    actor=actor,
                    note=note or _("Resolved with problem %(ref)s.") % {"ref": problem.reference},
                )
            )
    return resolved


# --- satisfaction and forwarding ----------------------------------------------------------


def ticket_rate(
    *, ticket: Ticket, contact: Contact, score: int, comment: str = ""
) -> SatisfactionRating:
    if not 1 <= int(score) <= 5:
        raise InvalidInput(
            _("Choose a rating from 1 to 5."), field_errors={"score": [_("Choose 1 to 5.")]}
        )
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if ticket.requester_id != contact.pk:
            raise PermissionDenied(_("Only the requester can rate this ticket."))
        if ticket.status not in (S.RESOLVED, S.CLOSED):
            raise InvalidTransition(_("A ticket can be rated once it is resolved."))
        at = now()
        rating, _created = SatisfactionRating.objects.update_or_create(
            ticket=ticket,
            defaults={"score": int(score), "comment": comment.strip(), "rated_at": at},
        )
        record_event(
            ticket=ticket,
            kind="ticket.rated",
            actor=contact.user,
            actor_name=contact.full_name,
            at=at,
            after={"score": rating.score},
        )
    return rating


def ticket_forward_transcript(
    *, ticket: Ticket, actor: Agent, to_email: str, note: str = ""
) -> None:
    """Email the public conversation (and, for agents, the notes) to an address."""
    try:
        validate_email(to_email)
    except Exception:
        raise InvalidInput(
            _("Enter a valid email address."),
            field_errors={"to_email": [_("Enter a valid email address.")]},
        ) from None
    permissions.require_view(actor, ticket)
    lines = [f"{ticket.reference} {ticket.subject}", "", ticket.description, ""]
    for message in ticket.messages.select_related("author").order_by("created_at"):
        if message.kind == "note":
            continue
        lines += [
            f"--- {message.author_name} · {message.created_at:%Y-%m-%d %H:%M} UTC",
            message.body,
            "",
        ]
    if note:
        lines = [note, "", *lines]
    email = EmailMessage(
        subject=f"[{ticket.reference}] {ticket.subject}", body="\n".join(lines), to=[to_email]
    )
    with transaction.atomic():
        record_event(
            ticket=ticket,
            kind="ticket.forwarded",
            actor=actor.user,
            after={"to": to_email},
            note=note,
        )
        transaction.on_commit(lambda: email.send(fail_silently=False))

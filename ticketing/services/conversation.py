"""The conversation: public replies both ways, internal notes with @mentions, and the
case log that records additions once a ticket is assigned (its description is frozen
then). A customer's reply reopens a pending, resolved or (within the tenant's window)
closed ticket; after the window it opens a new ticket linked to the old one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from ticketing import permissions
from ticketing.errors import DescriptionFrozen, InvalidInput, InvalidTransition, PermissionDenied
from ticketing.events import EventDraft, record_event, record_events
from ticketing.models import (
    Agent,
    Contact,
    HelpdeskSettings,
    Message,
    MessageKind,
    Ticket,
    TicketStatus,
)
from ticketing.rows import row_insert
from ticketing.services._common import ensure_not_locked_by_other, lock_ticket, now
from ticketing.services.attachments import (
    attachments_attach,
    attachments_discard,
    attachments_prepare,
)
from ticketing.services.operations import status_apply, status_draft, status_prepare
from ticketing.services.tickets import contact_check_allowed, ticket_create

S = TicketStatus
MENTION = re.compile(r"(?<![\w.])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w.-]+)", re.UNICODE)
AGENT_NEXT_STATUSES = {S.OPEN, S.PENDING, S.ON_HOLD, S.RESOLVED}


def _require_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput(
            _("Write a message first."), field_errors={"body": [_("Write a message first.")]}
        )
    return body


def _with_signature(body: str, agent: Agent) -> str:
    signature = agent.signature.strip()
    if not signature or body.rstrip().endswith(signature):
        return body
    return f"{body}\n\n-- \n{signature}"


def _message(
    *,
    ticket: Ticket,
    kind: str,
    body: str,
    author: Any,
    author_contact: Contact | None,
    author_name: str,
    from_staff: bool,
    channel: str,
    at: Any,
    email_message_id: str = "",
) -> Message:
    message = Message(
        ticket=ticket,
        kind=kind,
        body=body,
        author=author,
        author_contact=author_contact,
        author_name=author_name,
        from_staff=from_staff,
        channel=channel,
        created_at=at,
        email_message_id=email_message_id,
    )
    row_insert(message)
    return message


def reply_from_agent(
    *,
    ticket: Ticket,
    agent: Agent,
    body: str,
    attachments: Sequence[Any] = (),
    next_status: str | None = None,
    channel: str = "portal",
) -> Message:
    """A public reply; the agent's signature is appended, the first response recorded,
    and the ticket moves to ``next_status`` (default: open; pending = waiting on the
    customer, resolved = solution proposed)."""
    body = _with_signature(_require_body(body), agent)
    if next_status is not None and next_status not in AGENT_NEXT_STATUSES:
        raise InvalidInput(_("Choose open, pending, on hold or resolved."))
    stored = attachments_prepare(list(attachments))
    try:
        with transaction.atomic():
            ticket = lock_ticket(ticket)
            permissions.require_view(agent, ticket)
            at = now()
            ensure_not_locked_by_other(ticket, agent, at=at)
            if ticket.is_internal:
                raise InvalidInput(_("Internal tickets have notes, not public replies."))
            if ticket.status in (S.CLOSED, S.SPAM) and next_status is None:
                raise InvalidTransition(_("Reopen the ticket before replying."))
            message = _message(
                ticket=ticket,
                kind=MessageKind.PUBLIC_REPLY,
                body=body,
                author=agent.user,
                author_contact=None,
                author_name=agent.display_name,
                from_staff=True,
                channel=channel,
                at=at,
            )
            attachments_attach(ticket=ticket, message=message, files=stored, uploaded_by=agent.user)
            fields = ["last_agent_reply_at", "updated_at"]
            ticket.last_agent_reply_at = ticket.updated_at = at
            if ticket.first_responded_at is None:
                ticket.first_responded_at = at
                fields.append("first_responded_at")
            target = next_status or (S.OPEN if ticket.status == S.NEW else None)
            change = status_prepare(ticket=ticket, status=target, at=at) if target else None
            ticket.save(update_fields=[*fields, *(change.fields if change else ())])
            drafts = [
                EventDraft(
                    kind="message.created",
                    actor=agent.user,
                    at=at,
                    after={"message": message.pk, "kind": message.kind, "public": True},
                    message=message,
                )
            ]
            if change is not None:
                drafts.append(status_draft(change, actor_user=agent.user, at=at))
            record_events(ticket=ticket, drafts=drafts)  # one INSERT for both rows
    except Exception:
        attachments_discard(stored)
        raise
    return message


def reply_from_customer(
    *,
    ticket: Ticket,
    contact: Contact,
    body: str,
    attachments: Sequence[Any] = (),
    channel: str = "portal",
    email_message_id: str = "",
) -> Message:
    """The customer answers. Pending → open; resolved or closed → reopened within the
    reopen window; after the window a new ticket is opened, linked to this one, and the
    reply lands there."""
    body = _require_body(body)
    if not permissions.contact_can_view(contact, ticket):
        raise PermissionDenied(_("You cannot reply to this ticket."))
    contact_check_allowed(contact)
    ticket = Ticket.objects.get(pk=ticket.pk)  # decide on current state, not the caller's copy
    while ticket.merged_into_id is not None:
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    window = timedelta(days=HelpdeskSettings.current().reopen_window_days)
    if ticket.status == S.CLOSED and ticket.closed_at and now() - ticket.closed_at > window:
        return _follow_up(
            ticket=ticket, contact=contact, body=body, attachments=attachments, channel=channel
        )
    if ticket.status == S.SPAM:
        raise InvalidTransition(_("This ticket is closed."))
    stored = attachments_prepare(list(attachments))
    try:
        with transaction.atomic():
            ticket = lock_ticket(ticket)
            at = now()
            message = _message(
                ticket=ticket,
                kind=MessageKind.PUBLIC_REPLY,
                body=body,
                author=contact.user,
                author_contact=contact,
                author_name=contact.full_name,
                from_staff=False,
                channel=channel,
                at=at,
                email_message_id=email_message_id,
            )
            attachments_attach(
                ticket=ticket, message=message, files=stored, uploaded_by=contact.user
            )
            ticket.last_customer_reply_at = at
            ticket.updated_at = at
            ticket.save(update_fields=["last_customer_reply_at", "updated_at"])
            record_event(
                ticket=ticket,
                kind="message.created",
                actor=contact.user,
                actor_name=contact.full_name,
                at=at,
                after={"message": message.pk, "kind": message.kind, "public": True},
                message=message,
            )
            if ticket.status in (S.PENDING, S.RESOLVED, S.CLOSED):
                status_apply(
                    ticket=ticket,
                    status=S.OPEN,
                    actor_user=contact.user,
                    actor_name=contact.full_name,
                    note=_("The customer replied."),
                )
    except Exception:
        attachments_discard(stored)
        raise
    return message


def _follow_up(
    *, ticket: Ticket, contact: Contact, body: str, attachments: Sequence[Any], channel: str
) -> Message:
    follow_up = ticket_create(
        subject=ticket.subject if ticket.subject.startswith("Re:") else f"Re: {ticket.subject}",
        description=body,
        channel=channel,
        requester=contact,
        department=ticket.department,
        category=ticket.category,
        product=ticket.product,
        attachments=attachments,
        ticket_type=ticket.ticket_type,
        priority=ticket.priority,
    )
    with transaction.atomic():
        follow_up = lock_ticket(follow_up)
        follow_up.follow_up_of = ticket
        follow_up.save(update_fields=["follow_up_of"])
        record_event(
            ticket=follow_up,
            kind="ticket.follow_up",
            actor=contact.user,
            actor_name=contact.full_name,
            after={"follow_up_of": ticket.pk},
        )
        message = _message(
            ticket=follow_up,
            kind=MessageKind.PUBLIC_REPLY,
            body=body,
            author=contact.user,
            author_contact=contact,
            author_name=contact.full_name,
            from_staff=False,
            channel=channel,
            at=follow_up.created_at,
        )
    return message


def mentioned_agents(body: str, *, candidates: Any = None) -> list[Agent]:
    """Agents named as ``@email`` or ``@first.last`` / ``@first`` (unique matches only)."""
    agents = list(
        candidates
        if candidates is not None
        else Agent.objects.filter(is_active=True).select_related("user")
    )
    found: dict[int, Agent] = {}
    for token in MENTION.findall(body):
        token_folded = token.casefold()
        matches = [
            agent
            for agent in agents
            if agent.user.email.casefold() == token_folded
            or agent.user.email.split("@")[0].casefold() == token_folded
            or agent.display_name.replace(" ", ".").casefold() == token_folded
            or agent.display_name.split(" ")[0].casefold() == token_folded
        ]
        if len(matches) == 1:
            found[matches[0].pk] = matches[0]
    return list(found.values())


def note_add(
    *, ticket: Ticket, agent: Agent, body: str, attachments: Sequence[Any] = ()
) -> Message:
    """An internal note, seen by agents only; @mentioned agents are recorded (and
    notified by the notifications feature through the ``note.mentioned`` event)."""
    body = _require_body(body)
    stored = attachments_prepare(list(attachments))
    try:
        with transaction.atomic():
            ticket = lock_ticket(ticket)
            permissions.require_view(agent, ticket)
            at = now()
            message = _message(
                ticket=ticket,
                kind=MessageKind.INTERNAL_NOTE,
                body=body,
                author=agent.user,
                author_contact=None,
                author_name=agent.display_name,
                from_staff=True,
                channel="internal",
                at=at,
            )
            attachments_attach(ticket=ticket, message=message, files=stored, uploaded_by=agent.user)
            mentions = [m for m in mentioned_agents(body) if m.pk != agent.pk]
            if mentions:
                message.mentions.set(mentions)
                ticket.watchers.add(*mentions)
            ticket.updated_at = at
            ticket.save(update_fields=["updated_at"])
            record_event(
                ticket=ticket,
                kind="message.created",
                actor=agent.user,
                at=at,
                after={"message": message.pk, "kind": message.kind, "public": False},
                message=message,
            )
            if mentions:
                record_event(
                    ticket=ticket,
                    kind="note.mentioned",
                    actor=agent.user,
                    at=at,
                    after={"message": message.pk, "agents": [m.pk for m in mentions]},
                )
    except Exception:
        attachments_discard(stored)
        raise
    return message


def case_log_add(
    *, ticket: Ticket, body: str, agent: Agent | None = None, contact: Contact | None = None
) -> Message:
    """Add to the case once its description is frozen (after assignment). Agents add
    log entries; so may the requester (more details about the problem)."""
    body = _require_body(body)
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        author: User | None
        if agent is not None:
            permissions.require_view(agent, ticket)
            author, name = agent.user, agent.display_name
        elif contact is not None and permissions.contact_can_view(contact, ticket):
            author, name = contact.user, contact.full_name
        else:
            raise PermissionDenied(_("You cannot add to this ticket."))
        at = now()
        message = _message(
            ticket=ticket,
            kind=MessageKind.CASE_LOG,
            body=body,
            author=author,
            author_contact=contact,
            author_name=name,
            from_staff=agent is not None,
            channel="portal",
            at=at,
        )
        record_event(
            ticket=ticket,
            kind="case_log.added",
            actor=author,
            actor_name=name,
            at=at,
            after={"message": message.pk},
        )
    return message


def description_update(
    *, ticket: Ticket, description: str, agent: Agent | None = None, contact: Contact | None = None
) -> Ticket:
    """Edit the description — only until the ticket is first assigned; after that it is
    the case's frozen statement and additions go to the case log."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        actor: User | None
        if agent is not None:
            permissions.require_view(agent, ticket)
            actor, name = agent.user, agent.display_name
        elif contact is not None and ticket.requester_id == contact.pk:
            actor, name = contact.user, contact.full_name
        else:
            raise PermissionDenied(_("You cannot edit this ticket."))
        if ticket.assignee_id is not None or ticket.events.filter(kind="ticket.assigned").exists():
            raise DescriptionFrozen(
                _(
                    "The description is frozen once the ticket is assigned; "
                    "add a case log entry instead."
                )
            )
        before = ticket.description
        ticket.description = description.strip()
        at = now()
        ticket.updated_at = at
        ticket.save(update_fields=["description", "updated_at"])
        record_event(
            ticket=ticket,
            kind="ticket.description_changed",
            actor=actor,
            actor_name=name,
            at=at,
            before={"description": before},
            after={"description": ticket.description},
        )
    return ticket

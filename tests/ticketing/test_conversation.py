"""Replies both ways, notes and mentions, the case log and the reopen rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.ticketing.factories import AgentFactory, CustomerFactory, make_ticket
from ticketing.errors import DescriptionFrozen, InvalidInput, PermissionDenied
from ticketing.models import Agent, Department, MessageKind, Ticket, TicketStatus
from ticketing.services.conversation import (
    case_log_add,
    description_update,
    note_add,
    reply_from_agent,
    reply_from_customer,
)
from ticketing.services.operations import ticket_assign, ticket_change_status


@pytest.fixture
def ticket(support: Department) -> Ticket:
    return make_ticket(requester=CustomerFactory(full_name="Carla Nowak"), department=support)


def test_agent_reply_appends_signature_and_records_first_response(
    ticket: Ticket, agent: Agent
) -> None:
    agent.signature = "Ava — Support team"
    agent.save()
    message = reply_from_agent(ticket=ticket, agent=agent, body="Please restart it.")
    assert message.body == "Please restart it.\n\n-- \nAva — Support team"
    assert message.from_staff
    assert message.is_public
    ticket.refresh_from_db()
    assert ticket.first_responded_at == message.created_at
    assert ticket.status == TicketStatus.OPEN
    second = reply_from_agent(ticket=ticket, agent=agent, body="Any news?", next_status="pending")
    ticket.refresh_from_db()
    assert ticket.first_responded_at == message.created_at < second.created_at
    assert ticket.status == TicketStatus.PENDING


def test_customer_reply_reopens_a_pending_ticket(ticket: Ticket, agent: Agent) -> None:
    reply_from_agent(ticket=ticket, agent=agent, body="Which model?", next_status="pending")
    assert ticket.requester is not None
    reply_from_customer(ticket=ticket, contact=ticket.requester, body="Model X1.")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.last_customer_reply_at is not None


def test_reply_to_a_resolved_ticket_reopens_it(ticket: Ticket, agent: Agent) -> None:
    assert ticket.requester is not None
    reply_from_agent(ticket=ticket, agent=agent, body="Fixed.", next_status="resolved")
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None
    reply_from_customer(ticket=ticket, contact=ticket.requester, body="Still broken!")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.resolved_at is None
    assert ticket.reopened_count == 1
    assert ticket.events.filter(kind="ticket.reopened").exists()


def test_reply_after_the_reopen_window_opens_a_linked_ticket(ticket: Ticket, agent: Agent) -> None:
    assert ticket.requester is not None
    ticket_change_status(ticket=ticket, status="closed", actor=agent)
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=timezone.now() - timedelta(days=30))
    message = reply_from_customer(ticket=ticket, contact=ticket.requester, body="It is back.")
    follow_up = message.ticket
    assert follow_up.pk != ticket.pk
    assert follow_up.follow_up_of == ticket
    assert follow_up.subject == f"Re: {ticket.subject}"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED


def test_strangers_cannot_reply(ticket: Ticket) -> None:
    with pytest.raises(PermissionDenied):
        reply_from_customer(ticket=ticket, contact=CustomerFactory(), body="Hi")


def test_internal_note_with_mentions(ticket: Ticket, agent: Agent, colleague: Agent) -> None:
    colleague.user.email = "cody@alpha.example"
    colleague.user.save()
    note = note_add(ticket=ticket, agent=agent, body="@cody can you check? also @nobody")
    assert note.kind == MessageKind.INTERNAL_NOTE
    assert not note.is_public
    assert list(note.mentions.all()) == [colleague]
    assert colleague in ticket.watchers.all()
    mention = ticket.events.get(kind="note.mentioned")
    assert mention.after["agents"] == [colleague.pk]


def test_description_is_frozen_once_assigned(ticket: Ticket, agent: Agent) -> None:
    assert ticket.requester is not None
    description_update(ticket=ticket, contact=ticket.requester, description="More detail")
    ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    with pytest.raises(DescriptionFrozen, match="case log"):
        description_update(ticket=ticket, agent=agent, description="Rewritten")
    entry = case_log_add(ticket=ticket, agent=agent, body="Replaced the fuse.")
    assert entry.kind == MessageKind.CASE_LOG
    ticket.refresh_from_db()
    assert ticket.description == "More detail"


def test_empty_replies_are_refused(ticket: Ticket, agent: Agent) -> None:
    with pytest.raises(InvalidInput, match="Write a message first"):
        reply_from_agent(ticket=ticket, agent=agent, body="   ")


def test_agents_outside_the_department_cannot_reply(ticket: Ticket, engineer: Agent) -> None:
    with pytest.raises(PermissionDenied):
        reply_from_agent(ticket=ticket, agent=engineer, body="Hello")
    with pytest.raises(PermissionDenied):
        note_add(ticket=ticket, agent=AgentFactory(), body="Hello")

"""Assign, transfer, status, lock, merge, link, rate, forward — all on the timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.smtp import Sink
from tests.ticketing.factories import AgentFactory, CustomerFactory, make_ticket, priority
from ticketing.errors import (
    AssigneeNotEligible,
    CannotLink,
    CannotMerge,
    InvalidInput,
    InvalidTransition,
    PermissionDenied,
    TicketLocked,
)
from ticketing.models import Agent, Department, Message, Ticket, TicketStatus, TicketType
from ticketing.services.conversation import reply_from_agent, reply_from_customer
from ticketing.services.operations import (
    open_incidents_of,
    ticket_assign,
    ticket_change_priority,
    ticket_change_status,
    ticket_close_by_customer,
    ticket_forward_transcript,
    ticket_link_problem,
    ticket_lock,
    ticket_merge,
    ticket_rate,
    ticket_resolve_incidents,
    ticket_take,
    ticket_transfer,
    ticket_unlock,
)


@pytest.fixture
def ticket(support: Department) -> Ticket:
    return make_ticket(requester=CustomerFactory(), department=support)


def test_transfer_to_another_department_with_a_reason(
    ticket: Ticket, agent: Agent, support: Department, engineering: Department, engineer: Agent
) -> None:
    ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    ticket_transfer(
        ticket=ticket, actor=agent, to_department=engineering, reason="Needs an engineer"
    )
    ticket.refresh_from_db()
    assert ticket.department == engineering
    assert ticket.assignee is None
    event = ticket.events.get(kind="ticket.transferred")
    assert event.note == "Needs an engineer"
    assert event.before == {"department": support.pk, "assignee": agent.pk}
    assert event.after == {"department": engineering.pk, "assignee": None, "status": "open"}
    # the engineer now sees it; the agent of the old department does not
    ticket_transfer(ticket=ticket, actor=engineer, to_agent=engineer, reason="Mine")
    ticket.refresh_from_db()
    assert ticket.assignee == engineer
    with pytest.raises(PermissionDenied):
        ticket_change_priority(ticket=ticket, priority=priority(5), actor=agent)


def test_transfer_to_an_agent_outside_the_department_is_refused(
    ticket: Ticket, agent: Agent, engineer: Agent
) -> None:
    with pytest.raises(AssigneeNotEligible, match="not a member"):
        ticket_transfer(ticket=ticket, actor=agent, to_agent=engineer)
    with pytest.raises(InvalidInput):
        ticket_transfer(ticket=ticket, actor=agent)


def test_assigning_an_inactive_agent_is_refused(
    ticket: Ticket, agent: Agent, support: Department
) -> None:
    gone = AgentFactory(departments=[support], is_active=False)
    with pytest.raises(AssigneeNotEligible, match="not active"):
        ticket_assign(ticket=ticket, assignee=gone, actor=agent)


def test_take_and_status_changes(ticket: Ticket, agent: Agent, colleague: Agent) -> None:
    ticket_take(ticket=ticket, actor=agent)
    with pytest.raises(AssigneeNotEligible, match="already taken"):
        ticket_take(ticket=ticket, actor=colleague)
    ticket_change_status(ticket=ticket, status="on_hold", actor=agent, note="Waiting for parts")
    ticket_change_status(ticket=ticket, status="resolved", actor=agent)
    with pytest.raises(InvalidTransition):
        ticket_change_status(ticket=ticket, status="pending", actor=agent)
    ticket_change_status(ticket=ticket, status="closed", actor=agent)
    ticket.refresh_from_db()
    assert ticket.closed_at is not None
    assert ticket.resolved_at is not None
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds == [
        "ticket.created", "ticket.assigned", "ticket.status_changed", "ticket.status_changed",
        "ticket.status_changed",
    ]  # fmt: skip


def test_lock_blocks_colleagues_until_it_expires(
    ticket: Ticket, agent: Agent, colleague: Agent, supervisor: Agent
) -> None:
    ticket_lock(ticket=ticket, actor=agent)
    with pytest.raises(TicketLocked, match="Ava Agent"):
        ticket_lock(ticket=ticket, actor=colleague)
    with pytest.raises(TicketLocked):
        reply_from_agent(ticket=ticket, agent=colleague, body="I'll take it")
    with pytest.raises(PermissionDenied):
        ticket_unlock(ticket=ticket, actor=colleague)
    ticket_unlock(ticket=ticket, actor=supervisor)  # supervisors break locks
    assert ticket.events.filter(kind="ticket.lock_broken").exists()
    ticket_lock(ticket=ticket, actor=agent)
    Ticket.objects.filter(pk=ticket.pk).update(locked_until=timezone.now() - timedelta(minutes=1))
    ticket_lock(ticket=ticket, actor=colleague)  # expired locks are free


def test_merge_moves_the_conversation(ticket: Ticket, agent: Agent, support: Department) -> None:
    duplicate = make_ticket(requester=CustomerFactory(), department=support)
    assert duplicate.requester is not None
    reply_from_customer(ticket=duplicate, contact=duplicate.requester, body="Same here")
    survivor = ticket_merge(source=duplicate, target=ticket, actor=agent)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert duplicate.status == TicketStatus.CLOSED
    assert Message.objects.filter(ticket=survivor, body="Same here").exists()
    assert duplicate.requester in survivor.cc_contacts.all()
    with pytest.raises(CannotMerge):
        ticket_merge(source=duplicate, target=ticket, actor=agent)
    with pytest.raises(CannotMerge):
        ticket_merge(source=ticket, target=ticket, actor=agent)
    # a reply to the merged ticket lands on the survivor
    message = reply_from_customer(ticket=duplicate, contact=duplicate.requester, body="Any news?")
    assert message.ticket == survivor


def test_link_incidents_to_a_problem_and_resolve_them_together(
    agent: Agent, support: Department
) -> None:
    problem = make_ticket(department=support, ticket_type=TicketType.PROBLEM, subject="Outage")
    incidents = [make_ticket(department=support, ticket_type=TicketType.INCIDENT) for _ in range(2)]
    for incident in incidents:
        ticket_link_problem(incident=incident, problem=problem, actor=agent)
    with pytest.raises(CannotLink):
        ticket_link_problem(incident=problem, problem=incidents[0], actor=agent)
    assert open_incidents_of(problem) == incidents
    resolved = ticket_resolve_incidents(problem=problem, actor=agent)
    assert {t.status for t in resolved} == {TicketStatus.RESOLVED}
    assert open_incidents_of(problem) == []


def test_customer_closes_and_rates(ticket: Ticket, agent: Agent) -> None:
    requester = ticket.requester
    assert requester is not None
    with pytest.raises(InvalidTransition, match="once it is resolved"):
        ticket_rate(ticket=ticket, contact=requester, score=5)
    ticket_close_by_customer(ticket=ticket, contact=requester)
    rating = ticket_rate(ticket=ticket, contact=requester, score=4, comment="Quick, thanks")
    assert rating.score == 4
    assert ticket_rate(ticket=ticket, contact=requester, score=5).score == 5  # can change it
    with pytest.raises(InvalidInput):
        ticket_rate(ticket=ticket, contact=requester, score=6)
    with pytest.raises(PermissionDenied):
        ticket_rate(ticket=ticket, contact=CustomerFactory(), score=1)


def test_forward_transcript_by_real_smtp(
    ticket: Ticket, agent: Agent, smtp_sink: Sink, django_capture_on_commit_callbacks: object
) -> None:
    reply_from_agent(ticket=ticket, agent=agent, body="Public answer")
    from ticketing.services.conversation import note_add

    note_add(ticket=ticket, agent=agent, body="Secret note")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        ticket_forward_transcript(ticket=ticket, actor=agent, to_email="vendor@example.com")
    assert len(smtp_sink.messages) == 1
    mail = smtp_sink.messages[0]
    assert mail["To"] == "vendor@example.com"
    assert f"[{ticket.reference}]" in mail["Subject"]
    body = mail.get_content()
    assert "Public answer" in body
    assert "Secret note" not in body
    with pytest.raises(InvalidInput):
        ticket_forward_transcript(ticket=ticket, actor=agent, to_email="nope")

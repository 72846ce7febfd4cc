"""The queues an agent works, customer look-up, the timeline; bounded query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.conftest import TenantUnderTest
from tests.ticketing.factories import (
    ContactFactory,
    CustomerFactory,
    make_ticket,
    priority,
)
from ticketing import selectors
from ticketing.models import Agent, Department, Ticket
from ticketing.services.conversation import reply_from_agent, reply_from_customer
from ticketing.services.operations import ticket_assign
from ticketing.services.people import contact_create


def test_queues(
    support: Department, engineering: Department, agent: Agent, colleague: Agent
) -> None:
    mine = make_ticket(department=support)
    ticket_assign(ticket=mine, assignee=agent, actor=agent)
    theirs = make_ticket(department=support)
    ticket_assign(ticket=theirs, assignee=colleague, actor=colleague)
    old_low = make_ticket(department=support, subject="old low")
    urgent = make_ticket(department=support, subject="urgent", priority=priority(5))
    Ticket.objects.filter(pk=urgent.pk).update(priority=priority(5), priority_level=5)
    elsewhere = make_ticket(department=engineering)

    assert list(selectors.tickets_mine(agent=agent)) == [mine]
    unassigned = list(selectors.tickets_unassigned(agent=agent))
    assert unassigned == [urgent, old_low]  # priority first, then age
    visible = set(selectors.tickets_open(agent=agent))
    assert visible == {mine, theirs, old_low, urgent}
    assert elsewhere not in visible
    assert selectors.ticket_get(agent=agent, pk=elsewhere.pk) is None


def test_admin_sees_every_department(
    support: Department, engineering: Department, admin_agent: Agent
) -> None:
    tickets = {make_ticket(department=support), make_ticket(department=engineering)}
    assert set(selectors.tickets_open(agent=admin_agent)) >= tickets


def test_waiting_time(support: Department, agent: Agent) -> None:
    ticket = make_ticket(department=support)
    assert ticket.requester is not None
    start = ticket.created_at
    assert selectors.waiting_since(ticket) == start
    reply_from_agent(ticket=ticket, agent=agent, body="On it")
    reply = reply_from_customer(ticket=ticket, contact=ticket.requester, body="Thanks")
    ticket.refresh_from_db()
    assert selectors.waiting_since(ticket) == reply.created_at
    later = reply.created_at + timedelta(minutes=10)
    assert selectors.waiting_time_seconds(ticket, at=later) == 600


def test_filters(support: Department, agent: Agent) -> None:
    tagged = make_ticket(department=support, tags=["VPN", " urgent "])
    make_ticket(department=support)
    assert tagged.tags == ["urgent", "vpn"]
    assert list(selectors.ticket_list(agent=agent, filters={"tag": "VPN"})) == [tagged]
    assert selectors.ticket_list(agent=agent, filters={"status": "closed"}).count() == 0
    since = timezone.now() - timedelta(minutes=5)
    assert selectors.ticket_list(agent=agent, filters={"created_after": since}).count() == 2


def test_customer_lookup(in_alpha: TenantUnderTest) -> None:
    carla = contact_create(
        full_name="Carla Nowak", email="carla@nowak.pl", phone="+48 (22) 123-45-67",
        employee_number="E-1001",
    )  # fmt: skip
    reza = contact_create(full_name="رضا احمدی", email="reza@example.ir")
    wang = contact_create(full_name="王伟", email="wang@example.cn")
    ContactFactory(full_name="Carl Other")
    assert list(selectors.contacts_lookup(query="E-1001")) == [carla]
    assert list(selectors.contacts_lookup(query="CARLA@nowak.pl")) == [carla]
    assert list(selectors.contacts_lookup(query="0048 22 1234567"[4:])) == [carla]
    assert list(selectors.contacts_lookup(query="nowak")) == [carla]
    assert [c.full_name for c in selectors.contacts_lookup(query="carl")] == [
        "Carl Other",
        "Carla Nowak",
    ]
    assert list(selectors.contacts_lookup(query="احمدی")) == [reza]
    assert list(selectors.contacts_lookup(query="王")) == [wang]
    assert list(selectors.contacts_lookup(query="it's")) == []
    assert list(selectors.contacts_lookup(query="  ")) == []


def test_customer_tabs(support: Department, agent: Agent) -> None:
    customer = CustomerFactory()
    open_ticket = make_ticket(requester=customer, department=support)
    waiting = make_ticket(requester=customer, department=support)
    reply_from_agent(ticket=waiting, agent=agent, body="Which model?", next_status="pending")
    assert list(selectors.tickets_of_contact(contact=customer)) == [open_ticket]
    assert list(selectors.tickets_of_contact(contact=customer, state="awaiting")) == [waiting]
    assert list(selectors.tickets_of_contact(contact=customer, state="closed")) == []


@pytest.mark.parametrize("count", [5, 25])
def test_queue_query_count_does_not_grow_with_rows(
    support: Department, agent: Agent, count: int, django_assert_max_num_queries: object
) -> None:
    for _ in range(count):
        ticket = make_ticket(department=support, requester=CustomerFactory())
        ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    agent = Agent.objects.get(pk=agent.pk)
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        rows = [
            (
                t.reference,
                t.priority.label,
                t.department.name,
                t.requester.full_name if t.requester else "",
                t.assignee.display_name if t.assignee else "",
            )
            for t in selectors.tickets_mine(agent=agent)[:50]
        ]
    assert len(rows) == count


def test_timeline_is_ordered(support: Department, agent: Agent) -> None:
    ticket = make_ticket(department=support)
    ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    kinds = [event.kind for event in selectors.ticket_timeline(ticket=ticket)]
    assert kinds == ["ticket.created", "ticket.assigned"]


def _join_collapse_limit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        row = cursor.fetchone()
    return str(row[0])


def test_joins_in_written_order_is_confined_to_its_block(support: Department, agent: Agent) -> None:
    """The planner setting must not leak into later queries of the same transaction,
    whether the block finishes or fails."""
    ticket = make_ticket(department=support)
    before = _join_collapse_limit()
    with selectors.joins_in_written_order():
        assert _join_collapse_limit() == "1"
        assert list(selectors.ticket_list(agent=agent)) == [ticket]
    assert _join_collapse_limit() == before
    with pytest.raises(RuntimeError), selectors.joins_in_written_order():
        raise RuntimeError("the list failed")
    assert _join_collapse_limit() == before

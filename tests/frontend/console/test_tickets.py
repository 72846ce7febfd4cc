"""The agent console's ticket pages: list, ticket page and its actions, scoping."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import TenantUnderTest
from tests.ticketing.factories import ContactFactory, DepartmentFactory
from ticketing.models import Agent, Contact, Department, Ticket, TicketEvent
from ticketing.services.tickets import ticket_create

pytestmark = pytest.mark.django_db

FACTORY_PASSWORD = "pass-word-123"


def _client(tenant: TenantUnderTest, agent: Agent) -> Client:
    return tenant.signed_in_client(agent.user.email, FACTORY_PASSWORD)


@pytest.fixture
def customer(in_alpha: TenantUnderTest) -> Contact:
    return ContactFactory.create(full_name="Carla Customer", email="carla@example.com")


@pytest.fixture
def ticket(support: Department, customer: Contact) -> Ticket:
    return ticket_create(
        subject="Printer on fire", channel="portal", requester=customer, department=support
    )


def test_list_shows_the_department_tickets_with_filters(
    in_alpha: TenantUnderTest, agent: Agent, ticket: Ticket
) -> None:
    client = _client(in_alpha, agent)
    response = client.get("/console/tickets/")
    assert response.status_code == 200
    assert "Printer on fire" in response.content.decode()
    response = client.get("/console/tickets/?q=printer&status=all&sort=sla")
    assert [t.pk for t in response.context["tickets"]] == [ticket.pk]
    response = client.get("/console/tickets/?q=nothing-like-this")
    assert response.context["tickets"] == []


def test_bad_filter_values_are_ignored_not_500(
    in_alpha: TenantUnderTest, agent: Agent, ticket: Ticket
) -> None:
    client = _client(in_alpha, agent)
    response = client.get("/console/tickets/?department=abc&created_after=yesterday&page=x")
    assert response.status_code == 200
    assert client.get("/console/tickets/", {"q": "a\x00b"}).status_code == 200
    assert client.get("/console/customers/", {"q": "a\x00b"}).status_code == 200


def test_ticket_page_shows_conversation_timeline_and_forms(
    in_alpha: TenantUnderTest, agent: Agent, ticket: Ticket
) -> None:
    client = _client(in_alpha, agent)
    response = client.get(f"/console/tickets/{ticket.number}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Printer on fire" in body
    assert "Ticket opened" in body
    assert f'action="/console/tickets/{ticket.number}/transfer/"' in body


def test_reply_and_note_are_distinguished(
    in_alpha: TenantUnderTest, agent: Agent, ticket: Ticket
) -> None:
    client = _client(in_alpha, agent)
    page = client.get(f"/console/tickets/{ticket.number}/")
    seen = page.context["forms"]["reply"].initial["last_seen"]
    response = client.post(
        f"/console/tickets/{ticket.number}/reply/", {"body": "On our way", "last_seen": seen}
    )
    assert response.status_code == 302
    response = client.post(
        f"/console/tickets/{ticket.number}/note/", {"body": "Bring an extinguisher"}
    )
    assert response.status_code == 302
    kinds = list(ticket.messages.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["public", "note"]
    body = client.get(f"/console/tickets/{ticket.number}/").content.decode()
    assert "message--note" in body
    assert "message--staff" in body


def test_empty_reply_is_a_form_error_and_nothing_is_lost(
    in_alpha: TenantUnderTest, agent: Agent, ticket: Ticket
) -> None:
    client = _client(in_alpha, agent)
    response = client.post(f"/console/tickets/{ticket.number}/reply/", {"body": "   "})
    assert response.status_code == 400
    assert response.context["forms"]["reply"].errors


def test_two_agents_replying_at_once_are_warned(
    in_alpha: TenantUnderTest, agent: Agent, colleague: Agent, ticket: Ticket
) -> None:
    mine, theirs = _client(in_alpha, agent), _client(in_alpha, colleague)
    seen = (
        mine.get(f"/console/tickets/{ticket.number}/")
        .context["forms"]["reply"]
        .initial["last_seen"]
    )
    theirs.post(f"/console/tickets/{ticket.number}/reply/", {"body": "I have it", "last_seen": 0})
    response = mine.post(
        f"/console/tickets/{ticket.number}/reply/", {"body": "My answer", "last_seen": seen}
    )
    assert response.status_code == 400
    assert "while you were typing" in response.content.decode()
    assert "My answer" in response.content.decode()  # the draft is kept
    assert ticket.messages.count() == 1
    form = response.context["forms"]["reply"]
    response = mine.post(f"/console/tickets/{ticket.number}/reply/", form.data)
    assert response.status_code == 302
    assert ticket.messages.count() == 2


def test_transfer_with_reason_reaches_the_other_department(
    in_alpha: TenantUnderTest,
    agent: Agent,
    engineer: Agent,
    engineering: Department,
    ticket: Ticket,
) -> None:
    client = _client(in_alpha, agent)
    response = client.post(
        f"/console/tickets/{ticket.number}/transfer/",
        {"to_department": engineering.pk, "reason": "Needs a firmware fix"},
    )
    assert response.status_code == 302
    # The transferring agent no longer sees it; the engineer does, with the reason.
    assert response["Location"] == "/console/tickets/"
    other = _client(in_alpha, engineer)
    page = other.get(f"/console/tickets/{ticket.number}/")
    assert page.status_code == 200
    assert "Needs a firmware fix" in page.content.decode()
    assert "from Support to Engineering" in page.content.decode()
    assert [t.pk for t in other.get("/console/tickets/").context["tickets"]] == [ticket.pk]


def test_transfer_without_reason_keeps_the_form(
    in_alpha: TenantUnderTest, agent: Agent, engineering: Department, ticket: Ticket
) -> None:
    client = _client(in_alpha, agent)
    response = client.post(
        f"/console/tickets/{ticket.number}/transfer/", {"to_department": engineering.pk}
    )
    assert response.status_code == 400
    assert response.context["forms"]["transfer"].errors["reason"]
    assert Ticket.objects.get(pk=ticket.pk).department_id != engineering.pk


def test_lock_is_seen_by_a_second_agent_who_cannot_reply(
    in_alpha: TenantUnderTest, agent: Agent, colleague: Agent, ticket: Ticket
) -> None:
    mine, theirs = _client(in_alpha, agent), _client(in_alpha, colleague)
    assert mine.post(f"/console/tickets/{ticket.number}/lock/").status_code == 302
    page = theirs.get(f"/console/tickets/{ticket.number}/")
    assert "Ava Agent is working on this ticket" in page.content.decode()
    response = theirs.post(f"/console/tickets/{ticket.number}/reply/", {"body": "me too"})
    assert response.status_code == 400
    assert "Ava Agent" in str(response.context["forms"]["reply"].non_field_errors())


def test_assign_status_priority(
    in_alpha: TenantUnderTest, agent: Agent, colleague: Agent, ticket: Ticket
) -> None:
    client = _client(in_alpha, agent)
    client.post(f"/console/tickets/{ticket.number}/assign/", {"assignee": colleague.pk})
    client.post(f"/console/tickets/{ticket.number}/status/", {"status": "pending"})
    ticket.refresh_from_db()
    assert (ticket.assignee_id, ticket.status) == (colleague.pk, "pending")
    kinds = set(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert {"ticket.assigned", "ticket.status_changed"} <= kinds
    response = client.post(f"/console/tickets/{ticket.number}/status/", {"status": "bogus"})
    assert response.status_code == 400


def test_bulk_assign(
    in_alpha: TenantUnderTest, agent: Agent, support: Department, customer: Contact
) -> None:
    tickets = [
        ticket_create(subject=f"T{i}", channel="portal", requester=customer, department=support)
        for i in range(3)
    ]
    client = _client(in_alpha, agent)
    response = client.post(
        "/console/tickets/bulk/",
        {"action": "assign", "tickets": [t.pk for t in tickets], "assignee": agent.pk},
    )
    assert response.status_code == 302
    assert Ticket.objects.filter(assignee=agent).count() == 3


def test_agent_outside_a_department_cannot_see_its_tickets(
    in_alpha: TenantUnderTest, engineer: Agent, ticket: Ticket, admin_agent: Agent
) -> None:
    client = _client(in_alpha, engineer)
    assert client.get(f"/console/tickets/{ticket.number}/").status_code == 404
    assert client.post(f"/console/tickets/{ticket.number}/note/", {"body": "x"}).status_code == 404
    assert client.get("/console/tickets/?status=all").context["tickets"] == []
    # the tenant admin's role lets them see every department
    admin = in_alpha.signed_in_client(in_alpha.admin.email)
    assert admin.get(f"/console/tickets/{ticket.number}/").status_code == 200


def test_tenant_b_tickets_are_not_reachable_from_tenant_a(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    from django_tenants.utils import schema_context

    from tests.ticketing.factories import DepartmentFactory

    with schema_context(tenant_b.tenant.schema_name):
        department = DepartmentFactory.create(name="Bravo desk")
        contact = ContactFactory.create(email="b@example.com")
        secret = ticket_create(
            subject="Bravo secret", channel="portal", requester=contact, department=department
        )
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    assert client.get(f"/console/tickets/{secret.number}/").status_code == 404
    assert "Bravo secret" not in client.get("/console/tickets/?status=all").content.decode()
    assert client.get(f"/console/customers/{contact.pk}/").status_code in (404,)


def test_search_box_uses_full_text_over_the_conversation_the_customer_and_the_number(
    in_alpha: TenantUnderTest, tenant_b: TenantUnderTest, agent: Agent, support: Department
) -> None:
    from django_tenants.utils import schema_context

    from ticketing.services.conversation import note_add, reply_from_agent

    nadia = ContactFactory.create(full_name="Nadia Rahimi", email="nadia@example.com")
    toner = ticket_create(subject="Question", channel="portal", requester=nadia, department=support)
    reply_from_agent(ticket=toner, agent=agent, body="Replaced the toner cartridges.")
    persian = ticket_create(
        subject="چاپگر", channel="portal", requester=ContactFactory.create(), department=support
    )
    note_add(ticket=persian, agent=agent, body="كارتريج يك بار ديگر عوض شد")  # Arabic kaf/yeh
    with schema_context(tenant_b.tenant.schema_name):
        bravo = ContactFactory.create(full_name="Bravo Toner", email="toner@bravo.example")
        ticket_create(
            subject="Toner in Bravo",
            channel="portal",
            requester=bravo,
            department=DepartmentFactory.create(),
        )
    client = _client(in_alpha, agent)

    def found(query: str) -> list[int]:
        response = client.get("/console/tickets/", {"q": query, "status": "all"})
        assert response.status_code == 200
        return [t.pk for t in response.context["tickets"]]

    assert found("cartridge") == [toner.pk]  # stemmed, in an agent's reply
    assert found("کارتریج") == [persian.pk]  # Persian letters find Arabic variants in a note
    assert found("Nadia") == [toner.pk]  # the requester's name
    assert found("nadia@example.com") == [toner.pk]
    assert found(f"#{persian.number}") == [persian.pk]
    assert found("toner") == [toner.pk]  # never tenant B's ticket or customer

"""Phone-channel work: look a customer up, create them, open a ticket on their behalf on
the department's form with the suggested assignee."""

from __future__ import annotations

import pytest

from tests.conftest import TenantUnderTest
from tests.ticketing.factories import ContactFactory
from ticketing.models import Agent, AssignmentStrategy, Contact, Department, Ticket
from ticketing.models.forms import FieldType, FormField, TicketForm
from ticketing.services.people import contact_create

pytestmark = pytest.mark.django_db

FACTORY_PASSWORD = "pass-word-123"


def test_lookup_by_employee_number_phone_and_name(in_alpha: TenantUnderTest, agent: Agent) -> None:
    carla = contact_create(
        full_name="Carla Customer", employee_number="E-1001", phone="+48 601 234 567"
    )
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    for query in ("E-1001", "601234567", "carl"):
        response = client.get("/console/customers/", {"q": query})
        assert [c.pk for c in response.context["results"]] == [carla.pk], query
    response = client.get("/console/customers/", {"q": "carl"}, HTTP_HX_REQUEST="true")
    assert response.templates[0].name == "console/_customer_results.html"


def test_create_customer_keeps_input_on_duplicate_email(
    in_alpha: TenantUnderTest, agent: Agent
) -> None:
    ContactFactory.create(email="taken@example.com")
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    response = client.post(
        "/console/customers/new/",
        {"full_name": "Dana Dup", "email": "TAKEN@example.com", "preferred_channel": "email"},
    )
    assert response.status_code == 400
    assert "email" in response.context["form"].errors, response.context["form"].errors
    assert 'value="Dana Dup"' in response.content.decode()
    response = client.post(
        "/console/customers/new/",
        {"full_name": "Dana New", "email": "dana@example.com", "preferred_channel": "email"},
    )
    assert response.status_code == 302
    assert Contact.objects.filter(email="dana@example.com").exists()


def test_ticket_on_behalf_uses_the_department_form_and_suggests_an_assignee(
    in_alpha: TenantUnderTest, agent: Agent, support: Department
) -> None:
    support.assignment_strategy = AssignmentStrategy.BEST_FIT
    support.save()
    form = TicketForm.objects.create(name="Support form", department=support)
    FormField.objects.create(
        form=form, key="serial", field_type=FieldType.TEXT, label={"en": "Serial"}, required=True
    )
    carla = ContactFactory.create(full_name="Carla Customer")
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    page = client.get(f"/console/customers/{carla.pk}/new-ticket/", {"department": support.pk})
    assert page.status_code == 200
    assert page.context["suggested"] == agent
    assert "Serial" in page.content.decode()
    url = f"/console/customers/{carla.pk}/new-ticket/"
    response = client.post(url, {"department": support.pk, "subject": "No signal"})
    assert response.status_code == 400
    assert response.context["form"].errors["cf_serial"]
    response = client.post(
        url, {"department": support.pk, "subject": "No signal", "cf_serial": "SN-1"}
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(subject="No signal")
    assert ticket.channel == "phone"
    assert ticket.requester == carla
    assert ticket.custom_fields == {"serial": "SN-1"}
    assert ticket.assignee == agent


def test_internal_ticket_between_agents(
    in_alpha: TenantUnderTest, agent: Agent, colleague: Agent, support: Department
) -> None:
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    response = client.post(
        "/console/tickets/internal/new/",
        {
            "department": support.pk,
            "subject": "Coffee machine",
            "description": "Broken",
            "assignee": colleague.pk,
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(subject="Coffee machine")
    assert ticket.is_internal
    assert ticket.assignee == colleague


def test_notifications_page_and_badge(in_alpha: TenantUnderTest, agent: Agent) -> None:
    from notifications.models import Notification

    Notification.objects.create(
        event_kind="ticket.assigned",
        channel="in_app",
        recipient=agent.user,
        subject="Assigned to you",
        body="#1",
        idempotency_key="k1",
    )
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    badge = client.get("/console/notifications/badge/", HTTP_HX_REQUEST="true")
    assert ">1<" in badge.content.decode()
    assert "Assigned to you" in client.get("/console/notifications/").content.decode()
    client.post("/console/notifications/")
    badge = client.get("/console/notifications/badge/")
    assert "badge--count" not in badge.content.decode()

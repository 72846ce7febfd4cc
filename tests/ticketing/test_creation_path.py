"""The fast path of opening a ticket: configuration it caches per tenant takes effect on
the very next ticket when an admin changes it, never crosses tenants, and the timeline
and handlers see the same steps as before."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Case, When
from django_tenants.utils import schema_context, tenant_context

from notifications.models import Notification, NotificationTemplate
from sla.models import SlaPolicy, TicketSla
from tenants.models import TenantSettings
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import CustomerFactory, DepartmentFactory, make_ticket
from ticketing import events
from ticketing.errors import InvalidInput, OpenTicketLimitReached
from ticketing.events import PublishedEvent
from ticketing.models import Agent, Department, FormField, Priority, TicketForm
from ticketing.services.conversation import reply_from_agent


def test_a_new_form_field_applies_to_the_next_ticket(support: Department) -> None:
    make_ticket(department=support)  # "no form here" is cached now
    form = TicketForm.objects.create(name="Printers", department=support)
    FormField.objects.create(
        form=form, key="serial", field_type="text", label={"en": "Serial"}, required=True
    )
    with pytest.raises(InvalidInput) as error:
        make_ticket(department=support)
    assert "serial" in error.value.field_errors
    form.is_active = False
    form.save()
    make_ticket(department=support)  # the form is off: nothing is required any more


def test_a_renamed_default_priority_is_used_at_once(support: Department) -> None:
    make_ticket(department=support)
    normal = Priority.objects.get(level=3)
    normal.name = "Routine"
    normal.save()
    ticket = make_ticket(department=support)
    assert ticket.priority.name == "Routine"


def test_the_open_ticket_limit_applies_as_soon_as_it_is_set(
    in_alpha: TenantUnderTest, support: Department
) -> None:
    customer = CustomerFactory()
    make_ticket(department=support, requester=customer)
    settings = TenantSettings.objects.get(tenant=in_alpha.tenant)
    settings.open_tickets_per_customer = 1
    settings.save()
    with pytest.raises(OpenTicketLimitReached):
        make_ticket(department=support, requester=customer)


def test_a_template_saved_after_the_first_ticket_words_the_second(support: Department) -> None:
    make_ticket(department=support, requester=CustomerFactory(email="one@example.com"))
    NotificationTemplate.objects.create(
        event_kind="ticket.created", channel="email", language="en",
        subject="We have {{ ticket.number }}", body="Hello",
    )  # fmt: skip
    ticket = make_ticket(department=support, requester=CustomerFactory(email="two@example.com"))
    [mail] = Notification.objects.filter(address="two@example.com")
    assert mail.subject == f"We have {ticket.reference}"


def test_a_policy_created_after_tickets_times_the_next_one(support: Department) -> None:
    make_ticket(department=support)
    SlaPolicy.objects.create(name="Fast", first_response_minutes=10)
    ticket = make_ticket(department=support)
    assert TicketSla.objects.get(ticket=ticket).policy is not None


def test_cached_configuration_stays_in_its_tenant(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    with schema_context(tenant_a.tenant.schema_name):
        normal = Priority.objects.get(level=3)
        normal.name = "Alpha normal"
        normal.save()
        NotificationTemplate.objects.create(
            event_kind="ticket.created", channel="email", language="en",
            subject="Alpha says hi", body="Alpha",
        )  # fmt: skip
        alpha = make_ticket(requester=CustomerFactory(email="a@example.com"))
        assert alpha.priority.name == "Alpha normal"
        assert Notification.objects.get(address="a@example.com").subject == "Alpha says hi"
    with schema_context(tenant_b.tenant.schema_name):
        bravo = make_ticket(requester=CustomerFactory(email="b@example.com"))
        assert bravo.priority.name != "Alpha normal"
        assert bravo.priority == Priority.objects.get(level=3)  # bravo's own row
        assert Notification.objects.get(address="b@example.com").subject != "Alpha says hi"


def test_opened_for_an_assignee_the_timeline_reads_created_then_assigned(
    support: Department, agent: Agent, admin_agent: Agent
) -> None:
    seen: list[tuple[str, Any, str]] = []

    def watch(event: PublishedEvent) -> None:
        assert event.ticket is not None
        seen.append((event.kind, event.ticket.assignee_id, event.ticket.status))

    events.subscribe(events.ALL, watch, in_transaction=True)
    try:
        ticket = make_ticket(
            department=support, requester=CustomerFactory(), assignee=agent, created_by=admin_agent
        )
    finally:
        events.unsubscribe(events.ALL, watch)
    created, assigned = ticket.events.order_by("id")
    assert (created.kind, created.after["status"], created.after["assignee"]) == (
        "ticket.created",
        "new",
        agent.pk,
    )
    assert (assigned.kind, assigned.before, assigned.after) == (
        "ticket.assigned",
        {"assignee": None},
        {"assignee": agent.pk, "status": "open"},
    )
    ticket.refresh_from_db()
    assert (ticket.assignee_id, ticket.status) == (agent.pk, "open")
    # Handlers of "created" saw the ticket before its assignment, as before.
    assert seen == [("ticket.created", None, "new"), ("ticket.assigned", agent.pk, "open")]


def test_numbers_come_from_the_tenant_sequence_in_order(support: Department) -> None:
    first = make_ticket(department=support)
    second = make_ticket(department=support)
    assert second.number == first.number + 1
    first.refresh_from_db()
    assert first.number == second.number - 1


def test_a_ticket_with_a_reply_costs_a_bounded_number_of_queries(
    in_alpha: TenantUnderTest,
    support: Department,
    agent: Agent,
    admin_agent: Agent,
    django_assert_max_num_queries: Any,
) -> None:
    customer = CustomerFactory()
    # As in a request: the connection carries the tenant, the agents their users.
    agent, admin_agent = (
        Agent.objects.select_related("user")
        .filter(pk__in=[agent.pk, admin_agent.pk])
        .order_by(Case(When(pk=agent.pk, then=0), default=1))
    )
    with tenant_context(in_alpha.tenant):
        warm = make_ticket(  # the tenant's cache, on the path measured below
            department=support, requester=customer, assignee=agent, created_by=admin_agent
        )
        reply_from_agent(ticket=warm, agent=agent, body="Looking.")
        # INSERT ticket, INSERT both events, INSERT the outbox rows (and a savepoint).
        with django_assert_max_num_queries(3 + 2):
            ticket = make_ticket(
                department=support, requester=customer, assignee=agent, created_by=admin_agent
            )
        # Lock, INSERT message, UPDATE ticket, INSERT event, INSERT outbox rows.
        with django_assert_max_num_queries(5 + 2):
            reply_from_agent(ticket=ticket, agent=agent, body="On it.")


def test_a_configuration_change_rolled_back_leaves_nothing_cached(support: Department) -> None:
    make_ticket(department=support)
    name = Priority.objects.get(level=3).name
    with contextlib.suppress(RolledBack), transaction.atomic():
        normal = Priority.objects.get(level=3)
        normal.name = "Never committed"
        normal.save()
        # Inside the changing transaction the change is seen, and not cached for others.
        assert make_ticket(department=support).priority.name == "Never committed"
        raise RolledBack
    assert make_ticket(department=DepartmentFactory()).priority.name == name


class RolledBack(Exception):
    """Raised to roll a transaction back on purpose."""

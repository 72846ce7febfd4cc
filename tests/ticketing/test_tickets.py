"""Opening tickets: every way in, and every rule that can refuse one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tenants.models import TenantSettings
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import (
    AgentFactory,
    CategoryFactory,
    ContactFactory,
    CustomerFactory,
    DepartmentFactory,
    OrganizationFactory,
    ProductFactory,
    make_ticket,
    priority,
)
from ticketing.errors import (
    ContactNotAllowed,
    InvalidInput,
    OpenTicketLimitReached,
    PermissionDenied,
    SupportPlanRequired,
)
from ticketing.models import (
    Agent,
    AssignmentStrategy,
    Channel,
    Department,
    HelpdeskSettings,
    TicketEvent,
    TicketStatus,
)
from ticketing.services.people import contact_create, support_plan_grant
from ticketing.services.tickets import (
    guest_access_token,
    ticket_create,
    ticket_for_guest_token,
)


def test_customer_opens_a_ticket(support: Department) -> None:
    customer = CustomerFactory(full_name="Carla Nowak")
    ticket = make_ticket(requester=customer, department=support, subject="  Router down ")
    assert ticket.number >= 1000
    assert ticket.reference == f"#{ticket.number}"
    assert ticket.subject == "Router down"
    assert ticket.status == TicketStatus.NEW
    assert ticket.priority.level == 3
    assert ticket.created_by == customer.user
    event = TicketEvent.objects.get(ticket=ticket)
    assert event.kind == "ticket.created"
    assert event.actor == customer.user
    assert event.after["number"] == ticket.number


def test_numbers_come_from_a_sequence_and_are_never_reused(support: Department) -> None:
    first = make_ticket(department=support)
    second = make_ticket(department=support)
    assert second.number == first.number + 1
    with pytest.raises(InvalidInput):
        make_ticket(department=support, subject="")
    third = make_ticket(department=support)
    assert third.number > second.number


def test_category_routes_to_its_default_department(support: Department) -> None:
    category = CategoryFactory(name="Compatibility", default_department=support)
    ticket = make_ticket(department=None, category=category)
    assert ticket.department == support
    assert ticket.category == category


def test_missing_fields_are_reported_per_field(in_alpha: TenantUnderTest) -> None:
    with pytest.raises(InvalidInput) as raised:
        ticket_create(subject=" ", channel="pigeon", requester=None)
    assert set(raised.value.field_errors) == {"subject", "department", "channel", "requester"}


def test_customer_cannot_pick_priority_unless_allowed(support: Department) -> None:
    highest = priority(5)
    assert make_ticket(department=support, priority=highest).priority.level == 3
    HelpdeskSettings.objects.filter(pk=1).update(customers_can_set_priority=True)
    assert make_ticket(department=support, priority=highest).priority.level == 5


def test_department_default_priority(support: Department) -> None:
    support.default_priority = priority(4)
    support.save()
    assert make_ticket(department=support).priority.level == 4


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"is_suspended": True}, "suspended"),
        ({"account_expires_on": date(2020, 1, 1)}, "expired"),
        ({"ticket_access_enabled": False}, "waiting for approval"),
    ],
)
def test_blocked_customers_get_a_clear_message(
    support: Department, fields: dict[str, object], message: str
) -> None:
    customer = CustomerFactory(**fields)
    with pytest.raises(ContactNotAllowed, match=message):
        make_ticket(requester=customer, department=support)


def test_open_ticket_limit(support: Department, in_alpha: TenantUnderTest) -> None:
    TenantSettings.objects.filter(tenant=in_alpha.tenant).update(open_tickets_per_customer=2)
    customer = CustomerFactory()
    make_ticket(requester=customer, department=support)
    make_ticket(requester=customer, department=support)
    with pytest.raises(OpenTicketLimitReached, match="already have 2 open tickets"):
        make_ticket(requester=customer, department=support)
    make_ticket(requester=ContactFactory(), department=support)  # others are unaffected


def test_support_plan_decides_who_may_open_tickets_for_a_product(support: Department) -> None:
    product = ProductFactory(name="Router X", requires_support_plan=True)
    organization = OrganizationFactory()
    covered = ContactFactory(organization=organization)
    stranger = ContactFactory()
    lapsed = ContactFactory()
    today = date.today()
    support_plan_grant(product=product, name="Gold", valid_from=today, organization=organization)
    support_plan_grant(
        product=product,
        name="Old",
        valid_from=today - timedelta(days=400),
        valid_until=today - timedelta(days=35),
        contact=lapsed,
    )
    assert make_ticket(requester=covered, department=support, product=product).product == product
    for customer in (stranger, lapsed):
        with pytest.raises(SupportPlanRequired, match="Router X"):
            make_ticket(requester=customer, department=support, product=product)
    open_product = ProductFactory(requires_support_plan=False)
    assert make_ticket(requester=stranger, department=support, product=open_product)


def test_agent_opens_a_ticket_on_behalf_of_a_customer_found_or_created(
    support: Department, agent: Agent
) -> None:
    caller = contact_create(
        full_name="Piotr Caller", phone="+48 22 123 45 67", employee_number="E-77"
    )
    ticket = ticket_create(
        subject="Cannot print",
        channel=Channel.PHONE,
        requester=caller,
        department=support,
        created_by=agent,
        priority=priority(4),
    )
    assert ticket.channel == Channel.PHONE
    assert ticket.created_by == agent.user
    assert ticket.priority.level == 4  # agents may set priority
    assert ticket.events.get().actor == agent.user


def test_internal_ticket_between_agents(support: Department, agent: Agent) -> None:
    ticket = ticket_create(
        subject="Replace the spare router",
        channel=Channel.PORTAL,
        department=support,
        created_by=agent,
        is_internal=True,
    )
    assert ticket.is_internal
    assert ticket.requester is None
    assert ticket.channel == Channel.INTERNAL
    assert list(ticket.watchers.all()) == [agent]
    with pytest.raises(PermissionDenied):
        ticket_create(subject="x", channel="portal", department=support, is_internal=True)


def test_guest_follows_the_ticket_through_a_signed_link(support: Department) -> None:
    guest = contact_create(full_name="Gina Guest", email="gina@example.net")
    ticket = make_ticket(requester=guest, department=support)
    token = guest_access_token(ticket)
    assert ticket_for_guest_token(token) == ticket
    assert ticket_for_guest_token(token + "x") is None
    assert ticket_for_guest_token("garbage") is None
    ticket.guest_access_key = "rotated"
    ticket.save()
    assert ticket_for_guest_token(token) is None  # rotating the key revokes old links


def test_auto_assignment_round_robin(support: Department) -> None:
    support.assignment_strategy = AssignmentStrategy.ROUND_ROBIN
    support.save()
    first, second = AgentFactory(departments=[support]), AgentFactory(departments=[support])
    assignees = [make_ticket(department=support).assignee for _ in range(4)]
    assert assignees == [first, second, first, second]
    ticket = make_ticket(department=support)
    assert ticket.status == TicketStatus.OPEN
    assert ticket.events.filter(kind="ticket.assigned", note="auto: round_robin").exists()


def test_auto_assignment_least_loaded_and_manual(support: Department) -> None:
    busy, idle = AgentFactory(departments=[support]), AgentFactory(departments=[support])
    for _ in range(2):
        ticket_create(
            subject="x", channel="portal", requester=ContactFactory(), department=support,
            created_by=busy, assignee=busy,
        )  # fmt: skip
    assert make_ticket(department=support).assignee is None  # manual by default
    support.assignment_strategy = AssignmentStrategy.LEAST_LOADED
    support.save()
    assert make_ticket(department=support).assignee == idle


def test_organization_default_engineer_is_preferred(support: Department) -> None:
    engineer = AgentFactory(departments=[DepartmentFactory()])
    organization = OrganizationFactory(default_engineer=engineer)
    ticket = make_ticket(requester=ContactFactory(organization=organization), department=support)
    assert ticket.assignee == engineer


def test_best_fit_uses_skills_language_and_area(support: Department) -> None:
    support.assignment_strategy = AssignmentStrategy.BEST_FIT
    support.save()
    category = CategoryFactory(default_department=support, skills=["networking"])
    AgentFactory(departments=[support], skills=["printing"], languages=["en"])
    expert = AgentFactory(
        departments=[support], skills=["networking"], languages=["fa"], service_area="Tehran"
    )
    customer = ContactFactory(language="fa", service_area="Tehran")
    ticket = make_ticket(requester=customer, department=None, category=category)
    assert ticket.assignee == expert

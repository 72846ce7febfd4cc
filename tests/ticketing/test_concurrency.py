"""Two people acting on the same ticket at the same moment, through two real database
connections (one per thread, as two web workers would).

Row locks only matter between transactions that see each other's commits, so nothing
here is written inside the usual rolled-back test transaction: every write goes through a
thread's own connection and is committed in tenant ``alpha``'s schema, under unique
names, and deleted again when the test ends. The test's own connection only reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest

from accounts.models import User
from tenants.db import connection
from tenants.models import Tenant, TenantSettings
from tests.conftest import TenantUnderTest
from tests.threads import at_once, committed_by
from tests.ticketing.factories import (
    AgentFactory,
    ContactFactory,
    DepartmentFactory,
    UserFactory,
    make_ticket,
)
from ticketing.errors import AssigneeNotEligible, OpenTicketLimitReached
from ticketing.models import Agent, Channel, Contact, Department, Ticket, TicketEvent
from ticketing.services.operations import ticket_assign, ticket_take, ticket_transfer
from ticketing.services.tickets import ticket_create


@dataclass
class Committed:
    """Rows committed in tenant alpha through other connections (the test's own
    connection is inside the rolled-back test transaction and only reads), removed
    again when the test ends."""

    tenant: Tenant
    department: Department
    user_ids: list[int] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)

    def agent(self, name: str) -> Agent:
        email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@race.example"

        def create() -> Agent:
            user = UserFactory.create(email=email, full_name=name)
            agent: Agent = AgentFactory.create(user=user, departments=[self.department])
            return agent

        agent = committed_by(self.tenant, create)
        self.user_ids.append(agent.user_id)
        return agent

    def customer(self) -> Contact:
        email = f"customer-{uuid.uuid4().hex[:8]}@race.example"
        contact: Contact = committed_by(self.tenant, partial(ContactFactory.create, email=email))
        self.contact_ids.append(contact.pk)
        return contact

    def ticket(self) -> Ticket:
        customer = self.customer()
        return committed_by(
            self.tenant, partial(make_ticket, requester=customer, department=self.department)
        )

    def remove(self) -> None:
        Ticket.objects.filter(department=self.department).delete()
        Ticket.objects.filter(requester_id__in=self.contact_ids).delete()
        Contact.objects.filter(pk__in=self.contact_ids).delete()
        User.objects.filter(pk__in=self.user_ids).delete()  # their agents go with them
        Department.objects.filter(pk=self.department.pk).delete()


@pytest.fixture
def committed(db: None, session_tenants: dict[str, TenantUnderTest]) -> Iterator[Committed]:
    # ``db`` makes sure the test database is set up even when this module runs alone;
    # its transaction only wraps this thread's connection, which reads but never writes.
    tenant = session_tenants["alpha"].tenant
    connection.set_tenant(tenant)
    name = f"Race {uuid.uuid4().hex[:8]}"
    data = Committed(
        tenant=tenant, department=committed_by(tenant, partial(DepartmentFactory.create, name=name))
    )
    try:
        yield data
    finally:
        committed_by(tenant, data.remove)


def _fresh(model: type[Any], pk: int) -> Any:
    return model.objects.get(pk=pk)


def _take(ticket_id: int, agent_id: int) -> Ticket:
    return ticket_take(ticket=_fresh(Ticket, ticket_id), actor=_fresh(Agent, agent_id))


def test_two_agents_take_the_same_ticket_one_gets_it(committed: Committed) -> None:
    ava, ben = committed.agent("Ava Race"), committed.agent("Ben Race")
    for _round in range(3):
        ticket = committed.ticket()
        results = at_once(
            committed.tenant, partial(_take, ticket.pk, ava.pk), partial(_take, ticket.pk, ben.pk)
        )
        winners = [r for r in results if isinstance(r, Ticket)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1, results
        assert len(losers) == 1, results
        assert isinstance(losers[0], AssigneeNotEligible), results
        ticket.refresh_from_db()
        assert ticket.assignee_id == winners[0].assignee_id
        assert ticket.assignee_id in (ava.pk, ben.pk)
        assert TicketEvent.objects.filter(ticket=ticket, kind="ticket.assigned").count() == 1


def _reassign(op: str, ticket_id: int, *, actor_id: int, to_id: int) -> Ticket:
    ticket, actor, to = _fresh(Ticket, ticket_id), _fresh(Agent, actor_id), _fresh(Agent, to_id)
    if op == "assign":
        return ticket_assign(ticket=ticket, assignee=to, actor=actor)
    return ticket_transfer(ticket=ticket, actor=actor, to_agent=to, reason="race")


@pytest.mark.parametrize(
    ("first_op", "second_op"),
    [("assign", "assign"), ("transfer", "transfer"), ("assign", "transfer")],
)
def test_concurrent_reassignments_are_serialised_and_chained(
    committed: Committed, first_op: str, second_op: str
) -> None:
    ava, ben = committed.agent("Ava Race"), committed.agent("Ben Race")
    xena, yuri = committed.agent("Xena Race"), committed.agent("Yuri Race")

    for _round in range(3):
        ticket = committed.ticket()
        results = at_once(
            committed.tenant,
            partial(_reassign, first_op, ticket.pk, actor_id=ava.pk, to_id=xena.pk),
            partial(_reassign, second_op, ticket.pk, actor_id=ben.pk, to_id=yuri.pk),
        )
        assert all(isinstance(r, Ticket) for r in results), results

        events = list(
            TicketEvent.objects.filter(
                ticket=ticket, kind__in=["ticket.assigned", "ticket.transferred"]
            ).order_by("id")
        )
        assert len(events) == 2
        first, second = events
        # The timeline (ordered by time) tells the changes in the order they happened.
        assert list(ticket.events.filter(pk__in=[first.pk, second.pk])) == [first, second]
        assert first.before["assignee"] is None
        # The second change started from the first one's result, not from a stale read.
        shared = second.before.keys() & first.after.keys()
        assert "assignee" in shared
        assert {key: second.before[key] for key in shared} == {
            key: first.after[key] for key in shared
        }
        ticket.refresh_from_db()
        assert ticket.assignee_id == second.after["assignee"]
        assert ticket.assignee_id in (xena.pk, yuri.pk)
        if "department" in second.after:
            assert ticket.department_id == second.after["department"]


@pytest.fixture
def one_open_ticket_each(committed: Committed) -> Iterator[None]:
    row = TenantSettings.objects.filter(tenant=committed.tenant)
    before = row.get().open_tickets_per_customer
    committed_by(committed.tenant, partial(row.update, open_tickets_per_customer=1))
    try:
        yield
    finally:
        committed_by(committed.tenant, partial(row.update, open_tickets_per_customer=before))


def _submit(subject: str, *, customer_id: int, department_id: int) -> Ticket:
    return ticket_create(
        subject=subject,
        description="Sent twice by a double click.",
        channel=Channel.PORTAL,
        requester=_fresh(Contact, customer_id),
        department=_fresh(Department, department_id),
    )


def test_open_ticket_limit_holds_for_simultaneous_submissions(
    committed: Committed, one_open_ticket_each: None
) -> None:
    for _round in range(3):
        customer = committed.customer()
        submit = partial(_submit, customer_id=customer.pk, department_id=committed.department.pk)
        results = at_once(
            committed.tenant, partial(submit, "First click"), partial(submit, "Second click")
        )
        created = [r for r in results if isinstance(r, Ticket)]
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(created) == 1, results
        assert len(refused) == 1, results
        assert isinstance(refused[0], OpenTicketLimitReached), results
        assert list(Ticket.objects.filter(requester=customer)) == created

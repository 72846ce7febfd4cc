"""factory_boy factories for the ticketing core. Use them inside a tenant schema
(the ``in_alpha`` fixture of tests/ticketing/conftest.py)."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from ticketing.models import (
    Agent,
    AgentRole,
    Category,
    Channel,
    Contact,
    Department,
    Organization,
    Priority,
    Product,
)
from ticketing.services.tickets import ticket_create

ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password("pass-word-123")


class DepartmentFactory(DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class CategoryFactory(DjangoModelFactory[Category]):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Service {n}")
    default_department = factory.SubFactory(DepartmentFactory)


class AgentFactory(DjangoModelFactory[Agent]):
    """An active agent available around the clock, member of ``departments``."""

    class Meta:
        model = Agent
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = AgentRole.AGENT
    weekly_availability = factory.LazyFunction(lambda: dict(ALWAYS))
    max_open_tickets = 25

    @factory.post_generation
    def departments(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.departments.add(*extracted)


class OrganizationFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")


class ContactFactory(DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.org")


class CustomerFactory(ContactFactory):
    """A contact with a portal account."""

    user = factory.SubFactory(UserFactory, email=factory.SelfAttribute("..email"))


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")


def priority(level: int = 3) -> Priority:
    return Priority.objects.get(level=level)


def make_ticket(
    *,
    requester: Contact | None = None,
    department: Department | None = None,
    subject: str = "Printer on fire",
    channel: str = Channel.PORTAL,
    **kwargs: Any,
) -> Any:
    """A ticket opened through the service, as a customer would. Without a department
    or category, a new department is made."""
    if department is None and kwargs.get("category") is None:
        department = DepartmentFactory.create()
    return ticket_create(
        subject=subject,
        description=kwargs.pop("description", "It smokes."),
        channel=channel,
        requester=requester or ContactFactory(),
        department=department,
        **kwargs,
    )

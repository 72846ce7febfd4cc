"""People: registration, approval, duplicates, agents and the first admin."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import make_ticket
from ticketing.errors import ContactNotAllowed, DuplicateContact, PermissionDenied
from ticketing.models import Agent, AgentRole, Department, HelpdeskSettings
from ticketing.services.people import (
    contact_create,
    contact_register,
    contact_set_ticket_access,
    contact_update,
)


def test_first_admin_of_a_tenant_is_an_admin_agent(in_alpha: TenantUnderTest) -> None:
    admin = Agent.objects.get(user__email="admin@alpha.example")
    assert admin.role == AgentRole.ADMIN


def test_registration_needing_approval(
    support: Department, agent: Agent, supervisor: Agent
) -> None:
    HelpdeskSettings.objects.filter(pk=1).update(require_registration_approval=True)
    user = User.objects.create_user("new@customer.example", "pw-123456789")
    contact = contact_register(user=user, full_name="New Customer")
    assert not contact.ticket_access_enabled
    with pytest.raises(ContactNotAllowed, match="waiting for approval"):
        make_ticket(requester=contact, department=support)
    with pytest.raises(PermissionDenied):
        contact_set_ticket_access(contact=contact, enabled=True, actor=agent)
    contact_set_ticket_access(contact=contact, enabled=True, actor=supervisor)
    assert make_ticket(requester=contact, department=support).requester == contact


def test_registration_links_a_contact_made_by_phone(in_alpha: TenantUnderTest) -> None:
    by_phone = contact_create(full_name="Piotr Nowak", email="piotr@example.pl", phone="600100200")
    user = User.objects.create_user("Piotr@Example.pl", "pw-123456789")
    assert contact_register(user=user, full_name="Piotr N.") == by_phone
    by_phone.refresh_from_db()
    assert by_phone.user == user
    assert by_phone.full_name == "Piotr Nowak"


def test_emails_are_unique_per_tenant_whatever_the_case(in_alpha: TenantUnderTest) -> None:
    first = contact_create(full_name="A", email="same@example.com")
    with pytest.raises(DuplicateContact, match="already exists"):
        contact_create(full_name="B", email="SAME@example.com")
    other = contact_create(full_name="C", email="other@example.com")
    with pytest.raises(DuplicateContact):
        contact_update(contact=other, email="Same@Example.com")
    assert contact_update(contact=first, phone="+48 600-100-200").phone_digits_reversed == (
        "002001006" + "84"
    )

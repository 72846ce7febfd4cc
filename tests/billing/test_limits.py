"""Plan limits reach the core as tenant.limits: refused before anything is written;
seats follow agent changes; SMS stop over the monthly quota while email continues."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from accounts.models import User
from billing.models import BillingAccount, Plan, SmsUsage
from billing.selectors import plan_list_public
from notifications.models import Notification, NotificationStatus
from notifications.services import SMS_QUOTA_REACHED, notification_deliver
from tenants.models import Tenant
from tenants.routing import router
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import AgentFactory, CustomerFactory, make_ticket
from ticketing.errors import PlanLimitReached
from ticketing.models import Agent, Department
from ticketing.services.people import agent_create, agent_set_active, department_create


def _limits(tenant: TenantUnderTest, **limits: Any) -> None:
    free = Plan.objects.get(code="free").limits_json()
    Tenant.objects.filter(pk=tenant.tenant.pk).update(plan_limits={**free, **limits})
    router.clear()  # billing invalidates routes after its commit; tests do it here


def test_the_default_plans_are_seeded_for_the_pricing_page(db: None) -> None:
    plans = plan_list_public()
    assert [plan["code"] for plan in plans] == ["free", "team", "business"]
    free = plans[0]
    assert free["limits"]["agents"] == 1
    assert free["limits"]["sms_per_month"] == 0
    assert plans[2]["limits"]["agents"] is None
    assert "custom_domain" in plans[2]["features"]


def test_a_new_tenant_is_on_a_trial_with_the_trial_plans_limits(tenant_a: TenantUnderTest) -> None:
    account = BillingAccount.objects.get(tenant=tenant_a.tenant)
    assert account.status == "trialing"
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).limits.agents == 25


def test_the_free_plan_cannot_add_a_second_agent(in_alpha: TenantUnderTest) -> None:
    _limits(in_alpha)
    with pytest.raises(PlanLimitReached, match="allows 1 agent"):
        agent_create(email="second@alpha.example", full_name="Second")
    # Nothing half-done: no user, no agent.
    assert not User.objects.filter(email="second@alpha.example").exists()
    assert Agent.objects.count() == 1


def test_reactivating_an_agent_needs_a_free_seat(in_alpha: TenantUnderTest) -> None:
    _limits(in_alpha, agents=2)
    helper = agent_create(email="helper@alpha.example", full_name="Helper")
    idle = AgentFactory.create(is_active=False)
    with pytest.raises(PlanLimitReached):
        agent_set_active(agent=idle, active=True)
    idle.refresh_from_db()
    assert not idle.is_active
    agent_set_active(agent=helper, active=False)
    assert agent_set_active(agent=idle, active=True).is_active


def test_departments_are_limited_too(in_alpha: TenantUnderTest) -> None:
    _limits(in_alpha, departments=1)
    department_create(name="Support")
    with pytest.raises(PlanLimitReached, match="allows 1 department"):
        department_create(name="Sales")
    assert Department.objects.count() == 1


def test_agent_changes_update_the_seats_after_the_commit(
    in_alpha: TenantUnderTest, django_capture_on_commit_callbacks: Any, eager_tasks: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        agent = agent_create(email="seat@alpha.example", full_name="Seat")
    assert len(callbacks) == 1
    assert BillingAccount.objects.get(tenant=in_alpha.tenant).seats == 2
    with django_capture_on_commit_callbacks(execute=True):
        agent_set_active(agent=agent, active=False)
    assert BillingAccount.objects.get(tenant=in_alpha.tenant).seats == 1


def test_a_refused_agent_changes_no_seats(
    in_alpha: TenantUnderTest, django_capture_on_commit_callbacks: Any
) -> None:
    _limits(in_alpha)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PlanLimitReached):
        agent_create(email="no@alpha.example", full_name="No")
    assert callbacks == []


def test_sms_stop_over_the_quota_email_continues_and_the_admin_is_told(
    in_alpha: TenantUnderTest, support: Department, eager_tasks: None
) -> None:
    _limits(in_alpha, sms_per_month=1)
    texter = CustomerFactory.create(phone="+48 600 100 200", preferred_channel="sms", email="")
    writer = CustomerFactory.create(email="writer@example.com")
    make_ticket(department=support, requester=texter)
    make_ticket(department=support, requester=texter)
    make_ticket(department=support, requester=writer)
    first, second = Notification.objects.filter(channel="sms").order_by("pk")
    email = Notification.objects.get(channel="email", address="writer@example.com")
    mail.outbox.clear()
    assert notification_deliver(first.pk) == NotificationStatus.SENT
    assert notification_deliver(second.pk) == NotificationStatus.DEAD
    second.refresh_from_db()
    assert second.last_error == SMS_QUOTA_REACHED
    assert notification_deliver(email.pk) == NotificationStatus.SENT
    with schema_context("public"):
        usage = SmsUsage.objects.get(tenant=in_alpha.tenant)
    assert (usage.sent, usage.refused) == (1, 1)
    told = [m for m in mail.outbox if "SMS quota" in m.subject]
    assert [m.to for m in told] == [["admin@alpha.example"]]
    # An upgrade lifts the stop at once.
    _limits(in_alpha, sms_per_month=500)
    known = set(Notification.objects.filter(channel="sms").values_list("pk", flat=True))
    make_ticket(department=support, requester=texter)
    [fresh] = Notification.objects.filter(channel="sms").exclude(pk__in=known)
    assert notification_deliver(fresh.pk) == NotificationStatus.SENT


def test_api_keys_need_a_plan_with_api_access(tenant_a: TenantUnderTest) -> None:
    from django.test import Client

    from api.services import api_key_create

    with schema_context(tenant_a.tenant.schema_name):
        admin = Agent.objects.get(user__email=tenant_a.admin.email)
        secret = api_key_create(actor=admin, name="CRM", scopes=["read"]).secret
    client = Client(HTTP_HOST=tenant_a.host, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/departments/").status_code == 200  # Team trial: included
    _limits(tenant_a)  # Free: no API access
    refused = client.get("/api/v1/departments/")
    assert refused.status_code == 403
    assert "does not include API access" in refused.content.decode()


def test_attachment_storage_is_limited(in_alpha: TenantUnderTest) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ticketing.errors import AttachmentRejected
    from ticketing.services.attachments import attachments_prepare

    _limits(in_alpha, storage_mb=1)
    text = b"hello\n" * 100_000  # 600 kB
    [stored] = attachments_prepare([SimpleUploadedFile("a.txt", text)])
    from tests.ticketing.factories import make_ticket as ticket_for
    from ticketing.services.attachments import attachments_attach

    department = Department.objects.create(name="Files")
    attachments_attach(
        ticket=ticket_for(department=department), message=None, files=[stored], uploaded_by=None
    )
    with pytest.raises(AttachmentRejected, match="storage of your plan"):
        attachments_prepare([SimpleUploadedFile("b.txt", text)])


def test_limits_read_back_what_billing_writes(db: None) -> None:
    from tenants.limits import TenantLimits

    assert TenantLimits.from_json({}) == TenantLimits()
    assert TenantLimits.from_json({}).has_feature("api_access")  # no plan: nothing withheld
    team = TenantLimits.from_json(Plan.objects.get(code="team").limits_json())
    assert (team.agents, team.departments, team.sms_per_month) == (25, 10, 500)
    assert team.sla_escalation_levels == 2
    assert team.has_feature("api_access")
    assert not team.has_feature("custom_domain")
    junk = TenantLimits.from_json({"agents": "many", "departments": -1, "features": "x"})
    assert (junk.agents, junk.departments, junk.restricts_features) == (None, None, False)

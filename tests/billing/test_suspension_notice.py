"""A tenant suspended for non-payment says so: customers see "temporarily unavailable",
staff see the billing problem, admins get the way to the billing page (and only that
page) so they can pay. Distinct from an operator's suspension and from maintenance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import AccountStatus, BillingAccount
from billing.services import accounts_enforce_grace, invoice_sync
from tenants.models import Tenant, TenantStatus
from tenants.services import tenant_resume, tenant_settings_update, tenant_suspend
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import AgentFactory, CustomerFactory

PORTAL_NOTICE = "temporarily unavailable"
STAFF_NOTICE = "Billing problem"
FACTORY_PASSWORD = "pass-word-123"


@pytest.fixture
def suspended_for_billing(tenant_a: TenantUnderTest) -> TenantUnderTest:
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(
        status=AccountStatus.PAST_DUE,
        past_due_since=timezone.now() - timedelta(days=30),
        stripe_customer_id="cus_alpha",
    )
    assert accounts_enforce_grace() == ["alpha"]
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).is_suspended_for_billing
    return tenant_a


def _people(tenant: TenantUnderTest) -> None:
    from django_tenants.utils import schema_context

    with schema_context(tenant.tenant.schema_name):
        AgentFactory.create(user__email="agent@alpha.example")
        CustomerFactory.create(email="customer@alpha.example")


def test_customers_and_visitors_only_see_temporarily_unavailable(
    suspended_for_billing: TenantUnderTest,
) -> None:
    tenant = suspended_for_billing
    _people(tenant)
    for client in (
        tenant.client(),
        tenant.signed_in_client("customer@alpha.example", FACTORY_PASSWORD),
    ):
        for path in ("/", "/help/", "/tickets/", "/console/"):
            response = client.get(path)
            assert response.status_code == 503, path
            page = response.content.decode()
            assert PORTAL_NOTICE in page
            assert STAFF_NOTICE not in page
            assert "payment" not in page.lower()
    # Signing in still works, so that staff can reach the notice and the billing page.
    assert tenant.client().get("/accounts/login/").status_code == 200


def test_staff_see_the_billing_problem_and_admins_reach_the_billing_page(
    suspended_for_billing: TenantUnderTest,
) -> None:
    tenant = suspended_for_billing
    _people(tenant)
    agent = tenant.signed_in_client("agent@alpha.example", FACTORY_PASSWORD)
    response = agent.get("/console/")
    assert response.status_code == 503
    page = response.content.decode()
    assert STAFF_NOTICE in page
    assert "Ask an administrator" in page
    assert 'href="/admin-console/billing/"' not in page
    assert agent.get("/admin-console/billing/").status_code == 503

    admin = tenant.signed_in_client(tenant.admin.email)
    for path in ("/console/", "/admin-console/", "/admin-console/agents/", "/"):
        response = admin.get(path)
        assert response.status_code == 503, path
        page = response.content.decode()
        assert STAFF_NOTICE in page
        assert "Update payment method" in page
        assert 'href="/admin-console/billing/"' in page
    billing = admin.get("/admin-console/billing/")
    assert billing.status_code == 200
    assert "The help desk is paused because a payment failed" in billing.content.decode()


def test_the_api_answers_503_problem_json(suspended_for_billing: TenantUnderTest) -> None:
    response = suspended_for_billing.client().get("/api/v1/tickets/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "tenant_unavailable"


def test_a_payment_reopens_everything(suspended_for_billing: TenantUnderTest) -> None:
    tenant = suspended_for_billing
    invoice_sync(
        invoice={
            "id": "in_paid",
            "customer": "cus_alpha",
            "status": "paid",
            "amount_due": 1500,
            "created": 1_700_000_000,
        }
    )
    assert Tenant.objects.get(pk=tenant.tenant.pk).status == TenantStatus.ACTIVE
    admin = tenant.signed_in_client(tenant.admin.email)
    assert admin.get("/console/").status_code == 200
    assert tenant.client().get("/").status_code == 200


def test_an_operator_suspension_is_not_a_billing_notice(tenant_a: TenantUnderTest) -> None:
    admin = tenant_a.signed_in_client(tenant_a.admin.email)
    tenant_suspend(slug="alpha", reason="abuse report")
    try:
        for path in ("/console/", "/admin-console/billing/", "/accounts/login/", "/"):
            response = admin.get(path)
            assert response.status_code == 503, path
            page = response.content.decode()
            assert PORTAL_NOTICE in page
            assert STAFF_NOTICE not in page
    finally:
        tenant_resume(slug="alpha")


def test_maintenance_mode_is_not_a_billing_notice(tenant_a: TenantUnderTest) -> None:
    tenant_settings_update(tenant_id=tenant_a.tenant.pk, maintenance_mode=True)
    from tenants.routing import router

    router.clear()
    admin = tenant_a.signed_in_client(tenant_a.admin.email)
    assert admin.get("/console/").status_code == 200
    page = tenant_a.client().get("/tickets/new/").content.decode()
    assert STAFF_NOTICE not in page
    assert PORTAL_NOTICE not in page


def test_tenant_b_is_untouched_by_a_suspension_of_tenant_a(
    suspended_for_billing: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    assert tenant_b.client().get("/").status_code == 200
    assert tenant_b.signed_in_client(tenant_b.admin.email).get("/console/").status_code == 200

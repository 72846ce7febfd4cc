"""The billing page (tenant admins only, this tenant's data only) and the operators'
overview."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import User
from billing.models import AccountStatus, BillingAccount, Invoice, Plan
from billing.services import account_for
from tests.billing.stripe_servers import StripeShim
from tests.conftest import PASSWORD, TenantUnderTest
from tests.ticketing.factories import AgentFactory

PAGE = "/admin-console/billing/"


def _invoice(tenant: TenantUnderTest, number: str, **fields: Any) -> Invoice:
    return Invoice.objects.create(
        tenant=tenant.tenant,
        stripe_invoice_id=f"in_{number}",
        number=number,
        status=fields.pop("status", "paid"),
        amount_due=fields.pop("amount_due", 4500),
        hosted_invoice_url=f"https://invoice.stripe.test/{number}",
        created_at=timezone.now(),
        **fields,
    )


def _operator() -> Client:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    operator = User.objects.create_user("operator@example.com", PASSWORD, is_staff=True)
    TOTP.activate(operator, generate_totp_secret())  # operators must use two-factor sign-in
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    assert client.login(email="operator@example.com", password=PASSWORD)
    return client


def test_the_admin_sees_plan_trial_and_invoices_without_stripe(
    tenant_a: TenantUnderTest, django_assert_max_num_queries: Any
) -> None:
    _invoice(tenant_a, "A-0001")
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    with django_assert_max_num_queries(30):
        response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Online payment is not set up" in page
    assert "Team" in page
    assert "Trial ends" in page
    assert "A-0001" in page
    assert "https://invoice.stripe.test/A-0001" in page


def test_tenant_a_admin_cannot_see_tenant_b_invoices(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    _invoice(tenant_a, "ALPHA-1")
    _invoice(tenant_b, "BRAVO-1")
    page = tenant_a.signed_in_client(tenant_a.admin.email).get(PAGE).content.decode()
    assert "ALPHA-1" in page
    assert "BRAVO-1" not in page
    # B's admin signing in on A's host is unknown there.
    assert not tenant_a.can_sign_in(tenant_b.admin.email)


def test_agents_and_customers_cannot_open_the_billing_page(in_alpha: TenantUnderTest) -> None:
    AgentFactory.create(user__email="plain@alpha.example")
    client = in_alpha.signed_in_client("plain@alpha.example", "pass-word-123")
    assert client.get(PAGE).status_code == 403
    assert in_alpha.client().get(PAGE).status_code == 302


def test_subscribing_without_stripe_says_so(tenant_a: TenantUnderTest) -> None:
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    response = client.post(PAGE, {"action": "subscribe", "plan": "team"}, follow=True)
    assert response.status_code == 200
    assert "Online payment is not set up" in response.content.decode()


def test_subscribing_redirects_to_stripe_checkout(
    tenant_a: TenantUnderTest, stripe_on: StripeShim
) -> None:
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    page = client.get(PAGE).content.decode()
    assert "Choose Business" in page
    response = client.post(PAGE, {"action": "subscribe", "plan": "business"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{stripe_on.url}/pay/cs_test_")
    session = stripe_on.sessions[response["Location"].rsplit("/", 1)[1]]
    assert session["price"] == "caseway-business-monthly"
    assert session["client_reference_id"] == str(tenant_a.tenant.pk)
    assert session["success_url"].startswith(f"http://{tenant_a.host}{PAGE}")


def test_bad_input_on_the_billing_page_is_a_message_not_an_error(
    tenant_a: TenantUnderTest, stripe_on: StripeShim
) -> None:
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    for data in (
        {"action": "subscribe", "plan": "nope"},
        {"action": "change_plan", "plan": "team"},
        {"action": "cancel"},
        {"action": "explode"},
        {},
    ):
        response = client.post(PAGE, data, follow=True)
        assert response.status_code == 200, data


def test_the_card_portal_is_stripes(tenant_a: TenantUnderTest, stripe_on: StripeShim) -> None:
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    response = client.post(PAGE, {"action": "portal"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{stripe_on.url}/portal/")
    assert account_for(tenant=tenant_a.tenant).stripe_customer_id.startswith("cus_")


def test_staff_see_a_banner_while_a_payment_is_overdue(tenant_a: TenantUnderTest) -> None:
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(
        past_due_since=timezone.now() - timedelta(days=1), status=AccountStatus.PAST_DUE
    )
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    page = client.get("/admin-console/").content.decode()
    assert "A payment failed" in page
    assert tenant_a.client().get("/").content.decode().count("A payment failed") == 0


def test_operators_see_mrr_plans_statuses_and_failed_payments(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest, django_assert_max_num_queries: Any
) -> None:
    team = Plan.objects.get(code="team")
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(
        plan=team, status=AccountStatus.ACTIVE, seats=3
    )
    _invoice(tenant_b, "FAILED-9", status="open", payment_failed=True)
    operator = _operator()
    with django_assert_max_num_queries(15):
        response = operator.get("/ops/billing/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "45.00 USD" in page  # 3 seats × 15.00
    assert "FAILED-9" in page
    assert "Tenants by plan" in page


def test_operators_extend_a_trial_and_comp_a_plan(tenant_a: TenantUnderTest) -> None:
    operator = _operator()
    before = BillingAccount.objects.get(tenant=tenant_a.tenant).trial_ends_at
    assert before is not None
    response = operator.post(
        "/ops/billing/", {"action": "extend_trial", "tenant": "alpha", "days": "10"}
    )
    assert response.status_code == 302
    after = BillingAccount.objects.get(tenant=tenant_a.tenant).trial_ends_at
    assert after is not None
    assert after - before == timedelta(days=10)
    response = operator.post(
        "/ops/billing/", {"action": "comp", "tenant": "alpha", "plan": "business", "until": ""}
    )
    assert response.status_code == 302
    account = BillingAccount.objects.select_related("plan").get(tenant=tenant_a.tenant)
    assert account.status == AccountStatus.COMPED
    assert account.plan.code == "business"
    tenant_a.tenant.refresh_from_db()
    assert tenant_a.tenant.limits.agents is None


def test_operator_forms_report_bad_input(tenant_a: TenantUnderTest) -> None:
    operator = _operator()
    response = operator.post(
        "/ops/billing/", {"action": "extend_trial", "tenant": "nobody", "days": "999"}
    )
    assert response.status_code == 400
    assert "No tenant with this address" in response.content.decode()


@pytest.mark.parametrize("path", ["/ops/billing/"])
def test_the_operator_page_is_for_operators_only(db: None, path: str) -> None:
    User.objects.create_user("someone@example.com", PASSWORD)
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    assert client.get(path).status_code == 302
    assert client.login(email="someone@example.com", password=PASSWORD)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    ("language", "word"), [("fa", "صورتحساب"), ("pl", "Rozliczenia"), ("zh-hans", "账单")]
)
def test_the_billing_page_speaks_the_admins_language(
    tenant_a: TenantUnderTest, language: str, word: str
) -> None:
    _invoice(tenant_a, "L-1")
    from django_tenants.utils import schema_context

    with schema_context(tenant_a.tenant.schema_name):
        User.objects.filter(pk=tenant_a.admin.pk).update(language=language)
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert word in response.content.decode()


def test_cancel_resume_cancel_each_reach_stripe_with_their_own_key(
    tenant_a: TenantUnderTest,
    stripe_on: StripeShim,
    localstripe: Any,
    stripe_prices: dict[str, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    customer = localstripe.post("/v1/customers", {"email": "admin@alpha.example"})
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}
    method = localstripe.post("/v1/payment_methods", {"type": "card", "card": card})
    localstripe.post(f"/v1/payment_methods/{method['id']}/attach", {"customer": customer["id"]})
    localstripe.post(
        f"/v1/customers/{customer['id']}",
        {"invoice_settings": {"default_payment_method": method["id"]}},
    )
    subscription = localstripe.post(
        "/v1/subscriptions",
        {"customer": customer["id"], "items": [{"plan": stripe_prices["team"], "quantity": 1}]},
    )
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(
        stripe_customer_id=customer["id"],
        stripe_subscription_id=subscription["id"],
        stripe_status="active",
        status=AccountStatus.ACTIVE,
    )
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    stripe_on.requests.clear()
    for action in ("cancel", "resume", "cancel"):
        nonce = client.get(PAGE).context["nonce"]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(PAGE, {"action": action, "nonce": nonce})
        assert response.status_code == 302
    keys = [key for method_, path, key in stripe_on.requests if method_ == "POST"]
    assert len(keys) == 3
    assert len(set(keys)) == 3
    assert localstripe.get(f"/v1/subscriptions/{subscription['id']}")["cancel_at_period_end"]
    account = BillingAccount.objects.get(tenant=tenant_a.tenant)
    assert account.cancel_at_period_end
    page = client.get(PAGE).content.decode()
    assert "Resume subscription" in page

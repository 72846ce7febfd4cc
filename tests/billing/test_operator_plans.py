"""Operators edit plans on /ops/billing/plans/ (two-factor operators only, every change
audited): create, change (the tenants on the plan get the new limits at once),
validation with the typed values kept, deactivate instead of delete while tenants are on
a plan."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry
from billing.models import AccountStatus, BillingAccount, Plan
from billing.selectors import plan_list_public
from tenants.models import Tenant
from tests.billing.test_pages import _operator
from tests.conftest import PASSWORD, TenantUnderTest

PLANS = "/ops/billing/plans/"


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "pro",
        "name": "Pro",
        "stripe_price_id": "price_pro_monthly",
        "unit_amount": "2500",
        "currency": "eur",
        "interval": "month",
        "trial_days": "7",
        "max_agents": "50",
        "max_departments": "",
        "storage_mb": "50000",
        "sms_per_month": "1000",
        "features": ["api_access", "custom_domain"],
        "sla_escalation_levels": "3",
        "is_public": "on",
        "is_active": "on",
        "position": "3",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_an_operator_creates_a_plan_that_appears_on_the_pricing_page(db: None) -> None:
    operator = _operator()
    assert operator.get(f"{PLANS}new/").status_code == 200
    response = operator.post(f"{PLANS}new/", _form())
    assert response.status_code == 302
    plan = Plan.objects.get(code="pro")
    assert (plan.currency, plan.unit_amount, plan.max_departments) == ("eur", 2500, None)
    assert plan.features == ["api_access", "custom_domain"]
    assert "pro" in [row["code"] for row in plan_list_public()]
    entry = AuditEntry.objects.get(action="plan.created")
    assert entry.target == "pro"
    assert entry.actor_label == "operator@example.com"
    page = operator.get(PLANS).content.decode()
    assert "Pro" in page
    assert "25.00 EUR" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"code": "team"}, "code", "already"),
        ({"code": "Has Spaces"}, "code", ""),
        ({"name": ""}, "name", ""),
        ({"stripe_price_id": ""}, "stripe_price_id", "paid plan needs"),
        ({"stripe_price_id": "caseway-team-monthly"}, "stripe_price_id", "already uses"),
        ({"stripe_price_id": "price with spaces"}, "stripe_price_id", "letters, digits"),
        ({"currency": "e1r"}, "currency", "three-letter"),
        ({"currency": "euro"}, "currency", ""),
        ({"interval": "week"}, "interval", ""),
        ({"trial_days": "400"}, "trial_days", "at most 365"),
        ({"max_agents": "0"}, "max_agents", "at least one agent"),
        ({"max_agents": "-3"}, "max_agents", ""),
        ({"sms_per_month": "lots"}, "sms_per_month", ""),
        ({"features": ["teleport"]}, "features", ""),
        ({"sla_escalation_levels": "50"}, "sla_escalation_levels", "At most 20"),
        ({"code": "new"}, "code", "reserved"),
    ],
)
def test_bad_plans_are_field_errors_and_keep_what_was_typed(
    db: None, overrides: dict[str, Any], field: str, message: str
) -> None:
    operator = _operator()
    response = operator.post(f"{PLANS}new/", _form(**{"name": "Kept name", **overrides}))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    if message:
        assert message in " ".join(form.errors[field])
    assert form.data["unit_amount"] == "2500"
    assert not Plan.objects.filter(name="Kept name").exists()


def test_changing_a_plan_gives_its_tenants_the_new_limits_at_once(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    team = Plan.objects.get(code="team")
    business = Plan.objects.get(code="business")
    BillingAccount.objects.filter(tenant=tenant_b.tenant).update(plan=business)
    operator = _operator()
    form = _form(
        code="team",
        name="Team",
        stripe_price_id=team.stripe_price_id,
        unit_amount="1500",
        currency="usd",
        max_agents="7",
        features=["api_access", "branding_removal"],
    )
    response = operator.post(f"{PLANS}team/", form)
    assert response.status_code == 302, response.content.decode()
    limits = Tenant.objects.get(pk=tenant_a.tenant.pk).limits
    assert limits.agents == 7
    assert limits.has_feature("branding_removal")
    assert Tenant.objects.get(pk=tenant_b.tenant.pk).limits.agents == 25  # other plan: as it was
    entry = AuditEntry.objects.get(action="plan.updated", target="team")
    assert entry.changes["max_agents"] == ["25", "7"]


def test_the_free_fallback_plan_stays_free_and_keeps_its_code(db: None) -> None:
    operator = _operator()
    free = _form(code="free", name="Free", stripe_price_id="", unit_amount="0", currency="usd")
    assert operator.post(f"{PLANS}free/", free).status_code == 302
    response = operator.post(f"{PLANS}free/", {**free, "unit_amount": "900"})
    assert response.status_code == 400
    assert "must stay free" in response.content.decode()
    response = operator.post(f"{PLANS}free/", {**free, "code": "gratis"})
    assert response.status_code == 400
    inactive = {key: value for key, value in free.items() if key != "is_active"}
    response = operator.post(f"{PLANS}free/", inactive)
    assert response.status_code == 400
    assert "it stays active" in response.content.decode()
    assert Plan.objects.filter(code="free", unit_amount=0).exists()


def test_a_plan_with_tenants_is_deactivated_not_deleted(tenant_a: TenantUnderTest) -> None:
    operator = _operator()
    business = Plan.objects.get(code="business")
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(
        plan=business, status=AccountStatus.ACTIVE
    )
    response = operator.post(f"{PLANS}business/", {"action": "retire"}, follow=True)
    assert response.status_code == 200
    assert "deactivated" in response.content.decode()
    business.refresh_from_db()
    assert not business.is_active
    assert not business.is_public
    assert BillingAccount.objects.get(tenant=tenant_a.tenant).plan_id == business.pk
    assert "business" not in [row["code"] for row in plan_list_public()]
    assert AuditEntry.objects.filter(action="plan.deactivated", target="business").exists()

    operator.post(f"{PLANS}new/", _form())
    operator.post(f"{PLANS}pro/", {"action": "retire"})
    assert not Plan.objects.filter(code="pro").exists()
    assert AuditEntry.objects.filter(action="plan.deleted", target="pro").exists()


def test_the_trial_and_free_plans_cannot_be_retired(db: None) -> None:
    operator = _operator()
    for code in (settings.BILLING_FREE_PLAN, settings.BILLING_TRIAL_PLAN):
        response = operator.post(f"{PLANS}{code}/", {"action": "retire"}, follow=True)
        assert "it stays" in response.content.decode()
        assert Plan.objects.get(code=code).is_active


def test_unknown_plans_are_404(db: None) -> None:
    assert _operator().get(f"{PLANS}nope/").status_code == 404


@pytest.mark.parametrize("path", [PLANS, f"{PLANS}new/", f"{PLANS}team/"])
def test_plans_are_for_two_factor_operators_only(tenant_a: TenantUnderTest, path: str) -> None:
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    assert client.get(path).status_code == 302
    User.objects.create_user("someone@example.com", PASSWORD)
    assert client.login(email="someone@example.com", password=PASSWORD)
    assert client.get(path).status_code == 403
    assert client.post(path, _form(code="sneaky")).status_code == 403
    staff = User.objects.create_user("staff@example.com", PASSWORD, is_staff=True)
    assert staff.is_staff
    no_mfa = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    assert no_mfa.login(email="staff@example.com", password=PASSWORD)
    assert no_mfa.post(path, _form(code="sneaky")).status_code in (302, 403)
    assert not Plan.objects.filter(code="sneaky").exists()
    # A tenant host has no plan editor at all.
    admin = tenant_a.signed_in_client(tenant_a.admin.email)
    assert admin.get(path).status_code == 404


def test_trial_extensions_and_comps_are_audited(tenant_a: TenantUnderTest) -> None:
    operator = _operator()
    operator.post("/ops/billing/", {"action": "extend_trial", "tenant": "alpha", "days": "5"})
    operator.post(
        "/ops/billing/", {"action": "comp", "tenant": "alpha", "plan": "business", "until": ""}
    )
    extended = AuditEntry.objects.get(action="billing.trial_extended", target="alpha")
    assert extended.changes["days"] == ["", "5"]
    comped = AuditEntry.objects.get(action="billing.plan_comped", target="alpha")
    assert comped.changes["plan"] == ["", "business"]

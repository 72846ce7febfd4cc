"""Plan features enforced where they apply, through ``tenant.limits``: custom domains,
removing "Powered by Caseway" (portal and emails), SLA escalation levels, API access.
A downgrade keeps what exists and refuses new ones."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from billing.models import Plan
from sla.configuration import escalation_rule_save
from sla.models import EscalationRule, SlaPolicy
from tenants.errors import FeatureNotInPlan
from tenants.models import Domain, Tenant, TenantSettings
from tenants.routing import router
from tenants.services import custom_domain_add, custom_domain_remove, tenant_settings_update
from tests.conftest import TenantUnderTest
from ticketing.errors import PlanLimitReached

BRANDING = "/admin-console/branding/"


def _on_plan(tenant: TenantUnderTest, code: str, **overrides: Any) -> None:
    limits = {**Plan.objects.get(code=code).limits_json(), **overrides}
    Tenant.objects.filter(pk=tenant.tenant.pk).update(plan_limits=limits)
    router.clear()  # billing invalidates routes after its commit; tests do it here


# --- custom domain ---------------------------------------------------------------------


def test_a_plan_without_custom_domain_refuses_one_with_an_upgrade_message(
    tenant_a: TenantUnderTest,
) -> None:
    _on_plan(tenant_a, "team")
    with pytest.raises(FeatureNotInPlan, match="does not include a custom domain"):
        custom_domain_add(tenant_id=tenant_a.tenant.pk, domain="help.alpha.example")
    assert not Domain.objects.filter(domain="help.alpha.example").exists()

    client = tenant_a.signed_in_client(tenant_a.admin.email)
    page = client.get(BRANDING).content.decode()
    assert "Your plan does not include a custom domain" in page
    response = client.post(BRANDING, {"action": "domain_add", "domain": "help.alpha.example"})
    assert response.status_code == 400
    assert "does not include a custom domain" in response.content.decode()
    assert not Domain.objects.filter(domain="help.alpha.example").exists()


def test_business_adds_a_custom_domain_that_reaches_the_portal_and_keeps_it_after_a_downgrade(
    tenant_a: TenantUnderTest,
) -> None:
    _on_plan(tenant_a, "business")
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    response = client.post(BRANDING, {"action": "domain_add", "domain": "Help.Alpha.example"})
    assert response.status_code == 302
    assert Domain.objects.get(domain="help.alpha.example").tenant_id == tenant_a.tenant.pk
    assert Client(HTTP_HOST="help.alpha.example").get("/").status_code == 200

    _on_plan(tenant_a, "team")  # downgrade: what exists stays, new ones are refused
    assert Client(HTTP_HOST="help.alpha.example").get("/").status_code == 200
    assert "help.alpha.example" in client.get(BRANDING).content.decode()
    with pytest.raises(FeatureNotInPlan):
        custom_domain_add(tenant_id=tenant_a.tenant.pk, domain="second.alpha.example")


def test_bad_custom_domains_are_field_errors_and_keep_what_was_typed(
    tenant_a: TenantUnderTest,
) -> None:
    _on_plan(tenant_a, "business")
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    for typed in ("not a domain", "alpha.localhost", ""):
        response = client.post(BRANDING, {"action": "domain_add", "domain": typed})
        assert response.status_code == 400, typed
        form = response.context["domain_form"]
        assert form.errors, typed
        assert form.data["domain"] == typed


def test_tenant_a_cannot_remove_or_take_tenant_b_domains(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    _on_plan(tenant_a, "business")
    _on_plan(tenant_b, "business")
    custom_domain_add(tenant_id=tenant_b.tenant.pk, domain="help.bravo.example")
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    assert "help.bravo.example" not in client.get(BRANDING).content.decode()
    client.post(BRANDING, {"action": "domain_remove", "domain": "help.bravo.example"})
    assert not custom_domain_remove(tenant_id=tenant_a.tenant.pk, domain="help.bravo.example")
    assert Domain.objects.get(domain="help.bravo.example").tenant_id == tenant_b.tenant.pk
    response = client.post(BRANDING, {"action": "domain_add", "domain": "help.bravo.example"})
    assert response.status_code == 400
    assert "already in use" in response.content.decode()


# --- "Powered by Caseway" --------------------------------------------------------------


def test_hiding_powered_by_needs_branding_removal(tenant_a: TenantUnderTest) -> None:
    _on_plan(tenant_a, "team")
    with pytest.raises(FeatureNotInPlan, match="does not include removing"):
        tenant_settings_update(tenant_id=tenant_a.tenant.pk, hide_powered_by=True)
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    data = {
        "portal_title": "Alpha help",
        "welcome_text": "",
        "primary_colour": "#2f5bea",
        "accent_colour": "#0f9d76",
        "hide_powered_by": "on",
    }
    response = client.post(BRANDING, data)
    assert response.status_code == 400
    assert "does not include removing" in response.content.decode()
    assert response.context["form"].data["portal_title"] == "Alpha help"
    assert not TenantSettings.objects.get(pk=tenant_a.tenant.pk).hide_powered_by
    assert "Powered by Caseway" in tenant_a.client().get("/").content.decode()


def test_the_footer_is_hidden_only_while_the_plan_allows_it(tenant_a: TenantUnderTest) -> None:
    _on_plan(tenant_a, "business")
    tenant_settings_update(tenant_id=tenant_a.tenant.pk, hide_powered_by=True)
    router.clear()
    assert "Powered by Caseway" not in tenant_a.client().get("/").content.decode()
    _on_plan(tenant_a, "free")  # downgraded: the footer is back
    assert "Powered by Caseway" in tenant_a.client().get("/").content.decode()
    # Saving other branding after the downgrade is not refused for the stored choice.
    tenant_settings_update(tenant_id=tenant_a.tenant.pk, portal_title="Still Alpha")


def _email_to_customer(tenant: TenantUnderTest, address: str) -> Any:
    from notifications.models import Notification
    from notifications.services import notification_deliver
    from tests.ticketing.factories import CustomerFactory, DepartmentFactory, make_ticket

    with schema_context(tenant.tenant.schema_name):
        mail.outbox.clear()
        customer = CustomerFactory(email=address)
        make_ticket(department=DepartmentFactory.create(), requester=customer)
        row = Notification.objects.filter(channel="email", address=address).first()
        assert row is not None
        notification_deliver(row.pk)
    [sent] = mail.outbox
    return sent


def test_emails_say_powered_by_caseway_unless_the_plan_removes_it(
    tenant_a: TenantUnderTest,
) -> None:
    _on_plan(tenant_a, "team")
    sent = _email_to_customer(tenant_a, "reader@example.com")
    assert sent.body.endswith("-- \nPowered by Caseway")
    assert "Powered by Caseway" in sent.alternatives[0][0]

    _on_plan(tenant_a, "business")
    tenant_settings_update(tenant_id=tenant_a.tenant.pk, hide_powered_by=True)
    tenant_a.tenant.refresh_from_db()
    sent = _email_to_customer(tenant_a, "other.reader@example.com")
    assert "Powered by Caseway" not in sent.body
    assert "Powered by Caseway" not in sent.alternatives[0][0]


# --- SLA escalation levels -------------------------------------------------------------


def _level(
    policy: SlaPolicy,
    clock: str,
    *,
    rule: EscalationRule | None = None,
    warn_at_percent: int | None = None,
    after_breach_minutes: int | None = None,
) -> EscalationRule:
    return escalation_rule_save(
        rule=rule,
        policy=policy,
        clock=clock,
        warn_at_percent=warn_at_percent,
        after_breach_minutes=after_breach_minutes,
        notify=["supervisors"],
    )


def test_escalation_rules_beyond_the_plans_levels_are_refused(in_alpha: TenantUnderTest) -> None:
    _on_plan(in_alpha, "team")  # 2 levels per clock
    policy = SlaPolicy.objects.create(name="Standard", resolution_minutes=240)
    _level(policy, "resolution", warn_at_percent=75)
    breach = _level(policy, "resolution", after_breach_minutes=0)
    with pytest.raises(PlanLimitReached, match="allows 2 escalation levels"):
        _level(policy, "resolution", after_breach_minutes=120)
    assert EscalationRule.objects.filter(policy=policy).count() == 2
    # Another clock has levels of its own.
    first = _level(policy, "first_response", warn_at_percent=50)
    _level(policy, "first_response", after_breach_minutes=0)
    with pytest.raises(PlanLimitReached):
        _level(policy, "resolution", rule=first, warn_at_percent=50)  # moving it
    _level(policy, "resolution", rule=breach, after_breach_minutes=30)  # same clock: fine

    _on_plan(in_alpha, "free")  # downgrade to 1 level: the rules made stay, and stay editable
    assert EscalationRule.objects.filter(policy=policy).count() == 4
    _level(policy, "resolution", rule=breach, after_breach_minutes=45)
    with pytest.raises(PlanLimitReached, match="allows 1 escalation level per"):
        _level(policy, "resolution", warn_at_percent=90)
    _on_plan(in_alpha, "business")  # an upgrade lifts the stop at once
    _level(policy, "resolution", warn_at_percent=90)


def test_bad_escalation_rules_are_input_errors(in_alpha: TenantUnderTest) -> None:
    from ticketing.errors import InvalidInput

    _on_plan(in_alpha, "business")
    policy = SlaPolicy.objects.create(name="Standard", resolution_minutes=240)
    for clock, warn, after in (
        ("resolution", None, None),
        ("resolution", 50, 5),
        ("resolution", 100, None),
        ("nope", 50, None),
    ):
        with pytest.raises(InvalidInput):
            _level(policy, clock, warn_at_percent=warn, after_breach_minutes=after)
    assert not EscalationRule.objects.exists()


# --- API access --------------------------------------------------------------------------


def test_a_plan_without_api_access_gets_403_problem_json_with_an_upgrade_hint(
    tenant_a: TenantUnderTest,
) -> None:
    from api.services import api_key_create
    from ticketing.models import Agent

    with schema_context(tenant_a.tenant.schema_name):
        admin = Agent.objects.get(user__email=tenant_a.admin.email)
        secret = api_key_create(actor=admin, name="CRM", scopes=["read"]).secret
    client = Client(HTTP_HOST=tenant_a.host, HTTP_AUTHORIZATION=f"Bearer {secret}")
    _on_plan(tenant_a, "free")
    refused = client.get("/api/v1/tickets/")
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["code"] == "plan_without_api_access"
    assert "Upgrade the plan on the billing page" in problem["title"]
    _on_plan(tenant_a, "team")
    assert client.get("/api/v1/tickets/").status_code == 200


def test_the_api_keys_page_says_when_the_plan_has_no_api_access(tenant_a: TenantUnderTest) -> None:
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    _on_plan(tenant_a, "team")
    assert 'id="api-not-in-plan"' not in client.get("/admin-console/api/").content.decode()
    _on_plan(tenant_a, "free")
    page = client.get("/admin-console/api/").content.decode()
    assert 'id="api-not-in-plan"' in page
    assert "does not include API access" in page

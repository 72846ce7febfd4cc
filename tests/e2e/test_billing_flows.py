"""Browser flows of billing (Chromium, live server): the operators' plan and tenant pages
at phone width, and an admin of a tenant suspended for non-payment finding the way to
the billing page. They run in a tenant of their own, purged afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)

from accounts.models import User
from billing.models import AccountStatus, BillingAccount
from tenants.models import SUSPENDED_FOR_BILLING, Tenant
from tenants.services import tenant_create, tenant_delete, tenant_resume, tenant_suspend
from tests.conftest import PASSWORD
from tests.e2e.conftest import Site, screenshot

SLUG = "billing-e2e"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def desk(live_port: int, django_db_blocker: Any) -> Iterator[Tenant]:
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock():
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        created = tenant_create(
            slug=SLUG,
            name="Billing E2E",
            admin_email="admin@billing-e2e.example",
            admin_password=PASSWORD,
        )
        yield created.tenant
        tenant_delete(slug=SLUG, purge=True)


def _no_sideways_scroll(page: Any, path: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} scrolls sideways on a phone ({width}px)"


def test_operator_pages_work_at_phone_width(
    browser: Any, site: Site, desk: Tenant, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():
        operator = User.objects.create_user("ops@billing-e2e.example", PASSWORD, is_staff=True)
        secret = generate_totp_secret()
        TOTP.activate(operator, secret)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(site.platform("/accounts/login/?next=/ops/"))
    page.fill("input[name=login]", "ops@billing-e2e.example")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    counter = next(iter(yield_hotp_counters_from_time()))
    page.fill("input[name=code]", format_hotp_value(hotp_value(secret, counter)))
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    try:
        for path in (
            f"/ops/?q={SLUG}",
            "/ops/billing/",
            "/ops/billing/plans/",
            "/ops/billing/plans/new/",
            "/ops/billing/plans/team/",
        ):
            assert page.goto(site.platform(path)).status == 200, path
            _no_sideways_scroll(page, path)
        screenshot(page, "ops-plan-edit-phone")
        page.goto(site.platform(f"/ops/?q={SLUG}"))
        assert "Billing E2E" in page.content()
        screenshot(page, "ops-tenant-list-phone")
        assert errors == [], errors  # nothing blocked by the Content-Security-Policy
    finally:
        context.close()
        with django_db_blocker.unblock():  # committed, so switched off rather than deleted
            User.objects.filter(pk=operator.pk).update(is_active=False)


def test_admin_of_a_tenant_suspended_for_billing_reaches_the_billing_page(
    browser: Any, site: Site, desk: Tenant, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():
        BillingAccount.objects.filter(tenant=desk).update(
            status=AccountStatus.PAST_DUE, suspended_for_billing=True
        )
        tenant_suspend(slug=SLUG, reason=SUSPENDED_FOR_BILLING)
    context = browser.new_context(viewport=PHONE)
    try:
        visitor = context.new_page()
        response = visitor.goto(site.tenant(SLUG, "/"))
        assert response.status == 503
        assert "temporarily unavailable" in visitor.content()
        visitor.close()

        page = context.new_page()
        page.goto(site.tenant(SLUG, "/accounts/login/?next=/console/"))
        page.fill("input[name=login]", "admin@billing-e2e.example")
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
        notice = page.locator("[data-testid=billing-suspension]")
        assert "Billing problem" in notice.inner_text()
        _no_sideways_scroll(page, "/console/ (suspended)")
        screenshot(page, "billing-suspension-phone")
        page.get_by_role("link", name="Update payment method").click()
        page.wait_for_load_state()
        assert page.url.endswith("/admin-console/billing/")
        assert "The help desk is paused because a payment failed" in page.content()
        _no_sideways_scroll(page, "/admin-console/billing/ (suspended)")
    finally:
        context.close()
        with django_db_blocker.unblock():
            tenant_resume(slug=SLUG)
            BillingAccount.objects.filter(tenant=desk).update(suspended_for_billing=False)

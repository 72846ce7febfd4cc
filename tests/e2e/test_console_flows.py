"""Browser flows of the agent, admin and operator consoles (Chromium, live server).

They run in a tenant of their own, provisioned for this module and purged after it, so
the committed rows they need never reach the session tenants other tests share."""

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
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Tenant
from tenants.services import tenant_create, tenant_delete
from tests.conftest import PASSWORD
from tests.e2e.conftest import Site, screenshot
from ticketing.models import Department
from ticketing.services.people import agent_create, contact_create, department_create
from ticketing.services.tickets import ticket_create

SLUG = "console-e2e"


@pytest.fixture(scope="module")
def desk(live_port: int, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    # Playwright's event loop runs in this thread; these are still plain sync calls.
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock():
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        created = tenant_create(
            slug=SLUG,
            name="Console E2E",
            admin_email="admin@console-e2e.example",
            admin_password=PASSWORD,
        )
        with schema_context(created.tenant.schema_name):
            support = department_create(name="Support")
            field = department_create(name="Field service")
            ava = agent_create(
                email="ava@console-e2e.example",
                full_name="Ava Agent",
                departments=[support],
                password=PASSWORD,
            )
            fred = agent_create(
                email="fred@console-e2e.example",
                full_name="Fred Field",
                departments=[field],
                password=PASSWORD,
            )
            carla = contact_create(full_name="Carla Customer", email="carla@example.com")
            ticket = ticket_create(
                subject="Antenna down", channel="phone", requester=carla, department=support
            )
        yield {"tenant": created.tenant, "ticket": ticket, "ava": ava, "fred": fred}
        tenant_delete(slug=SLUG, purge=True)


def sign_in(page: Any, url: str, email: str) -> None:
    page.goto(url)
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def test_agent_transfers_and_the_other_department_sees_the_reason(
    browser: Any, site: Site, desk: dict[str, Any]
) -> None:
    number = desk["ticket"].number
    ava = browser.new_context()
    page = ava.new_page()
    sign_in(
        page,
        site.tenant(SLUG, f"/accounts/login/?next=/console/tickets/{number}/"),
        "ava@console-e2e.example",
    )
    assert "Antenna down" in page.content()
    page.click("#action-transfer summary")
    with schema_context(desk["tenant"].schema_name):
        field_pk = Department.objects.get(name="Field service").pk
    page.select_option("#action-transfer select[name=to_department]", str(field_pk))
    page.fill("#action-transfer textarea[name=reason]", "Needs a technician on site")
    page.locator("#action-transfer button[type=submit]").click()
    page.wait_for_load_state()
    assert "Ticket transferred" in page.content()
    ava.close()

    fred = browser.new_context()
    page = fred.new_page()
    sign_in(
        page,
        site.tenant(SLUG, "/accounts/login/?next=/console/tickets/"),
        "fred@console-e2e.example",
    )
    page.get_by_role("link", name="Antenna down").click()
    page.wait_for_load_state()
    timeline = page.locator(".timeline").inner_text()
    assert "Transferred" in timeline
    assert "from Support to Field service" in timeline
    assert "Needs a technician on site" in timeline
    screenshot(page, "console-ticket-after-transfer")
    fred.close()


def test_console_works_at_phone_width(browser: Any, site: Site, desk: dict[str, Any]) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    sign_in(
        page,
        site.tenant(SLUG, "/accounts/login/?next=/console/tickets/?status=all"),
        "admin@console-e2e.example",
    )
    for path in (
        "/console/",
        "/console/tickets/?status=all",
        f"/console/tickets/{desk['ticket'].number}/",
        "/console/customers/?q=carla",
        "/admin-console/departments/",
    ):
        page.goto(site.tenant(SLUG, path))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
    screenshot(page, "admin-console-phone")
    assert errors == [], errors  # nothing blocked by the Content-Security-Policy
    context.close()


def test_admin_sets_up_a_department_a_form_and_an_sla_policy(
    browser: Any, site: Site, desk: dict[str, Any]
) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(
        page,
        site.tenant(SLUG, "/accounts/login/?next=/admin-console/departments/new/"),
        "admin@console-e2e.example",
    )
    page.fill("input[name=name]", "Installations")
    page.select_option("select[name=assignment_strategy]", "best_fit")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Installations" in page.content()
    with schema_context(desk["tenant"].schema_name):
        department_pk = Department.objects.get(name="Installations").pk

    page.goto(site.tenant(SLUG, "/admin-console/forms/new/"))
    page.fill("input[name=name]", "Installation request")
    page.select_option("select[name=department]", str(department_pk))
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Add field").click()
    page.fill("input[name=key]", "address_code")
    page.fill("input[name=label_en]", "Address code")
    page.check("input[name=required]")
    page.get_by_role("button", name="Save field").click()
    page.wait_for_load_state()
    assert page.locator("#preview-title").is_visible()
    assert "Address code" in page.content()

    page.goto(site.tenant(SLUG, "/admin-console/sla-policies/new/"))
    page.fill("input[name=name]", "Installations SLA")
    page.select_option("select[name=departments]", str(department_pk))
    page.fill("input[name=first_response_minutes]", "60")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Installations SLA" in page.content()

    # The department's form is what the phone channel asks a customer for.
    with schema_context(desk["tenant"].schema_name):
        from ticketing.models import Contact

        carla = Contact.objects.get(email="carla@example.com")
    page.goto(
        site.tenant(SLUG, f"/console/customers/{carla.pk}/new-ticket/?department={department_pk}")
    )
    page.fill("input[name=subject]", "New antenna")
    page.get_by_role("button", name="Open ticket").click()
    page.wait_for_load_state()
    assert "This field is required" in page.content()
    page.fill("input[name=cf_address_code]", "WAW-01")
    page.get_by_role("button", name="Open ticket").click()
    page.wait_for_load_state()
    assert "New antenna" in page.content()
    assert (
        "Installations SLA" in page.locator(".timeline").inner_text()
        or page.locator(".sla-clock").count() >= 1
    )
    context.close()


def test_operator_suspends_a_tenant_and_its_portal_answers_503_until_resumed(
    browser: Any, site: Site, desk: dict[str, Any], django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():
        operator = User.objects.create_user("ops@console-e2e.example", PASSWORD, is_staff=True)
        secret = generate_totp_secret()
        TOTP.activate(operator, secret)
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, site.platform("/accounts/login/?next=/ops/"), "ops@console-e2e.example")
    counter = next(iter(yield_hotp_counters_from_time()))
    page.fill("input[name=code]", format_hotp_value(hotp_value(secret, counter)))
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(site.platform(f"/ops/tenants/{SLUG}/"))
    page.fill("input[name=reason]", "unpaid")
    page.get_by_role("button", name="Suspend").click()
    page.wait_for_load_state()
    assert page.locator("#tenant-status").inner_text() == "Suspended"

    portal = context.new_page()
    assert portal.goto(site.tenant(SLUG, "/")).status == 503
    page.get_by_role("button", name="Resume").click()
    page.wait_for_load_state()
    assert page.locator("#tenant-status").inner_text() == "Active"
    assert portal.goto(site.tenant(SLUG, "/")).status == 200
    assert Tenant.objects.get(slug=SLUG).status == "active"
    context.close()
    with django_db_blocker.unblock():  # committed, so switched off rather than deleted
        User.objects.filter(pk=operator.pk).update(is_active=False)

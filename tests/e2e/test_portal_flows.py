"""The public site and the customer portal in a real browser: signup, a customer's whole
journey in English and Persian, field errors, lockout, and sessions per tenant."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tenants.services import tenant_create
from tests.e2e.conftest import Site, screenshot
from ticketing.models import Department, Ticket, TicketForm, TicketStatus
from ticketing.models.forms import FieldType, FormField

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
PASSWORD = "a-long-pass-phrase"


@pytest.fixture(scope="module")
def gamma(live_port: int, django_db_blocker: Any) -> Iterator[Tenant]:
    """A committed tenant with a department whose form asks for a serial number."""
    with django_db_blocker.unblock():
        tenant = tenant_create(
            slug="gamma", name="Gamma Devices", admin_email="admin@gamma.example"
        ).tenant
        with schema_context(tenant.schema_name):
            support = Department.objects.create(name="Support")
            form = TicketForm.objects.create(name="Device problem", department=support)
            FormField.objects.create(
                form=form,
                key="serial",
                field_type=FieldType.TEXT,
                label={"en": "Serial number", "fa": "شماره سریال"},
                required=True,
                validation={"pattern": "^[A-Z]{2}[0-9]{4}$"},
            )
    return tenant


def _register(page: Any, site: Site, email: str, name: str) -> None:
    page.goto(site.tenant("gamma", "/accounts/signup/"))
    page.locator("#id_full_name").fill(name)
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/signup/" not in url)
    page.goto(site.tenant("gamma", "/tickets/"))


def _open_ticket(page: Any, site: Site, subject: str, serial: str) -> None:
    page.goto(site.tenant("gamma", "/tickets/new/"))
    page.select_option("#id_topic", label="Support")
    page.locator("#id_cf_serial").wait_for()  # swapped in by htmx
    page.locator("#id_subject").fill(subject)
    page.locator("#id_description").fill("The screen stays black.")
    page.locator("#id_cf_serial").fill(serial)
    page.set_input_files(
        "#id_attachments", files=[{"name": "photo.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.locator("form.card button[type=submit]").click()


def test_signup_provisions_a_tenant_and_reaches_the_admin_console(page: Any, site: Site) -> None:
    caches["platform"].delete_many([f"signup-rate:{ip}" for ip in ("127.0.0.1", "::1")])
    page.goto(site.platform("/signup/"))
    page.locator("#id_company").fill("Kilo Services")
    page.locator("#id_slug").fill("kilo")
    page.get_by_text("kilo.localhost is available").wait_for()
    page.locator("#id_admin_name").fill("Kim Admin")
    page.locator("#id_email").fill("kim@kilo.example")
    page.locator("#id_password").fill(PASSWORD)
    page.select_option("#id_timezone", "Europe/Warsaw")
    screenshot(page, "signup")
    page.get_by_role("button", name="Create my help desk").click()
    page.wait_for_url(re.compile(r"^http://kilo\.localhost:\d+/admin-console/\?welcome=1$"))
    assert page.get_by_role("heading", name="Getting started").is_visible()
    screenshot(page, "admin-console-first-run")
    assert Tenant.objects.get(slug="kilo").timezone == "Europe/Warsaw"


def test_a_customer_registers_submits_follows_replies_closes_and_rates(
    page: Any, site: Site, gamma: Tenant
) -> None:
    _register(page, site, "cora@example.com", "Cora Customer")
    _open_ticket(page, site, "Tablet will not start", "AB1234")
    page.get_by_role("heading", name=re.compile("Tablet will not start")).wait_for()
    assert page.get_by_role("link", name="photo.png").count() == 0  # on the description
    screenshot(page, "portal-ticket")
    with schema_context(gamma.schema_name):
        ticket = Ticket.objects.get(subject="Tablet will not start")
        assert ticket.custom_fields == {"serial": "AB1234"}
        assert ticket.attachments.get().filename == "photo.png"

    page.get_by_role("link", name="My tickets").first.click()
    assert page.get_by_role("link", name="Tablet will not start").is_visible()
    screenshot(page, "portal-my-tickets")
    page.get_by_role("link", name="Tablet will not start").click()
    page.locator("#id_body").fill("It is charged, still nothing.")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Your reply has been sent.").wait_for()
    assert page.get_by_text("It is charged, still nothing.").is_visible()

    page.get_by_role("button", name="My problem is solved").click()
    page.get_by_text("Glad it is solved").wait_for()
    page.get_by_label("Very satisfied").check()
    page.locator("#rating-comment").fill("Fast and friendly.")
    page.get_by_role("button", name="Send rating").click()
    page.get_by_text("Thank you for your feedback.").wait_for()
    with schema_context(gamma.schema_name):
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.CLOSED
        assert ticket.rating.score == 5
    page.get_by_role("link", name="My tickets").first.click()
    page.get_by_role("link", name=re.compile("Closed")).click()
    # Waits for the closed tab to render (is_visible() does not wait: a race under load).
    page.get_by_role("link", name="Tablet will not start").wait_for()


def test_the_same_journey_in_persian_is_right_to_left_and_translated(
    page: Any, site: Site, gamma: Tenant
) -> None:
    page.goto(site.tenant("gamma"))
    with page.expect_navigation():
        page.select_option("#language-switch", "fa")
    assert page.locator("html").get_attribute("dir") == "rtl"
    _register(page, site, "parisa@example.com", "پریسا مشتری")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.goto(site.tenant("gamma", "/tickets/new/"))
    assert page.get_by_role("heading", name="ثبت تیکت").is_visible()
    page.select_option("#id_topic", label="Support")
    page.get_by_text("شماره سریال").wait_for()  # the custom field's Persian label
    screenshot(page, "portal-submit")
    _open_ticket(page, site, "تبلت روشن نمی‌شود", "CD5678")
    page.get_by_role("heading", name=re.compile("تبلت روشن نمی‌شود")).wait_for()
    assert page.locator("html").get_attribute("dir") == "rtl"
    screenshot(page, "portal-ticket")


def test_wrong_input_shows_field_errors_and_keeps_what_was_typed(
    page: Any, site: Site, gamma: Tenant
) -> None:
    _register(page, site, "walt@example.com", "Walt Wrong")
    page.goto(site.tenant("gamma", "/tickets/new/"))
    page.select_option("#id_topic", label="Support")
    page.locator("#id_cf_serial").wait_for()
    page.locator("#id_subject").fill("Keep this subject")
    page.locator("#id_cf_serial").fill("not a serial")
    page.locator("form.card button[type=submit]").click()
    error = page.locator("#field-cf_serial .errorlist")
    error.wait_for()
    assert "expected format" in error.inner_text()
    assert page.locator("#id_subject").input_value() == "Keep this subject"
    assert page.locator("#id_cf_serial").input_value() == "not a serial"
    screenshot(page, "portal-field-errors")


def test_repeated_wrong_passwords_lock_the_account(page: Any, site: Site, gamma: Tenant) -> None:
    _register(page, site, "lena@example.com", "Lena Locked")
    page.get_by_role("button", name="Sign out").click()
    for _attempt in range(5):
        page.goto(site.tenant("gamma", "/accounts/login/"))
        page.locator("#id_login").fill("lena@example.com")
        page.locator("#id_password").fill("wrong password")
        page.locator("form.form button[type=submit]").click()
        page.wait_for_load_state()
    page.goto(site.tenant("gamma", "/accounts/login/"))
    page.locator("#id_login").fill("lena@example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.get_by_text(re.compile("locked for 15 minutes")).wait_for()
    screenshot(page, "login-locked")


def test_a_session_of_one_tenant_is_not_accepted_by_another(
    page: Any,
    context: Any,
    site: Site,
    gamma: Tenant,
    session_tenants: dict[str, Any],
) -> None:
    _register(page, site, "sam@example.com", "Sam Session")
    cookies = [c for c in context.cookies() if c["name"] == "sessionid"]
    assert cookies, "registering signed the customer in"
    context.add_cookies(
        [{"name": "sessionid", "value": cookies[0]["value"], "url": site.tenant("alpha")}]
    )
    page.goto(site.tenant("alpha", "/tickets/"))
    assert "/accounts/login/" in page.url


def test_portal_pages_fit_a_phone(page: Any, site: Site, gamma: Tenant) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    _register(page, site, "phoebe@example.com", "Phoebe Phone")
    for path in ("/", "/tickets/new/", "/tickets/", "/account/"):
        page.goto(site.tenant("gamma", path))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            wide = page.evaluate(
                "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect()"
                ".right > 360).slice(0, 3).map(e => e.outerHTML.slice(0, 120))"
            )
            print("too wide:", wide)
        assert width <= 360, f"{path} scrolls sideways on a phone ({width}px)"
    screenshot(page, "portal-submit-phone")

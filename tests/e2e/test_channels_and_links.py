"""In a real browser at phone width: a customer answers the "resolved" email with its
reopen link (and a comment), and an admin reads the channels page. A tenant of their
own, provisioned for this module and purged after it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from notifications.models import Notification
from tenants.services import tenant_create, tenant_delete
from tests.conftest import PASSWORD
from tests.e2e.conftest import Site, screenshot
from ticketing.models import Department, Ticket
from ticketing.services.operations import ticket_change_status
from ticketing.services.people import agent_create, contact_create, department_create
from ticketing.services.tickets import ticket_create

SLUG = "links-e2e"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def desk(live_port: int, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock():
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        created = tenant_create(
            slug=SLUG, name="Links E2E", admin_email="admin@links-e2e.example",
            admin_password=PASSWORD,
        )  # fmt: skip
        with schema_context(created.tenant.schema_name):
            support = department_create(name="Support")
            Department.objects.filter(pk=support.pk).update(
                email_address="customer-care-and-returns@a-rather-long-company-name.example"
            )
            ava = agent_create(
                email="ava@links-e2e.example", full_name="Ava Agent", departments=[support],
                password=PASSWORD,
            )  # fmt: skip
            nina = contact_create(full_name="Nina Nowak", email="nina@example.com")
            ticket = ticket_create(
                subject="Scanner offline", description="It does not scan.", channel="portal",
                requester=nina, department=support,
            )  # fmt: skip
            ticket_change_status(ticket=ticket, status="resolved", actor=ava)
            body = Notification.objects.get(
                address="nina@example.com", event_kind="ticket.status_changed"
            ).body
        yield {"tenant": created.tenant, "ticket": ticket, "body": body}
        tenant_delete(slug=SLUG, purge=True)


def _no_sideways_scroll(page: Any, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what} scrolls sideways on a phone ({width}px)"


def test_customer_reopens_from_the_email_link_on_a_phone(
    browser: Any, site: Site, desk: dict[str, Any]
) -> None:
    path = re.search(r"/reopen/[^/\s]+/", desk["body"])
    assert path is not None, desk["body"]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site.tenant(SLUG, path.group(0)))
    assert "Reopen your request" in page.content()
    _no_sideways_scroll(page, "the reopen page")
    page.fill("textarea[name=comment]", "It stopped scanning again this morning.")
    page.get_by_role("button", name="No, reopen it").click()
    page.wait_for_load_state()
    assert "open again" in page.content()
    screenshot(page, "reopen-link-phone")
    with schema_context(desk["tenant"].schema_name):
        ticket = Ticket.objects.get(pk=desk["ticket"].pk)
        assert ticket.status == "open"
        assert ticket.messages.filter(body="It stopped scanning again this morning.").exists()
    assert errors == [], errors  # nothing blocked by the Content-Security-Policy
    context.close()


def test_channels_page_on_a_phone(browser: Any, site: Site, desk: dict[str, Any]) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(site.tenant(SLUG, "/accounts/login/?next=/admin-console/channels/"))
    page.fill("input[name=login]", "admin@links-e2e.example")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "customer-care-and-returns@links-e2e.localhost" in page.content()
    _no_sideways_scroll(page, "the channels page")
    screenshot(page, "channels-phone")
    context.close()

"""Browser flows at phone width (390 px): an agent saves the current filters as a view
and finds it with its count; on a ticket, the related-articles panel loads and puts an
article's link into the reply; the new admin pages fit the screen. Runs in a tenant of
its own, purged after the module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from kb.models import ArticleStatus
from kb.services import article_create
from sla.models import SlaPolicy
from tenants.services import tenant_create, tenant_delete
from tests.conftest import PASSWORD
from tests.e2e.conftest import Site, screenshot
from tests.e2e.test_console_flows import sign_in
from ticketing.models import SavedView
from ticketing.services.people import agent_create, contact_create, department_create
from ticketing.services.tickets import ticket_create

SLUG = "views-e2e"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def desk(live_port: int, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock():
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        created = tenant_create(
            slug=SLUG,
            name="Views E2E",
            admin_email="admin@views-e2e.example",
            admin_password=PASSWORD,
        )
        with schema_context(created.tenant.schema_name):
            support = department_create(name="Support")
            ava = agent_create(
                email="ava@views-e2e.example",
                full_name="Ava Agent",
                departments=[support],
                password=PASSWORD,
            )
            carla = contact_create(full_name="Carla Customer", email="carla@example.com")
            router = ticket_create(
                subject="Router blinking red",
                channel="phone",
                requester=carla,
                department=support,
            )
            ticket_create(
                subject="Router keeps rebooting",
                channel="phone",
                requester=carla,
                department=support,
            )
            ticket_create(
                subject="Invoice copy", channel="phone", requester=carla, department=support
            )
            article = article_create(
                agent=ava,
                title="Router reset steps",
                body="<p>Hold the button.</p>",
                language="en",
                status=ArticleStatus.PUBLISHED,
            )
            policy = SlaPolicy.objects.create(name="Standard", resolution_minutes=480)
        yield {"tenant": created.tenant, "router": router, "article": article, "policy": policy}
        tenant_delete(slug=SLUG, purge=True)


def _no_sideways_scroll(page: Any, path: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} scrolls sideways on a phone ({width}px)"


def test_agent_saves_a_view_and_links_an_article_on_a_phone(
    browser: Any, site: Site, desk: dict[str, Any]
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    sign_in(
        page,
        site.tenant(SLUG, "/accounts/login/?next=/console/tickets/?q=router"),
        "ava@views-e2e.example",
    )
    assert "Router blinking red" in page.content()
    assert "Invoice copy" not in page.content()
    _no_sideways_scroll(page, "/console/tickets/?q=router")
    page.click(".save-view summary")
    page.fill("#id_save_name", "Routers")
    page.locator(".save-view button[type=submit]").click()
    page.wait_for_load_state()
    assert "View saved" in page.content()
    tab = page.locator(".views-bar a[aria-current=page]")
    assert "Routers" in tab.inner_text()
    assert "2" in tab.locator(".badge").inner_text()
    with schema_context(desk["tenant"].schema_name):
        assert SavedView.objects.get(name="Routers").filters == {"q": "router"}
    # another view from the bar, then back to the saved one
    page.click(".views-bar >> text=My open tickets")
    page.wait_for_load_state()
    page.click(".views-bar >> text=Routers")
    page.wait_for_load_state()
    assert "Invoice copy" not in page.content()
    _no_sideways_scroll(page, "saved view")
    screenshot(page, "console-saved-view-phone")

    page.goto(site.tenant(SLUG, f"/console/tickets/{desk['router'].number}/"))
    button = page.get_by_role("button", name="Insert link in reply")
    button.wait_for()
    page.fill("#reply-form textarea[name=body]", "Please try this:")
    button.click()
    reply = page.input_value("#reply-form textarea[name=body]")
    assert reply.startswith("Please try this:\nRouter reset steps: http://")
    assert f"/help/en/articles/{desk['article'].pk}-router-reset-steps/" in reply
    _no_sideways_scroll(page, "ticket page")
    page.goto(site.tenant(SLUG, "/console/views/"))
    assert "Routers" in page.content()
    _no_sideways_scroll(page, "/console/views/")
    assert errors == [], errors  # nothing blocked by the Content-Security-Policy
    context.close()


def test_new_admin_pages_fit_a_phone(browser: Any, site: Site, desk: dict[str, Any]) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(
        page,
        site.tenant(SLUG, "/accounts/login/?next=/admin-console/"),
        "admin@views-e2e.example",
    )
    for path in (
        "/admin-console/business-calendars/new/",
        "/admin-console/business-calendars/",
        "/admin-console/import/",
        f"/admin-console/sla-policies/{desk['policy'].pk}/",
        f"/admin-console/sla-policies/{desk['policy'].pk}/escalations/new/",
    ):
        page.goto(site.tenant(SLUG, path))
        assert page.locator("h1").count() == 1
        _no_sideways_scroll(page, path)
    screenshot(page, "admin-import-phone")
    context.close()

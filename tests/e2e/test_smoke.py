"""The pages load in a real browser, in both directions, with no console errors."""

from __future__ import annotations

from typing import Any

from tests.conftest import TenantUnderTest
from tests.e2e.conftest import Site, screenshot


def _console_errors(page: Any) -> list[str]:
    errors: list[str] = []

    def record(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)
    return errors


def test_portal_home_in_english_and_persian(
    page: Any, site: Site, session_tenants: dict[str, TenantUnderTest]
) -> None:
    errors = _console_errors(page)
    page.goto(site.tenant("alpha"))
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.get_by_role("link", name="Submit a ticket").is_visible()
    screenshot(page, "portal-home")
    page.select_option("#language-switch", "fa")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "fa"
    screenshot(page, "portal-home")
    assert errors == [], errors  # nothing blocked by the Content-Security-Policy


def test_platform_home_at_phone_width(page: Any, site: Site) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(site.platform())
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page scrolls sideways on a phone"
    screenshot(page, "platform-home-phone")

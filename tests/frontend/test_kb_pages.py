"""Knowledge-base and report pages: who sees what, readable addresses, votes, the
suggestion fragment, drafts from tickets, charts and CSV, tenants apart."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest

from kb import services
from kb.models import Article, ArticleStatus
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import CustomerFactory, make_ticket
from ticketing.models import Agent, Department, Ticket

pytestmark = pytest.mark.django_db
FACTORY_PASSWORD = "pass-word-123"


def _article(agent: Agent, title: str, status: str = ArticleStatus.PUBLISHED, **kw: str) -> Article:
    return services.article_create(
        agent=agent,
        title=title,
        body=kw.get("body", "<p>Body</p>"),
        language=kw.get("language", "en"),
        status=status,
    )


def test_portal_shows_published_articles_only(in_alpha: TenantUnderTest, agent: Agent) -> None:
    public = _article(agent, "Reset your password")
    draft = _article(agent, "Secret draft", ArticleStatus.DRAFT)
    internal = _article(agent, "Internal runbook", ArticleStatus.INTERNAL)
    client = in_alpha.client()
    assert client.get("/help/").status_code == 302
    home = client.get("/help/en/")
    assert home.status_code == 200
    assert b"Reset your password" in home.content
    assert b"Secret draft" not in home.content
    page = client.get(f"/help/en/articles/{public.pk}-reset-your-password/")
    assert page.status_code == 200
    assert client.get(f"/help/en/articles/{public.pk}/").status_code == 301
    for hidden in (draft, internal):
        assert client.get(f"/help/en/articles/{hidden.pk}/").status_code == 404
    found = client.get("/help/en/search/", {"q": "password"})
    assert b"Reset your password" in found.content
    assert b"Internal runbook" not in client.get("/help/en/search/", {"q": "runbook"}).content
    assert client.get("/help/xx/").status_code == 404


def test_readable_addresses_per_language(in_alpha: TenantUnderTest, agent: Agent) -> None:
    article = _article(agent, "Printer setup")
    services.article_update(
        article=article, agent=agent, language="fa", title="نصب چاپگر", body="<p>x</p>"
    )
    page = in_alpha.client().get(f"/help/fa/articles/{article.pk}/", follow=True)
    assert page.status_code == 200
    assert "نصب چاپگر".encode() in page.content
    assert unquote(page.redirect_chain[-1][0]).endswith(
        f"/help/fa/articles/{article.pk}-نصب-چاپگر/"
    )


def test_votes_count_once_per_reader(in_alpha: TenantUnderTest, agent: Agent) -> None:
    article = _article(agent, "Votes")
    client = in_alpha.client()
    url = f"/help/en/articles/{article.pk}/vote/"
    assert client.post(url, {"helpful": "yes"}).status_code == 302
    client.post(url, {"helpful": "yes"})
    article.refresh_from_db()
    assert article.helpful_count == 1
    fragment = client.post(url, {"helpful": "no"}, headers={"HX-Request": "true"})
    assert b"Thank you" in fragment.content
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (0, 1)


def test_subject_suggestions_fragment(in_alpha: TenantUnderTest, agent: Agent) -> None:
    _article(agent, "Printer jams after update")
    _article(agent, "Printer internal fix", ArticleStatus.INTERNAL)
    response = in_alpha.client().get("/help/suggest", {"q": "printer jam"})
    assert response.status_code == 200
    assert b"Printer jams after update" in response.content
    assert b"internal" not in response.content
    assert in_alpha.client().get("/help/suggest", {"q": ""}).content.strip() == b""


def test_console_article_editing(in_alpha: TenantUnderTest, agent: Agent) -> None:
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    created = client.post(
        "/console/kb/new/",
        {
            "title": "How to",
            "body": "<p onclick='x()'>Do it</p>",
            "language": "en",
            "status": "internal",
            "tags": "a, b",
        },
    )
    assert created.status_code == 302
    article = Article.objects.get()
    assert article.translations.get().body == "<p>Do it</p>"
    assert article.tags == ["a", "b"]
    edit = client.post(
        f"/console/kb/{article.pk}/",
        {
            "title": "How to, revised",
            "body": "<p>Better</p>",
            "language": "en",
            "status": "published",
        },
    )
    assert edit.status_code == 302
    page = client.get(f"/console/kb/{article.pk}/")
    assert page.status_code == 200
    assert len(page.context["revisions"]) == 2
    listing = client.get("/console/kb/", {"q": "revised"})
    assert b"How to, revised" in listing.content
    bad = client.post(
        "/console/kb/new/", {"title": "", "body": "", "language": "en", "status": "draft"}
    )
    assert bad.status_code == 422


def test_customers_cannot_edit(in_alpha: TenantUnderTest) -> None:
    CustomerFactory.create(email="cust@example.com")
    client = in_alpha.signed_in_client("cust@example.com", FACTORY_PASSWORD)
    assert client.get("/console/kb/").status_code == 403
    assert client.post("/console/kb/new/", {"title": "x"}).status_code == 403


def test_draft_from_a_resolved_ticket_and_related_panel(
    in_alpha: TenantUnderTest, support: Department, agent: Agent
) -> None:
    _article(agent, "Printer paper jam fix", ArticleStatus.INTERNAL)
    ticket = make_ticket(department=support, subject="Printer paper jam", description="Stuck")
    Ticket.objects.filter(pk=ticket.pk).update(status="resolved")
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    related = client.get(f"/console/kb/related/{ticket.pk}/")
    assert b"Printer paper jam fix" in related.content
    assert b"Create article from this ticket" in related.content
    response = client.post(f"/console/kb/from-ticket/{ticket.pk}/")
    assert response.status_code == 302
    article = Article.objects.get(source_ticket=ticket)
    assert article.status == ArticleStatus.DRAFT


def test_ticket_search_page(in_alpha: TenantUnderTest, support: Department, agent: Agent) -> None:
    make_ticket(department=support, subject="Drukarka nie działa")
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    page = client.get("/console/kb/search/tickets/", {"q": "drukarka"})
    assert page.status_code == 200
    assert "Drukarka nie działa".encode() in page.content
    assert (
        client.get("/console/kb/search/tickets/", {"created_after": "not a date"}).status_code
        == 200
    )


def test_report_pages(
    in_alpha: TenantUnderTest, support: Department, supervisor: Agent, agent: Agent
) -> None:
    make_ticket(department=support, subject="Counted")
    boss = in_alpha.signed_in_client(supervisor.user.email, FACTORY_PASSWORD)
    for name in ("agents", "departments", "customers"):
        page = boss.get(f"/console/reports/{name}/")
        assert page.status_code == 200, name
        assert b"<svg" in page.content
    daily = boss.get("/console/reports/departments/", {"format": "csv", "table": "daily"})
    assert daily["Content-Type"].startswith("text/csv")
    assert daily.content.decode("utf-8-sig").startswith("Day,")
    assert (
        boss.get(
            "/console/reports/departments/", {"start": "2026-02-01", "end": "2026-01-01"}
        ).status_code
        == 422
    )
    assert boss.get("/console/reports/nothing/").status_code == 404
    assert (
        boss.get("/console/reports/agents/", {"format": "csv", "table": "nope"}).status_code == 404
    )
    worker = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    assert worker.get("/console/reports/").status_code == 403


def test_knowledge_base_pages_stay_in_their_tenant(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    from django_tenants.utils import schema_context

    with schema_context(tenant_b.tenant.schema_name):
        admin = Agent.objects.get(user__email=tenant_b.admin.email)
        secret = _article(admin, "Bravo only")
    assert tenant_a.client().get(f"/help/en/articles/{secret.pk}/").status_code == 404
    assert b"Bravo only" not in tenant_a.client().get("/help/en/search/", {"q": "bravo"}).content
    assert b"Bravo only" in tenant_b.client().get("/help/en/search/", {"q": "bravo"}).content


def test_attachments_upload_and_download(in_alpha: TenantUnderTest, agent: Agent) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    article = _article(agent, "Manual")
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    upload = SimpleUploadedFile("manual.txt", b"read me", content_type="text/plain")
    response = client.post(
        f"/console/kb/{article.pk}/",
        {
            "title": "Manual",
            "body": "<p>x</p>",
            "language": "en",
            "status": "published",
            "attachment": upload,
        },
    )
    assert response.status_code == 302
    file = article.attachments.get()
    download = in_alpha.client().get(f"/help/en/articles/{article.pk}/files/{file.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"read me"  # type: ignore[attr-defined]
    services.article_update(article=article, agent=agent, status=ArticleStatus.DRAFT)
    assert (
        in_alpha.client().get(f"/help/en/articles/{article.pk}/files/{file.pk}/").status_code == 404
    )


def test_help_center_pages_read_a_bounded_number_of_queries(
    in_alpha: TenantUnderTest, agent: Agent, django_assert_max_num_queries: Any
) -> None:
    for index in range(8):
        _article(agent, f"Article {index}")
    client = in_alpha.client()
    client.get("/help/en/")  # sessions, routing caches
    with django_assert_max_num_queries(10):
        assert client.get("/help/en/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/help/en/search/", {"q": "article"}).status_code == 200

"""Knowledge base: sanitisation, who sees what, revisions, votes, articles from tickets,
nested categories, search in four languages, tenant isolation."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from kb import selectors, services
from kb.errors import ArticleInvalid, ArticleNotFromResolvedTicket, CategoryCycle
from kb.models import Article, ArticleStatus
from kb.selectors import Audience
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import AgentFactory, make_ticket
from ticketing.errors import PermissionDenied
from ticketing.models import Agent, Department, Ticket
from ticketing.services.conversation import reply_from_agent
from ticketing.services.operations import ticket_assign, ticket_change_status


def _article(agent: Agent, title: str, body: str = "<p>text</p>", **kwargs: object) -> Article:
    kwargs.setdefault("language", "en")
    kwargs.setdefault("status", ArticleStatus.PUBLISHED)
    return services.article_create(agent=agent, title=title, body=body, **kwargs)


def _titles(views: list[selectors.ArticleView]) -> list[str]:
    return [view.translation.title for view in views]


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ("<p>hi</p><script>alert(1)</script>", "<script"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">click</a>', "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">click</a>', "script:"),
        ('<p onclick="steal()">x</p>', "onclick"),
        ('<p style="background:url(javascript:x)">x</p>', "style"),
        ("<iframe src='https://evil.example'></iframe>", "iframe"),
    ],
)
def test_bodies_are_sanitised_on_save(agent: Agent, dirty: str, forbidden: str) -> None:
    article = _article(agent, "Safe", body=dirty)
    body = article.translations.get().body
    assert forbidden.lower() not in body.lower()
    services.article_update(article=article, agent=agent, body=dirty)
    assert forbidden.lower() not in article.translations.get().body.lower()


def test_safe_markup_survives(agent: Agent) -> None:
    body = '<h2>Steps</h2><ol><li><a href="https://example.com/x">link</a></li></ol>'
    stored = _article(agent, "Safe", body=body).translations.get().body
    assert "<h2>Steps</h2>" in stored
    assert 'href="https://example.com/x"' in stored


def test_bad_input_is_a_clear_error(agent: Agent) -> None:
    with pytest.raises(ArticleInvalid) as error:
        _article(agent, "   ")
    assert "title" in error.value.field_errors
    with pytest.raises(ArticleInvalid):
        _article(agent, "x", language="xx")
    with pytest.raises(ArticleInvalid):
        _article(agent, "x", status="secret")


def test_drafts_and_internal_articles_never_reach_customers(agent: Agent) -> None:
    public = _article(agent, "Reset your password")
    draft = _article(agent, "Reset your password draft", status=ArticleStatus.DRAFT)
    internal = _article(agent, "Reset your password internal", status=ArticleStatus.INTERNAL)
    customer = set(selectors.article_list(audience=Audience.CUSTOMER))
    assert public in customer
    assert draft not in customer
    assert internal not in customer
    assert selectors.article_view(audience=Audience.CUSTOMER, pk=draft.pk, language="en") is None
    assert selectors.article_get(audience=Audience.CUSTOMER, pk=internal.pk) is None
    assert _titles(selectors.article_search(audience=Audience.CUSTOMER, text="password")) == [
        "Reset your password"
    ]
    assert _titles(selectors.article_suggestions(text="reset pass", language="en")) == [
        "Reset your password"
    ]
    agent_sees = set(selectors.article_list(audience=Audience.AGENT))
    assert {public, draft, internal} <= agent_sees


def test_translations_and_revisions(agent: Agent) -> None:
    article = _article(agent, "Printer setup", body="<p>one</p>")
    services.article_update(article=article, agent=agent, body="<p>two</p>")
    services.article_update(
        article=article, agent=agent, language="pl", title="Konfiguracja drukarki", body="<p>x</p>"
    )
    revisions = list(selectors.article_revisions(article=article))
    assert [r.number for r in revisions] == [3, 2, 1]
    assert [r.body for r in revisions[1:]] == ["<p>two</p>", "<p>one</p>"]
    polish = selectors.article_view(audience=Audience.CUSTOMER, pk=article.pk, language="pl")
    assert polish is not None
    assert polish.translation.title == "Konfiguracja drukarki"
    assert polish.url_slug == f"{article.pk}-konfiguracja-drukarki"
    # no Persian translation: the original language is shown
    persian = selectors.article_view(audience=Audience.CUSTOMER, pk=article.pk, language="fa")
    assert persian is not None
    assert persian.translation.language == "en"


def test_helpful_votes(agent: Agent) -> None:
    article = _article(agent, "Votes")
    services.article_vote(article=article, voter="user:1", helpful=True)
    services.article_vote(article=article, voter="user:1", helpful=True)  # counted once
    services.article_vote(article=article, voter="session:abc", helpful=False)
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (1, 1)
    services.article_vote(article=article, voter="session:abc", helpful=True)  # changed mind
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (2, 0)


def test_article_from_resolved_ticket(support: Department, agent: Agent) -> None:
    ticket = make_ticket(department=support, subject="VPN fails", description="Error 809")
    ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    with pytest.raises(ArticleNotFromResolvedTicket):
        services.article_from_ticket(ticket=ticket, agent=agent)
    reply_from_agent(ticket=ticket, agent=agent, body="Open port 1723 <b>now</b>")
    ticket_change_status(ticket=ticket, status="resolved", actor=agent)
    article = services.article_from_ticket(ticket=Ticket.objects.get(pk=ticket.pk), agent=agent)
    translation = article.translations.get()
    assert article.status == ArticleStatus.DRAFT
    assert article.source_ticket_id == ticket.pk
    assert translation.title == "VPN fails"
    assert "Error 809" in translation.body
    assert "Open port 1723 &lt;b&gt;now&lt;/b&gt;" in translation.body


def test_article_from_ticket_needs_access(
    support: Department, engineering: Department, agent: Agent
) -> None:
    other = make_ticket(department=engineering, subject="Elsewhere")
    Ticket.objects.filter(pk=other.pk).update(status="resolved")
    with pytest.raises(PermissionDenied):
        services.article_from_ticket(ticket=other, agent=agent)


def test_nested_categories(agent: Agent) -> None:
    top = services.category_create(agent=agent, name="Hardware")
    middle = services.category_create(agent=agent, name="Printers", parent=top)
    leaf = services.category_create(agent=agent, name="Laser", parent=middle)
    tree = [(c.name, depth) for c, depth in selectors.category_tree(audience=Audience.CUSTOMER)]
    assert tree == [("Hardware", 0), ("Printers", 1), ("Laser", 2)]
    assert [c.name for c in selectors.category_path(category=leaf)] == [
        "Hardware",
        "Printers",
        "Laser",
    ]
    with pytest.raises(CategoryCycle):
        services.category_update(category=top, agent=agent, parent=leaf)


@pytest.mark.parametrize(
    ("language", "title", "body", "query"),
    [
        ("en", "Printer keeps jamming", "<p>Open the tray</p>", "jamming printer"),
        ("fa", "چاپگر كار نمي‌كند", "<p>سيني را باز كنيد</p>", "چاپگر نمیکند"),
        ("pl", "Drukarka się zacina", "<p>Otwórz podajnik</p>", "drukarka podajnik"),
        ("zh-hans", "打印机卡纸", "<p>打开纸盒</p>", "卡纸"),
    ],
)
def test_search_in_four_languages(
    agent: Agent, language: str, title: str, body: str, query: str
) -> None:
    _article(agent, title, body=body, language=language)
    _article(agent, "Unrelated invoice question", body="<p>nothing</p>")
    found = selectors.article_search(audience=Audience.CUSTOMER, text=query, language=language)
    assert _titles(found) == [" ".join(title.split())]


def test_title_matches_rank_above_body_matches(agent: Agent) -> None:
    _article(agent, "Email setup", body="<p>Configure the printer queue too</p>")
    _article(agent, "Printer queue", body="<p>Steps</p>")
    found = selectors.article_search(audience=Audience.CUSTOMER, text="printer queue")
    assert _titles(found) == ["Printer queue", "Email setup"]


def test_related_articles_for_a_ticket(support: Department, agent: Agent) -> None:
    _article(agent, "Fix a paper jam", status=ArticleStatus.INTERNAL)
    _article(agent, "Paper jam draft", status=ArticleStatus.DRAFT)
    ticket = make_ticket(department=support, subject="Paper stuck, jam again")
    related = selectors.articles_related_to_ticket(ticket=ticket, language="en")
    assert _titles(related) == ["Fix a paper jam"]


def test_only_agents_edit(support: Department) -> None:
    inactive = AgentFactory(departments=[support], is_active=False)
    with pytest.raises(PermissionDenied):
        _article(inactive, "Nope")


def test_tenant_isolation(tenant_a: TenantUnderTest, tenant_b: TenantUnderTest) -> None:
    with schema_context(tenant_b.tenant.schema_name):
        bravo_admin = Agent.objects.get(user__email=tenant_b.admin.email)
        secret = _article(bravo_admin, "Bravo secret recipe")
    with schema_context(tenant_a.tenant.schema_name):
        assert selectors.article_search(audience=Audience.AGENT, text="secret recipe") == []
        assert selectors.article_get(audience=Audience.AGENT, pk=secret.pk) is None


def test_attachments_are_checked_and_stored(agent: Agent) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ticketing.errors import AttachmentRejected

    article = _article(agent, "With a file")
    stored = services.article_attach(
        article=article,
        agent=agent,
        files=[SimpleUploadedFile("steps.txt", b"1. open\n2. close\n", content_type="text/plain")],
    )
    assert [a.filename for a in stored] == ["steps.txt"]
    assert article.attachments.get().size == 17
    with pytest.raises(AttachmentRejected):
        services.article_attach(
            article=article,
            agent=agent,
            files=[
                SimpleUploadedFile(
                    "run.exe", b"MZ\x90\x00", content_type="application/x-msdownload"
                )
            ],
        )

"""The knowledge base on the console's ticket page: the related-articles panel (loaded
by htmx), links to insert into the reply, a draft article from a resolved ticket, and
nothing of another tenant or another department."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from kb import services
from kb.models import Article, ArticleStatus
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import make_ticket
from ticketing.models import Agent, Department, Ticket

pytestmark = pytest.mark.django_db
FACTORY_PASSWORD = "pass-word-123"


def _article(agent: Agent, title: str, status: str = ArticleStatus.PUBLISHED) -> Article:
    return services.article_create(
        agent=agent, title=title, body="<p>Steps</p>", language="en", status=status
    )


def test_ticket_page_loads_the_related_panel_and_offers_links_for_the_reply(
    in_alpha: TenantUnderTest, support: Department, agent: Agent
) -> None:
    public = _article(agent, "Router firmware upgrade")
    _article(agent, "Router internal runbook", ArticleStatus.INTERNAL)
    _article(agent, "Router draft", ArticleStatus.DRAFT)
    # the subject says nothing useful; the description names the router
    ticket = make_ticket(department=support, subject="Help!", description="My router blinks red")
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    page = client.get(f"/console/tickets/{ticket.number}/").content.decode()
    assert f'hx-get="/console/kb/related/{ticket.pk}/"' in page
    assert 'id="reply-form"' in page
    panel = client.get(f"/console/kb/related/{ticket.pk}/", HTTP_HX_REQUEST="true")
    body = panel.content.decode()
    assert "Router firmware upgrade" in body
    assert "Router internal runbook" in body
    assert "Router draft" not in body
    # only the published article may be linked to the customer, at its portal address
    assert body.count("data-insert-into") == 1
    assert f"/help/en/articles/{public.pk}-router-firmware-upgrade/" in body
    assert f"http://{in_alpha.host}/help/" in body
    assert "Create article from this ticket" not in body


def test_internal_tickets_get_no_customer_links(
    in_alpha: TenantUnderTest, support: Department, agent: Agent
) -> None:
    _article(agent, "Router firmware upgrade")
    ticket = make_ticket(department=support, subject="Router upgrade plan")
    Ticket.objects.filter(pk=ticket.pk).update(is_internal=True, created_by=agent.user)
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    body = client.get(f"/console/kb/related/{ticket.pk}/").content.decode()
    assert "Router firmware upgrade" in body
    assert "data-insert-into" not in body


def test_article_from_the_resolution_of_a_closed_ticket(
    in_alpha: TenantUnderTest, support: Department, agent: Agent
) -> None:
    ticket = make_ticket(department=support, subject="VPN drops", description="Every hour")
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    assert "Create article" not in client.get(f"/console/kb/related/{ticket.pk}/").content.decode()
    Ticket.objects.filter(pk=ticket.pk).update(status="closed")
    assert "Create article" in client.get(f"/console/kb/related/{ticket.pk}/").content.decode()
    response = client.post(f"/console/kb/from-ticket/{ticket.pk}/")
    assert response.status_code == 302
    article = Article.objects.get(source_ticket=ticket)
    assert response["Location"] == f"/console/kb/{article.pk}/"


def test_panel_is_scoped_to_the_agent_and_the_tenant(
    tenant_a: TenantUnderTest,
    tenant_b: TenantUnderTest,
    in_alpha: TenantUnderTest,
    support: Department,
    engineering: Department,
    agent: Agent,
) -> None:
    hidden = make_ticket(department=engineering, subject="Engineering only")
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    assert client.get(f"/console/kb/related/{hidden.pk}/").status_code == 404
    assert client.post(f"/console/kb/from-ticket/{hidden.pk}/").status_code == 404
    with schema_context(tenant_b.tenant.schema_name):
        from tests.ticketing.factories import DepartmentFactory

        bravo_ticket = make_ticket(department=DepartmentFactory.create(), subject="Bravo")
    admin = tenant_a.signed_in_client(tenant_a.admin.email)
    # the same id in alpha is another ticket or none; Bravo's subject never shows
    assert b"Bravo" not in admin.get(f"/console/kb/related/{bravo_ticket.pk}/").content

"""The API ticket list's ``q``: the console's full-text search (replies, notes, Persian,
Polish and Chinese rules, ticket numbers), scoped to the key's agent and tenant, paged
through every match. And the list's hand-built rows equal DRF's generic output."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework import serializers

from api.v1.serializers import TicketOut
from tests.api.conftest import ApiClient, _key
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import (
    AgentFactory,
    CategoryFactory,
    ContactFactory,
    DepartmentFactory,
    ProductFactory,
    make_ticket,
)
from ticketing import selectors
from ticketing.models import Agent, Department, Ticket
from ticketing.services.conversation import note_add, reply_from_customer
from ticketing.services.operations import ticket_assign


def _subjects(api: ApiClient, **params: Any) -> list[str]:
    response = api.get("tickets/", **params)
    assert response.status_code == 200, response.content
    return sorted(t["subject"] for t in response.json()["results"])


def test_q_searches_replies_and_notes_not_only_the_subject(
    api: ApiClient, support: Department, admin_agent: Agent
) -> None:
    replied = make_ticket(department=support, subject="Cannot log in")
    reply_from_customer(
        ticket=replied, contact=replied.requester, body="The thermostat resets at night"
    )
    noted = make_ticket(department=support, subject="Slow laptop")
    ticket_assign(ticket=noted, assignee=admin_agent, actor=admin_agent)
    note_add(ticket=noted, agent=admin_agent, body="Thermostat firmware replaced")
    make_ticket(department=support, subject="Password reset", description="nothing related")
    assert _subjects(api, q="thermostat") == ["Cannot log in", "Slow laptop"]
    assert _subjects(api, q="THERMO") == ["Cannot log in", "Slow laptop"]  # prefix, any case
    assert _subjects(api, q="thermostat firmware") == ["Slow laptop"]  # every word
    assert _subjects(api, q=f"#{replied.number}") == ["Cannot log in"]


def test_q_in_persian_polish_and_chinese(api: ApiClient, support: Department) -> None:
    make_ticket(department=support, subject="مشكل در چاپگر", description="كار نمي\u200cكند")
    make_ticket(department=support, subject="Drukarka nie działa", description="Zażółć")
    make_ticket(department=support, subject="打印机坏了", description="无法打印文件")
    make_ticket(department=support, subject="发票问题", description="请重新开具发票")
    # Persian letters and no ZWNJ find text stored with Arabic kaf/yeh and a ZWNJ
    assert _subjects(api, q="مشکل چاپگر") == ["مشكل در چاپگر"]
    assert _subjects(api, q="نمیکند") == ["مشكل در چاپگر"]
    assert _subjects(api, q="dzialа".replace("а", "a")) == ["Drukarka nie działa"]
    assert _subjects(api, q="打印机") == ["打印机坏了"]
    assert _subjects(api, q="开具") == ["发票问题"]
    assert _subjects(api, q="机票") == []
    # substring matches of the old icontains filter are gone: "印机坏" is not "机票"
    assert _subjects(api, q="印机坏") == ["打印机坏了"]


@pytest.fixture(params=["index", "walk"])
def match_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Rare words are found through the GIN indexes; words in many of the newest tickets
    by walking the list (``ticketing.search.matches_broadly``): both, for each test."""
    from ticketing import search

    if request.param == "walk":  # one match among the newest ten is "broad"
        monkeypatch.setattr(search, "BROAD_MATCH_SAMPLE", 10)
        monkeypatch.setattr(search, "BROAD_MATCH_SHARE", 0.1)
    return str(request.param)


def test_q_pages_through_every_match(api: ApiClient, support: Department, match_path: str) -> None:
    for index in range(5):
        make_ticket(department=support, subject=f"Toner {index}")
    make_ticket(department=support, subject="Paper jam")
    seen: list[str] = []
    page = api.get("tickets/", q="toner", page_size=2).json()
    seen += [t["subject"] for t in page["results"]]
    while page["next"]:
        page = api.client.get(page["next"]).json()
        seen += [t["subject"] for t in page["results"]]
    assert sorted(seen) == [f"Toner {index}" for index in range(5)]


def test_q_with_nothing_searchable_is_an_empty_page_not_an_error(
    api: ApiClient, support: Department
) -> None:
    make_ticket(department=support, subject="Quote's & <b>tags</b>")
    for text in ["&|!():*", "'", "\\", "!!"]:
        response = api.get("tickets/", q=text)
        assert response.status_code == 200, (text, response.content)
    assert _subjects(api, q="quote's") == ["Quote's & <b>tags</b>"]
    assert api.get("tickets/", q="a" * 201).status_code == 422  # a field error, as before


def test_q_finds_only_what_the_key_may_see(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest, api: ApiClient, match_path: str
) -> None:
    with schema_context(tenant_b.tenant.schema_name):
        make_ticket(subject="Kernel panic in bravo")
    with schema_context(tenant_a.tenant.schema_name):
        support = DepartmentFactory.create(name="Support")
        engineering = DepartmentFactory.create(name="Engineering")
        member = AgentFactory.create(departments=[support])
        make_ticket(department=support, subject="Kernel panic in support")
        make_ticket(department=engineering, subject="Kernel panic in engineering")
    assert _subjects(api, q="kernel") == [
        "Kernel panic in engineering",
        "Kernel panic in support",
    ]
    scoped = ApiClient(tenant_a.host, _key(tenant_a, ["read"], agent=member))
    assert _subjects(scoped, q="kernel") == ["Kernel panic in support"]
    bravo = ApiClient(tenant_b.host, _key(tenant_b, ["read"]))
    assert _subjects(bravo, q="kernel") == ["Kernel panic in bravo"]


def _generic(ticket: Ticket, **context: Any) -> Any:
    """DRF's field-by-field representation, which TicketOut's own must equal."""
    serializer = TicketOut(ticket, context=context)
    return serializers.ModelSerializer.to_representation(serializer, ticket)


def test_ticket_rows_equal_the_generic_serializer_output(
    support: Department, admin_agent: Agent
) -> None:
    bare = make_ticket(department=support, subject="Plain")
    full = make_ticket(
        department=support,
        subject="Full",
        requester=ContactFactory.create(full_name="Nadia Karimi", email="n@example.com"),
        category=CategoryFactory.create(),
        product=ProductFactory.create(),
        tags=["vpn", "urgent"],
    )
    ticket_assign(ticket=full, assignee=admin_agent, actor=admin_agent)
    Ticket.objects.filter(pk=full.pk).update(
        custom_fields={"serial": "AB1234", "count": 3, "nested": {"a": [1, None]}},
        resolved_at=timezone.now() - timedelta(hours=2),
        closed_at=timezone.now(),
        first_responded_at=timezone.now() - timedelta(days=1),
        problem=bare,
    )
    rows = list(selectors.ticket_list(agent=admin_agent).select_related("product"))
    assert {t.subject for t in rows} >= {"Plain", "Full"}
    for ticket in rows:
        assert TicketOut(ticket).data == _generic(ticket)
        with_sla = TicketOut(ticket, context={"with_sla": True}).data
        assert with_sla == _generic(ticket, with_sla=True)
    assert TicketOut(rows, many=True).data == [_generic(t) for t in rows]
    with timezone.override("Asia/Tehran"):  # an offset, not "Z"
        assert TicketOut(rows, many=True).data == [_generic(t) for t in rows]
        assert "+03:30" in str(TicketOut(rows[0]).data["created_at"])

"""Knowledge base over the API: read with a read key, write with a write key, published
by default, ranked search, sanitised bodies, problem+json for bad input, tenants apart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_tenants.utils import schema_context

from kb.models import Article
from tests.api.conftest import ApiClient
from tests.conftest import TenantUnderTest


def test_articles_and_categories_over_the_api(
    make_api: Callable[..., ApiClient], in_alpha: TenantUnderTest
) -> None:
    api = make_api(["read", "write"])
    top = api.post("kb/categories/", {"name": "Hardware"})
    assert top.status_code == 201, top.content
    child = api.post("kb/categories/", {"name": "Printers", "parent": top.json()["id"]})
    assert child.json()["parent"] == top.json()["id"]
    cycle = api.patch(f"kb/categories/{top.json()['id']}/", {"parent": child.json()["id"]})
    assert cycle.status_code == 422
    assert cycle["Content-Type"] == "application/problem+json"

    created = api.post(
        "kb/articles/",
        {
            "title": "Printer jams",
            "body": '<p onclick="x()">Open the tray</p><script>alert(1)</script>',
            "language": "en",
            "status": "published",
            "category": child.json()["id"],
            "tags": ["Printer"],
        },
    )
    assert created.status_code == 201, created.content
    article = created.json()
    assert article["translations"][0]["body"] == "<p>Open the tray</p>"
    assert article["tags"] == ["printer"]
    api.post("kb/articles/", {"title": "Internal printer notes", "body": "", "status": "internal"})
    api.post("kb/articles/", {"title": "Printer draft", "body": ""})

    listed = api.get("kb/articles/").json()["results"]
    assert [a["id"] for a in listed] == [article["id"]]
    internal = api.get("kb/articles/", status="internal").json()["results"]
    assert [a["translations"][0]["title"] for a in internal] == ["Internal printer notes"]
    found = api.get("kb/articles/", q="printer").json()["results"]
    assert [a["id"] for a in found] == [article["id"]]

    changed = api.patch(
        f"kb/articles/{article['id']}/",
        {"language": "pl", "title": "Drukarka się zacina", "body": "<p>Otwórz</p>"},
    )
    assert changed.status_code == 200
    assert {t["language"] for t in changed.json()["translations"]} == {"en", "pl"}
    polish = api.get("kb/articles/", q="drukarka zacina").json()["results"]
    assert [a["id"] for a in polish] == [article["id"]]

    assert api.post("kb/articles/", {"title": " ", "body": ""}).status_code in (400, 422)
    assert (
        api.post("kb/articles/", {"title": "x", "body": "", "category": 999999}).status_code == 404
    )
    assert api.get("kb/articles/999999/").status_code == 404


def test_a_read_key_cannot_write_the_knowledge_base(
    make_api: Callable[..., ApiClient], in_alpha: TenantUnderTest
) -> None:
    reader = make_api(["read"])
    assert reader.get("kb/articles/").status_code == 200
    assert reader.post("kb/articles/", {"title": "x", "body": ""}).status_code == 403
    assert reader.post("kb/categories/", {"name": "x"}).status_code == 403
    assert not Article.objects.exists()


def test_tenants_do_not_share_articles(
    make_api: Callable[..., ApiClient], tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    bravo = make_api(["read", "write"], tenant=tenant_b)
    secret = bravo.post(
        "kb/articles/", {"title": "Bravo secret", "body": "", "status": "published"}
    )
    assert secret.status_code == 201
    alpha = make_api(["read", "write"])
    assert alpha.get(f"kb/articles/{secret.json()['id']}/").status_code == 404
    assert alpha.get("kb/articles/", q="secret").json()["results"] == []
    assert alpha.patch(f"kb/articles/{secret.json()['id']}/", {"title": "x"}).status_code == 404
    with schema_context(tenant_b.tenant.schema_name):
        assert (
            Article.objects.get(pk=secret.json()["id"]).translations.get().title == "Bravo secret"
        )


def test_article_list_reads_a_bounded_number_of_queries(
    make_api: Callable[..., ApiClient],
    in_alpha: TenantUnderTest,
    django_assert_max_num_queries: Any,
) -> None:
    api = make_api(["read", "write"])
    for index in range(8):
        api.post("kb/articles/", {"title": f"Article {index}", "body": "", "status": "published"})
    with django_assert_max_num_queries(12):
        listed = api.get("kb/articles/").json()["results"]
    assert len(listed) == 8
    with django_assert_max_num_queries(12):
        found = api.get("kb/articles/", q="article").json()["results"]
    assert len(found) == 8

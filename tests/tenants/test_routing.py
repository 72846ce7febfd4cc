"""Hosts reach the right schema; unknown, suspended and deleted tenants get friendly pages."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory

from tenants.db import connection
from tenants.provisioning import template
from tenants.routing import GENERATION_KEY, HostRouter, request_host, routing_invalidate
from tenants.services import domain_add, tenant_delete, tenant_resume, tenant_suspend
from tests.conftest import TenantUnderTest


def test_subdomain_reaches_the_tenant(tenant_a: TenantUnderTest) -> None:
    response = Client(HTTP_HOST="alpha.localhost:8000").get("/")
    assert response.status_code == 200
    assert response.wsgi_request.tenant == tenant_a.tenant  # type: ignore[attr-defined]
    assert "Alpha Ltd" in response.content.decode()


def test_custom_domain_reaches_the_tenant(tenant_a: TenantUnderTest) -> None:
    domain_add(slug="alpha", domain="Support.Alpha.example.com")
    routing_invalidate()
    response = Client(HTTP_HOST="support.alpha.example.com").get("/")
    assert response.status_code == 200
    assert "Alpha Ltd" in response.content.decode()


def test_platform_host_serves_the_public_schema(db: None) -> None:
    response = Client(HTTP_HOST="localhost:8000").get("/")
    assert response.status_code == 200
    assert connection.schema_name == "public"
    assert "helpdesk" in response.content.decode()


@pytest.mark.parametrize(
    "host", ["nosuch.localhost", "a.b.localhost", "example.org", "", "bad host"]
)
def test_unknown_host_gets_a_friendly_404(db: None, host: str) -> None:
    response = Client(HTTP_HOST=host).get("/some/page")
    assert response.status_code == 404
    body = response.content.decode()
    assert "There is no help desk at this address" in body
    assert "Traceback" not in body
    assert "technical" not in body.lower()


def test_unknown_host_page_is_translated(db: None) -> None:
    response = Client(HTTP_HOST="nosuch.localhost", HTTP_ACCEPT_LANGUAGE="fa").get("/")
    assert response.status_code == 404
    assert 'dir="rtl"' in response.content.decode()


def test_suspended_tenant_gets_a_branded_503_until_resumed(tenant_a: TenantUnderTest) -> None:
    client = tenant_a.client()
    assert client.get("/").status_code == 200
    tenant_suspend(slug="alpha", reason="billing")
    routing_invalidate()  # on_commit does this outside the test transaction
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.content.decode()
    assert "temporarily unavailable" in body
    assert "Alpha Ltd" in body
    tenant_resume(slug="alpha")
    routing_invalidate()
    assert client.get("/").status_code == 200


def test_deleted_tenant_is_not_found(tenant_b: TenantUnderTest) -> None:
    tenant_delete(slug="bravo")
    routing_invalidate()
    assert tenant_b.client().get("/").status_code == 404


@pytest.mark.parametrize("host", ["localhost", "alpha.localhost", "nosuch.localhost"])
def test_health_endpoints_answer_on_every_host(tenant_a: TenantUnderTest, host: str) -> None:
    client = Client(HTTP_HOST=host)
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok", "provisioning": "ok"}


def test_readyz_reports_redis_down(db: None, settings: pytest.FixtureRequest) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # type: ignore[attr-defined]
    response = Client(HTTP_HOST="localhost").get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "unavailable"


def test_readyz_reports_a_stale_schema_template(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(template, "migrations_fingerprint", lambda: "0" * 64)
    response = Client(HTTP_HOST="localhost").get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["provisioning"] == "stale: run manage.py migrate"


def test_routes_are_cached_and_invalidated_across_processes(tenant_a: TenantUnderTest) -> None:
    """A second router stands for another web process: it sees a change once it rechecks
    the shared generation."""
    other_process = HostRouter()
    assert other_process.resolve("alpha.localhost") is not None
    cached = other_process.resolve("alpha.localhost")
    assert cached is not None
    assert cached.tenant is not None
    assert other_process.resolve("alpha.localhost") is cached  # served from memory

    tenant_suspend(slug="alpha")
    routing_invalidate()
    assert caches["platform"].get(GENERATION_KEY)
    other_process._checked_at = 0.0  # its recheck interval has passed
    route = other_process.resolve("alpha.localhost")
    assert route is not None
    assert route.tenant is not None
    assert route.tenant.status == "suspended"


def test_request_host_strips_port_and_case() -> None:
    request = RequestFactory().get("/", HTTP_HOST="Alpha.LocalHost:8000")
    assert request_host(request) == "alpha.localhost"

"""API tests call tenant alpha's host with a Bearer key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from api.services import api_key_create
from tests.conftest import TenantUnderTest
from ticketing.models import Agent


class ApiClient:
    def __init__(self, host: str, secret: str) -> None:
        self.client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1/{path}", params)

    def post(self, path: str, data: dict[str, Any] | None = None, **headers: Any) -> Any:
        return self.client.post(
            f"/api/v1/{path}", data or {}, content_type="application/json", headers=headers
        )

    def patch(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.patch(f"/api/v1/{path}", data, content_type="application/json")

    def put(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.put(f"/api/v1/{path}", data, content_type="application/json")


def _key(tenant: TenantUnderTest, scopes: list[str], agent: Agent | None = None) -> str:
    with schema_context(tenant.tenant.schema_name):
        admin = Agent.objects.get(user__email=tenant.admin.email)
        return api_key_create(actor=admin, name="CRM", scopes=scopes, agent=agent).secret


@pytest.fixture(autouse=True)
def generous_rate_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counters live in Redis across tests; only the rate-limit test sets low limits."""
    from api.throttling import ApiRateThrottle

    monkeypatch.setattr(ApiRateThrottle, "RATES", {"api_key": "100000/min", "api_ip": "100000/min"})


@pytest.fixture
def make_api(tenant_a: TenantUnderTest) -> Callable[..., ApiClient]:
    def make(scopes: list[str] | None = None, tenant: TenantUnderTest | None = None) -> ApiClient:
        target = tenant or tenant_a
        return ApiClient(target.host, _key(target, scopes or ["read", "write"]))

    return make


@pytest.fixture
def api(make_api: Callable[..., ApiClient]) -> ApiClient:
    return make_api()

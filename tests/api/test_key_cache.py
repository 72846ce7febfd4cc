"""API keys are cached per tenant and process with their agent and user: a known key
costs no query, and revoking it, switching off its agent or user, or changing the
agent's role takes effect on the next request."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import ApiKey
from api.services import KEY_PREFIX, _hash, api_key_revoke
from tests.api.conftest import ApiClient
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import DepartmentFactory, make_ticket
from ticketing.models import Agent, AgentRole
from ticketing.services.people import agent_set_active


def _quiet_key(agent: Agent) -> str:
    """A key stored without the save signal, as if created in an earlier transaction:
    the cache then serves it (a change made in the open test transaction would make
    every read go around the cache until it commits)."""
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    ApiKey.objects.bulk_create(
        [
            ApiKey(
                name="CRM",
                prefix=prefix,
                secret_hash=_hash(secret),
                scopes=["read", "write"],
                agent=agent,
            )
        ]
    )
    return secret


@pytest.fixture
def admin(in_alpha: TenantUnderTest) -> Agent:
    return Agent.objects.select_related("user").get(user__email=in_alpha.admin.email)


@pytest.fixture
def keyed(in_alpha: TenantUnderTest, admin: Agent) -> ApiClient:
    return ApiClient(in_alpha.host, _quiet_key(admin))


def _key_queries(api: ApiClient) -> tuple[int, list[str]]:
    """The status of a list request and its queries of keys, agents or users."""
    with CaptureQueriesContext(connection) as captured:
        status = api.get("tickets/").status_code
    reads = ('FROM "api_apikey"', 'FROM "ticketing_agent"', 'FROM "accounts_user"')
    return status, [
        q["sql"]
        for q in captured.captured_queries
        if "api_apikey" in q["sql"] or any(read in q["sql"] for read in reads)
    ]


def test_a_known_key_is_read_from_the_cache(keyed: ApiClient, admin: Agent) -> None:
    status, first = _key_queries(keyed)
    assert status == 200
    assert any(sql.startswith("UPDATE") for sql in first)  # last used: written once
    status, second = _key_queries(keyed)
    assert (status, second) == (200, [])  # no look-up, no second write within the minute
    key = ApiKey.objects.get(agent=admin, name="CRM")
    assert key.last_used_at is not None


def test_a_revoked_key_is_refused_at_once(keyed: ApiClient, admin: Agent) -> None:
    assert keyed.get("tickets/").status_code == 200
    api_key_revoke(actor=admin, key=ApiKey.objects.get(agent=admin, name="CRM"))
    assert keyed.get("tickets/").status_code == 401


def test_a_switched_off_agent_or_user_loses_the_key_at_once(
    in_alpha: TenantUnderTest, admin: Agent
) -> None:
    by_agent = ApiClient(in_alpha.host, _quiet_key(admin))
    assert by_agent.get("tickets/").status_code == 200
    agent_set_active(agent=admin, active=False)
    assert by_agent.get("tickets/").status_code == 401
    agent_set_active(agent=admin, active=True)
    assert by_agent.get("tickets/").status_code == 200
    user: Any = admin.user
    user.is_active = False
    user.save()
    assert by_agent.get("tickets/").status_code == 401


def test_a_new_role_applies_to_the_next_request(in_alpha: TenantUnderTest, admin: Agent) -> None:
    department = DepartmentFactory.create()
    ticket = make_ticket(department=department)
    api = ApiClient(in_alpha.host, _quiet_key(admin))
    assert ticket.pk in [t["id"] for t in api.get("tickets/").json()["results"]]
    admin.role = AgentRole.AGENT  # not in the ticket's department
    admin.save(update_fields=["role"])
    assert ticket.pk not in [t["id"] for t in api.get("tickets/").json()["results"]]


def test_signing_in_keeps_the_cache(in_alpha: TenantUnderTest, admin: Agent) -> None:
    """A sign-in writes the user's last_login; nothing cached reads it."""
    api = ApiClient(in_alpha.host, _quiet_key(admin))
    assert api.get("tickets/").status_code == 200
    user: Any = admin.user
    user.save(update_fields=["last_login"])
    assert _key_queries(api) == (200, [])

"""Rate limits: fixed-window counters in Redis, per key and per IP, scoped per tenant,
one round trip per request; 429 with Retry-After; Redis down lets requests through."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from api.throttling import ApiRateThrottle, parse_rate
from tests.api.conftest import ApiClient
from tests.conftest import TenantUnderTest


def _from_one_fresh_address(*clients: ApiClient) -> None:
    """Counters live in Redis across tests: a new address starts from zero."""
    address = ".".join(str(random.randint(1, 254)) for _ in range(4))
    for client in clients:
        client.client.defaults["REMOTE_ADDR"] = address


def test_rates_are_parsed() -> None:
    assert parse_rate("600/min") == (600, 60)
    assert parse_rate("5/s") == (5, 1)
    assert parse_rate("100/hour") == (100, 3600)
    assert parse_rate("1000/day") == (1000, 86400)


def test_the_per_ip_limit_counts_every_key_of_that_address(
    make_api: Callable[..., ApiClient], monkeypatch: pytest.MonkeyPatch, tenant_a: TenantUnderTest
) -> None:
    monkeypatch.setattr(ApiRateThrottle, "RATES", {"api_key": "100/min", "api_ip": "3/min"})
    first, second = make_api(), make_api()
    _from_one_fresh_address(first, second)
    statuses = [client.get("departments/").status_code for client in (first, second, first)]
    assert statuses == [200, 200, 200]
    limited = second.get("departments/")
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60


def test_one_tenants_traffic_does_not_count_against_another(
    make_api: Callable[..., ApiClient],
    monkeypatch: pytest.MonkeyPatch,
    tenant_a: TenantUnderTest,
    tenant_b: TenantUnderTest,
) -> None:
    monkeypatch.setattr(ApiRateThrottle, "RATES", {"api_key": "100/min", "api_ip": "2/min"})
    alpha, bravo = make_api(tenant=tenant_a), make_api(tenant=tenant_b)
    _from_one_fresh_address(alpha, bravo)
    assert [alpha.get("departments/").status_code for _ in range(3)] == [200, 200, 429]
    assert bravo.get("departments/").status_code == 200


def test_requests_pass_when_redis_cannot_be_reached(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, tenant_a: TenantUnderTest
) -> None:
    import redis

    # A client whose pool points at a port nothing listens on.
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setattr(ApiRateThrottle, "RATES", {"api_key": "1/min", "api_ip": "1/min"})
    monkeypatch.setattr("api.throttling.redis_write_client", lambda cache: unreachable)
    assert [api.get("departments/").status_code for _ in range(3)] == [200, 200, 200]


def test_one_redis_command_counts_both_limits(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, tenant_a: TenantUnderTest
) -> None:
    import redis

    commands: list[object] = []
    original = redis.Redis.execute_command

    def counting(self: redis.Redis, *args: object, **options: object) -> object:
        commands.append(args[0])
        return original(self, *args, **options)

    _from_one_fresh_address(api)
    api.get("departments/")  # the script is loaded by now, whatever ran before
    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    assert api.get("departments/").status_code == 200
    assert commands.count("EVALSHA") == 1
    assert not {"INCR", "EXPIRE", "MULTI", "EXEC"} & set(map(str, commands))


def test_counters_expire_with_their_window(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, tenant_a: TenantUnderTest
) -> None:
    from django.core.cache import cache

    from tenants.redis_clients import redis_write_client

    monkeypatch.setattr(ApiRateThrottle, "RATES", {"api_key": "100/min", "api_ip": "100/hour"})
    _from_one_fresh_address(api)
    assert api.get("departments/").status_code == 200
    address = api.client.defaults["REMOTE_ADDR"]
    client = redis_write_client(cache)
    assert client is not None
    keys = [k.decode() for k in client.keys(f"*throttle:api_ip:3600:*:{address}")]
    assert len(keys) == 1
    assert 0 < client.ttl(keys[0]) <= 3601

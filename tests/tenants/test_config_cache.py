"""The per-tenant configuration cache: per schema, invalidated here at once and in other
processes through the generation they recheck, never serving a transaction's own
uncommitted change to anybody else."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.cache import caches
from django.db import transaction
from django_tenants.utils import schema_context

from tenants.config_cache import (
    _GENERATION_KEY,
    TenantConfigCache,
    config_cache,
    config_invalidate,
)
from tests.conftest import TenantUnderTest


def _generation(schema: str) -> Any:
    return caches["platform"].get(_GENERATION_KEY.format(schema=schema))


def test_values_are_kept_per_tenant(tenant_a: TenantUnderTest, tenant_b: TenantUnderTest) -> None:
    with schema_context(tenant_a.tenant.schema_name):
        assert config_cache.get("answer", lambda: "alpha") == "alpha"
        assert config_cache.get("answer", lambda: "reloaded") == "alpha"
    with schema_context(tenant_b.tenant.schema_name):
        assert config_cache.get("answer", lambda: "bravo") == "bravo"
        config_invalidate()
    with schema_context(tenant_a.tenant.schema_name):  # bravo's change leaves alpha alone
        assert config_cache.get("answer", lambda: "reloaded") == "alpha"


def test_a_change_in_another_process_is_seen_at_the_next_recheck(
    tenant_a: TenantUnderTest, settings: Any
) -> None:
    settings.TENANT_CONFIG_RECHECK_SECONDS = 3600
    schema = tenant_a.tenant.schema_name
    with schema_context(schema):
        assert config_cache.get("answer", lambda: 1) == 1
        # Another process committed a change: it bumped the tenant's generation.
        caches["platform"].set(_GENERATION_KEY.format(schema=schema), "elsewhere", None)
        assert config_cache.get("answer", lambda: 2) == 1  # not rechecked yet
        settings.TENANT_CONFIG_RECHECK_SECONDS = 0
        assert config_cache.get("answer", lambda: 3) == 3
        assert config_cache.get("answer", lambda: 4) == 3  # same generation: kept


def test_other_processes_hear_of_a_change_only_when_it_commits(
    tenant_a: TenantUnderTest, django_capture_on_commit_callbacks: Any
) -> None:
    schema = tenant_a.tenant.schema_name
    with schema_context(schema):
        before = _generation(schema)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            config_invalidate()
            assert _generation(schema) == before
        assert _generation(schema) != before


def test_a_changing_transaction_reads_around_the_cache(tenant_a: TenantUnderTest) -> None:
    with schema_context(tenant_a.tenant.schema_name):
        assert config_cache.get("answer", lambda: "committed") == "committed"
        with contextlib.suppress(RolledBack), transaction.atomic():
            config_invalidate()
            assert config_cache.get("answer", lambda: "uncommitted") == "uncommitted"
            assert config_cache.get("answer", lambda: "again") == "again"  # not stored
            raise RolledBack
        # Rolled back: the next reader loads what is committed, and keeps it.
        assert config_cache.get("answer", lambda: "committed") == "committed"
        assert config_cache.get("answer", lambda: "reloaded") == "committed"


class RolledBack(Exception):
    """Raised to roll a transaction back on purpose."""


def test_caches_of_their_own_are_invalidated_apart(tenant_a: TenantUnderTest) -> None:
    """The API keys' cache drops on agent and user changes; the configuration must not."""
    keys = TenantConfigCache("test-own")
    with schema_context(tenant_a.tenant.schema_name):
        assert config_cache.get("answer", lambda: "config") == "config"
        assert keys.get("answer", lambda: "keys") == "keys"
        keys.invalidate()
        assert config_cache.get("answer", lambda: "reloaded") == "config"
        # Its own change is not committed yet: read around, not stored.
        assert keys.get("answer", lambda: "uncommitted") == "uncommitted"
        config_invalidate()
        assert config_cache.get("answer", lambda: "changed") == "changed"

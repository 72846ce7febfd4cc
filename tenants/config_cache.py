"""Per-tenant configuration look-ups cached in the process.

Opening a ticket needs the same handful of small, rarely changed rows every time: the
default priority, the department's form, the customer open-ticket limit, the active SLA
policies, the notification switches and templates. Each is read once per tenant and
process and kept here under ``(schema_name, key)``.

Invalidation is by model: an app declares which models its cached values are made of
(``depends_on``); saving or deleting a row of one of them (services, the Django admin,
fixtures alike) drops that tenant's cached values in this process at once and, after the
commit, bumps the tenant's generation in Redis. Other processes compare generations at
most every ``TENANT_CONFIG_RECHECK_SECONDS`` (as the host router does) and drop theirs.

A transaction that changed such a row reads around the cache until it ends: what it sees
is not committed yet and must not be served to anybody else (a rollback would leave it
behind). ``QuerySet.update()`` sends no signal: code that updates these models in bulk
calls ``config_invalidate`` itself.

``config_cache`` holds the configuration; an app whose cached values depend on models
that change more often than configuration (agents, users) keeps its own
``TenantConfigCache(name)``, so those changes do not drop everybody's configuration.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from tenants.db import connection

logger = logging.getLogger(__name__)

T = TypeVar("T")

_GENERATION_KEY = "tenant-config-generation:{schema}"


@dataclass
class _Entry:
    generation: str | None
    checked_at: float
    values: dict[str, Any] = field(default_factory=dict)


class TenantConfigCache:
    """Values cached per tenant schema in this process, with their own generation in
    Redis and their own invalidation (``invalidate``, ``depends_on``)."""

    #: Every cache made, for tests that start each test with nothing cached.
    instances: ClassVar[list[TenantConfigCache]] = []

    def __init__(self, name: str = "tenant-config") -> None:
        TenantConfigCache.instances.append(self)
        self.name = name
        self._generation_key = name + "-generation:{schema}"
        self._dirty_attribute = "_caseway_dirty:" + name
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def get(self, key: str, load: Callable[[], T]) -> T:
        schema = str(connection.schema_name)
        if self._dirty_here(schema):
            return load()
        entry = self._entry(schema)
        try:
            return entry.values[key]
        except KeyError:
            pass
        value = load()
        # Stored on the entry read before loading: if the tenant changed meanwhile, the
        # entry was replaced (or will be at the next recheck) and this value goes with it.
        entry.values[key] = value
        return value

    def _entry(self, schema: str) -> _Entry:
        now = time.monotonic()
        entry = self._entries.get(schema)
        if entry is not None and now - entry.checked_at < settings.TENANT_CONFIG_RECHECK_SECONDS:
            return entry
        generation = self._read_generation(schema)
        with self._lock:
            current = self._entries.get(schema)
            if current is not None and current is not entry:
                return current  # another thread renewed it meanwhile
            if entry is None or entry.generation != generation or generation is None:
                entry = _Entry(generation=generation, checked_at=now)
            else:
                entry.checked_at = now
            if len(self._entries) > 10_000:  # unbounded tenants must not grow memory
                self._entries.clear()
            self._entries[schema] = entry
            return entry

    def forget(self, schema: str) -> None:
        with self._lock:
            self._entries.pop(schema, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _read_generation(self, schema: str) -> str | None:
        """``None`` (Redis down or never set) makes the entry short-lived: it is renewed
        at the next recheck, so a missed bump costs at most one recheck interval."""
        try:
            value = caches["platform"].get(self._generation_key.format(schema=schema))
        except Exception:
            logger.warning("%s generation unavailable; re-reading", self.name)
            return None
        return str(value) if value is not None else None

    def _bump_generation(self, schema: str) -> None:
        self.forget(schema)
        try:
            caches["platform"].set(
                self._generation_key.format(schema=schema), uuid.uuid4().hex, None
            )
        except Exception:
            logger.warning("could not publish the %s generation of %s", self.name, schema)

    # --- transactions that changed what is cached ----------------------------------------

    def _dirty_marks(self) -> dict[str, Callable[[], None]]:
        conn = transaction.get_connection()
        marks: dict[str, Callable[[], None]] = conn.__dict__.setdefault(self._dirty_attribute, {})
        if marks:
            # A mark lives as long as its commit callback waits: Django empties the list
            # on commit and on rollback (and drops a rolled-back savepoint's callbacks).
            pending = {id(entry[1]) for entry in conn.run_on_commit}
            for schema in [s for s, callback in marks.items() if id(callback) not in pending]:
                del marks[schema]
        return marks

    def _dirty_here(self, schema: str) -> bool:
        conn = transaction.get_connection()
        if not conn.in_atomic_block:
            return False
        return schema in self._dirty_marks()

    def invalidate(self, schema_name: str | None = None) -> None:
        """What is cached for ``schema_name`` (default: the current tenant) changed."""
        schema = schema_name or str(connection.schema_name)
        self.forget(schema)
        conn = transaction.get_connection()
        if not conn.in_atomic_block:
            self._bump_generation(schema)
            return
        marks = self._dirty_marks()
        if schema in marks:
            return

        def committed() -> None:
            self._bump_generation(schema)

        marks[schema] = committed
        transaction.on_commit(committed)

    def depends_on(
        self,
        models: Iterable[type[Model]],
        *,
        schema_of: Callable[[Any], str | None] | None = None,
        ignore_update_fields: Iterable[str] = (),
        ignore_created: bool = False,
    ) -> None:
        """Cached values are made of these models: a change to any row invalidates the
        tenant.

        ``schema_of(instance)`` names the tenant of a public-schema row (tenant
        settings); tenant-schema rows belong to the current schema. A save limited to
        ``ignore_update_fields`` (``save(update_fields=...)``) leaves the cache alone:
        for columns no cached value reads, written often (a user's last sign-in).
        ``ignore_created``: a new row cannot be part of anything cached yet (an agent
        before it has keys)."""
        ignored = frozenset(ignore_update_fields)

        def changed(sender: type[Model], instance: Any, **kwargs: Any) -> None:
            if ignore_created and kwargs.get("created"):
                return
            update_fields = kwargs.get("update_fields")
            if ignored and update_fields and ignored.issuperset(update_fields):
                return
            if schema_of is None:
                self.invalidate()
                return
            schema = schema_of(instance)
            if schema:
                self.invalidate(schema)

        for model in models:
            uid = f"{self.name}:{model._meta.label}"
            post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid + ":save")
            post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + ":delete")
            for m2m in model._meta.many_to_many:
                through = m2m.remote_field.through
                m2m_changed.connect(
                    changed, sender=through, weak=False, dispatch_uid=f"{uid}:{m2m.name}"
                )
                # Rows of the link table also go when the other side is deleted.
                post_delete.connect(
                    changed, sender=through, weak=False, dispatch_uid=f"{uid}:{m2m.name}:delete"
                )


config_cache = TenantConfigCache()


def config_invalidate(schema_name: str | None = None) -> None:
    """The configuration of ``schema_name`` (default: the current tenant) changed."""
    config_cache.invalidate(schema_name)


def depends_on(
    models: Iterable[type[Model]], *, schema_of: Callable[[Any], str | None] | None = None
) -> None:
    """The configuration is made of these models (see ``TenantConfigCache.depends_on``)."""
    config_cache.depends_on(models, schema_of=schema_of)

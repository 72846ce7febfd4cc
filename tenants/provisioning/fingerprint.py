"""The identity of the tenant schema the code expects: a digest of every tenant-app
migration file. A template or pooled schema built from other migrations is stale."""

from __future__ import annotations

import hashlib
import inspect
from functools import lru_cache

from django.conf import settings
from django.db.migrations.loader import MigrationLoader


def tenant_app_labels() -> set[str]:
    from django.apps import apps

    labels = set()
    for name in settings.TENANT_APPS:
        for config in apps.get_app_configs():
            if config.name == name:
                labels.add(config.label)
    return labels


@lru_cache(maxsize=1)
def migrations_fingerprint() -> str:
    """Read from disk once per process; no database access."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    labels = tenant_app_labels()
    digest = hashlib.sha256()
    for key in sorted(k for k in loader.disk_migrations if k[0] in labels):
        migration = loader.disk_migrations[key]
        digest.update(f"{key[0]}.{key[1]}\n".encode())
        source_file = inspect.getsourcefile(type(migration))
        if source_file:
            with open(source_file, "rb") as handle:
                digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()

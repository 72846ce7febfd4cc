"""The warm pool: schemas built ahead of time so that a signup only renames one.

Every pooled schema carries the fingerprint of the migrations it was built from; only
schemas with the code's fingerprint are ever claimed, and ``pool_discard_stale`` (run by
``migrate``) drops the others.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.db import connection, transaction

from tenants.models import PooledSchema
from tenants.provisioning.fingerprint import migrations_fingerprint
from tenants.provisioning.template import (
    current_template,
    quote_schema,
    schema_build,
    schema_drop,
)

logger = logging.getLogger(__name__)

POOL_PREFIX = "caseway_pool_"


def pool_claim(*, schema_name: str) -> bool:
    """Rename a ready schema to ``schema_name``; False when the pool is empty.

    Must run inside the caller's transaction: a rollback puts the schema back.
    """
    pooled = (
        PooledSchema.objects.select_for_update(skip_locked=True)
        .filter(fingerprint=migrations_fingerprint())
        .order_by("created_at")
        .first()
    )
    if pooled is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER SCHEMA {quote_schema(pooled.schema_name)} RENAME TO {quote_schema(schema_name)}"
        )
    pooled.delete()
    return True


def pool_size_ready() -> int:
    return PooledSchema.objects.filter(fingerprint=migrations_fingerprint()).count()


def pool_refill(*, target: int | None = None) -> int:
    """Build schemas until the pool holds ``target`` (default TENANT_POOL_SIZE) ready ones.

    Each schema is built and registered in its own transaction, so concurrent refills
    only ever overfill by a little and a crash leaves no unregistered schema behind.
    Returns how many were built.
    """
    target = settings.TENANT_POOL_SIZE if target is None else target
    template = current_template()
    built = 0
    while pool_size_ready() < target:
        schema_name = POOL_PREFIX + secrets.token_hex(6)
        with transaction.atomic():
            schema_build(schema_name, template=template)
            PooledSchema.objects.create(schema_name=schema_name, fingerprint=template.fingerprint)
        built += 1
    return built


def pool_discard_stale() -> int:
    """Drop pooled schemas built from other migrations, and orphans of any crash."""
    fingerprint = migrations_fingerprint()
    dropped = 0
    for pooled in PooledSchema.objects.exclude(fingerprint=fingerprint):
        with transaction.atomic():
            schema_drop(pooled.schema_name)
            pooled.delete()
        dropped += 1
    registered = set(PooledSchema.objects.values_list("schema_name", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [POOL_PREFIX + "%"]
        )
        orphans = [name for (name,) in cursor.fetchall() if name not in registered]
    for name in orphans:
        schema_drop(name)
        dropped += 1
    if dropped:
        logger.info("dropped %d stale pooled schemas", dropped)
    return dropped

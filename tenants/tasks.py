"""Celery entry points of the tenants app: thin, idempotent, time-limited."""

from __future__ import annotations

from celery import shared_task

from tenants.provisioning.pool import pool_refill
from tenants.services import tenants_purge_expired


@shared_task(name="tenants.refill_pool", queue="provisioning", acks_late=True, soft_time_limit=300)
def refill_pool() -> int:
    return pool_refill()


@shared_task(name="tenants.purge_deleted", queue="maintenance", acks_late=True, soft_time_limit=600)
def purge_deleted() -> list[str]:
    return tenants_purge_expired()

"""Celery entry points of the tenants app: thin, idempotent, time-limited."""

from __future__ import annotations

from celery import shared_task

from tenants.provisioning.pool import pool_refill
from tenants.services import tenants_purge_expired


@shared_task(name="tenants.refill_pool", acks_late=True, soft_time_limit=300, time_limit=330)
def refill_pool() -> int:
    return pool_refill()


@shared_task(name="tenants.purge_deleted", acks_late=True, soft_time_limit=600, time_limit=630)
def purge_deleted() -> list[str]:
    return tenants_purge_expired()

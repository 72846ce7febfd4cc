"""Celery entry points of ticketing: thin, idempotent, time-limited."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import schema_context

from tenants.models import Tenant, TenantStatus
from ticketing.services.lifecycle import tickets_auto_close


@shared_task(name="ticketing.auto_close", acks_late=True, soft_time_limit=120, time_limit=150)
def auto_close() -> int:
    """Close due tickets of the tenant the task was sent from."""
    return tickets_auto_close()


@shared_task(name="ticketing.auto_close_all", acks_late=True, soft_time_limit=60, time_limit=90)
def auto_close_all() -> int:
    """Fan out ``auto_close`` to every active tenant (the schema travels in the headers)."""
    schemas = Tenant.objects.filter(status=TenantStatus.ACTIVE).values_list(
        "schema_name", flat=True
    )
    count = 0
    for schema_name in schemas:
        with schema_context(schema_name):
            auto_close.delay()
        count += 1
    return count

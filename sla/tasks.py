"""Celery entry point of the SLA engine (public schema; it visits tenants itself)."""

from __future__ import annotations

from celery import shared_task

from sla.sweep import sla_sweep


@shared_task(name="sla.sweep", acks_late=True, soft_time_limit=50, time_limit=60)
def sweep() -> dict[str, int]:
    result = sla_sweep()
    return {"claimed": result.claimed, "fired": result.fired, "failed": result.failed}

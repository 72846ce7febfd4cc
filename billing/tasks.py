"""Celery entry points of billing: thin, taking ids, safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from billing import emails, services, usage
from billing.errors import StripeUnavailable

# Stripe unreachable or failing: retried with exponential backoff (5 s, 10 s, … 1 h).
RETRY_ON = (StripeUnavailable,)
#: Options of every task that talks to Stripe.
STRIPE_TASK: dict[str, Any] = {
    "acks_late": True,
    "soft_time_limit": 60,
    "time_limit": 90,
    "autoretry_for": RETRY_ON,
    "retry_backoff": 5,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(name="billing.handle_event", **STRIPE_TASK)
def handle_event(event_pk: int) -> str:
    return services.stripe_event_process(event_pk=event_pk)


@shared_task(name="billing.ensure_customer", **STRIPE_TASK)
def ensure_customer(tenant_id: int) -> str:
    return services.account_ensure_customer(tenant_id=tenant_id)


@shared_task(name="billing.sync_seats", **STRIPE_TASK)
def sync_seats(tenant_id: int, change_id: str) -> int:
    return services.seats_sync(tenant_id=tenant_id, change_id=change_id)


@shared_task(name="billing.email_admins", acks_late=True, soft_time_limit=30, time_limit=40)
def email_admins(tenant_id: int, kind: str) -> int:
    return emails.admins_notify(tenant_id=tenant_id, kind=kind)


@shared_task(name="billing.housekeeping", acks_late=True, soft_time_limit=120, time_limit=180)
def housekeeping() -> dict[str, int]:
    """Beat: suspend past the grace period, end trials, re-enqueue lost events."""
    suspended = services.accounts_enforce_grace()
    expired = services.trials_expire()
    stuck = services.stripe_events_stuck()
    for event_pk in stuck:
        handle_event.apply_async(args=(event_pk,), queue=settings.BILLING_QUEUE)
    return {"suspended": len(suspended), "trials_ended": len(expired), "requeued": len(stuck)}


@shared_task(name="billing.usage_refresh", acks_late=True, soft_time_limit=600, time_limit=660)
def usage_refresh() -> int:
    """Beat: recount every tenant's agents, tickets and storage for the operators' list."""
    return usage.usages_refresh()

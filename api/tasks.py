"""Celery entry points of the API app (webhook delivery)."""

from __future__ import annotations

from celery import shared_task

from api.models import DeliveryStatus
from api.webhooks import delivery_attempt, retry_delay_seconds


@shared_task(
    name="api.deliver_webhook",
    bind=True,
    acks_late=True,
    soft_time_limit=30,
    time_limit=40,
    max_retries=None,
)
def deliver_webhook(self: object, delivery_id: int) -> str:
    """Send one delivery; schedule the next attempt with backoff while it may still
    succeed. Safe to run twice: a delivered delivery is not sent again."""
    from api.models import WebhookDelivery

    status = delivery_attempt(delivery_id)
    if status == DeliveryStatus.PENDING:
        attempts = WebhookDelivery.objects.values_list("attempts", flat=True).get(pk=delivery_id)
        raise self.retry(countdown=retry_delay_seconds(attempts))  # type: ignore[attr-defined]
    return str(status)

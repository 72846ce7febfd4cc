"""Celery entry points of notifications: deliver one row; re-dispatch stuck rows."""

from __future__ import annotations

import time

from celery import shared_task
from django_tenants.utils import schema_context

from notifications.models import NotificationStatus
from notifications.services import (
    notification_deliver,
    notifications_deliver_many,
    notifications_stuck,
)
from tenants.models import Tenant, TenantStatus


@shared_task(
    name="notifications.deliver",
    bind=True,
    acks_late=True,
    soft_time_limit=30,
    time_limit=40,
    max_retries=None,
)
def deliver(self: object, notification_id: int) -> str:
    status = notification_deliver(notification_id)
    if status == NotificationStatus.QUEUED:  # failed this time: back off and try again
        raise self.retry(countdown=_backoff(notification_id))  # type: ignore[attr-defined]
    return str(status)


#: Rows never tried yet that a delivery task claims at a time, besides its own.
DRAIN_BATCH = 100
#: A task drains for at most this long, then hands over to a new task.
DRAIN_SECONDS = 60.0


@shared_task(
    name="notifications.deliver_many",
    acks_late=True,
    soft_time_limit=120,
    time_limit=150,
)
def deliver_many(notification_ids: list[int]) -> int:
    """Send the rows of a transaction and every other row waiting to be tried, over one
    connection, batch after batch until none is left. A row that fails goes on alone
    with its own backoff; the others are not held up."""
    from django.core.cache import cache

    from notifications.handlers import DRAIN_PENDING_KEY

    # From here on a new row enqueues a new task: nothing committed later is missed.
    cache.delete(DRAIN_PENDING_KEY)
    started = time.monotonic()
    sent, ids = 0, list(notification_ids)
    while True:
        results = notifications_deliver_many(ids=ids, fresh=DRAIN_BATCH)
        for notification_id, status in results:
            if status == NotificationStatus.QUEUED:
                deliver.apply_async((notification_id,), countdown=_backoff(notification_id))
            elif status == NotificationStatus.SENT:
                sent += 1
        own = set(ids)
        if sum(1 for notification_id, _ in results if notification_id not in own) < DRAIN_BATCH:
            return sent  # the backlog is empty
        ids = []
        if time.monotonic() - started > DRAIN_SECONDS:
            deliver_many.delay([])  # more waiting: a fresh task goes on
            return sent


def _backoff(notification_id: int) -> int:
    from notifications.models import Notification

    attempts = Notification.objects.values_list("attempts", flat=True).get(pk=notification_id)
    return min(3600, 15 * 2**attempts)


@shared_task(name="notifications.redispatch", acks_late=True, soft_time_limit=60, time_limit=90)
def redispatch() -> int:
    """Re-enqueue this tenant's queued rows whose task was lost."""
    ids = notifications_stuck()
    for notification_id in ids:
        deliver.delay(notification_id)
    return len(ids)


@shared_task(name="notifications.redispatch_all", acks_late=True, soft_time_limit=60, time_limit=90)
def redispatch_all() -> int:
    schemas = Tenant.objects.filter(status=TenantStatus.ACTIVE).values_list(
        "schema_name", flat=True
    )
    for schema_name in schemas:
        with schema_context(schema_name):
            redispatch.delay()
    return len(schemas)

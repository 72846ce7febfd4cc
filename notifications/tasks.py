"""Celery entry points of notifications: deliver one row; re-dispatch stuck rows."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import schema_context

from notifications.models import NotificationStatus
from notifications.services import notification_deliver, notifications_stuck
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


@shared_task(
    name="notifications.deliver_many",
    acks_late=True,
    soft_time_limit=120,
    time_limit=150,
)
def deliver_many(notification_ids: list[int]) -> int:
    """The rows one transaction wrote, sent one after the other over one connection.
    A row that fails goes on alone with its own backoff; the others are not held up."""
    sent = 0
    for notification_id in notification_ids:
        status = notification_deliver(notification_id)
        if status == NotificationStatus.QUEUED:
            deliver.apply_async((notification_id,), countdown=_backoff(notification_id))
        elif status == NotificationStatus.SENT:
            sent += 1
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

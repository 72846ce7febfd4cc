"""One-off emails that are not the result of a ticket event: a ticket's access link sent
on request, an account-lock warning. They go through the same outbox as everything
else, so a mail server outage delays them but never loses them."""

from __future__ import annotations

import uuid

from django.db import transaction

from notifications.models import Notification, NotificationChannel, NotificationStatus
from ticketing.models import Ticket


def email_queue(
    *,
    to: str,
    subject: str,
    body: str,
    kind: str,
    language: str = "en",
    ticket: Ticket | None = None,
    idempotency_key: str = "",
) -> Notification | None:
    """Write an outbox row and enqueue its delivery after commit. A repeated
    ``idempotency_key`` writes nothing and returns None."""
    key = (idempotency_key or f"{kind}:{uuid.uuid4().hex}")[:200]
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "event_kind": kind[:40],
                "ticket": ticket,
                "channel": NotificationChannel.EMAIL,
                "address": to,
                "language": language,
                "subject": subject[:300],
                "body": body,
                "status": NotificationStatus.QUEUED,
            },
        )
        if not created:
            return None
        transaction.on_commit(lambda: _enqueue(notification.pk))
    return notification


def _enqueue(notification_id: int) -> None:
    from notifications.handlers import _enqueue as enqueue_many

    enqueue_many([notification_id])

"""The in-app inbox of a staff user: the newest in-app notifications, and marking them
read. The console polls the unread count so new ones appear without a reload."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from notifications.models import Notification, NotificationChannel


def inbox_list(*, user_id: int, limit: int = 50) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient_id=user_id, channel=NotificationChannel.IN_APP)
        .select_related("ticket")
        .order_by("-created_at", "-pk")[:limit]
    )


def inbox_mark_read(*, user_id: int) -> int:
    """Mark every unread in-app notification of the user read; returns how many."""
    return Notification.objects.filter(
        recipient_id=user_id, channel=NotificationChannel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())

"""Reads the admin console needs (issue #8 puts pages on them)."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import InboundEmail, InboundStatus, Notification, NotificationStatus


def notifications_dead(*, limit: int = 200) -> QuerySet[Notification]:
    """Notifications that failed for good, newest first: what to fix and re-send."""
    return Notification.objects.filter(status=NotificationStatus.DEAD).order_by("-id")[:limit]


def inbound_needing_attention(*, limit: int = 200) -> QuerySet[InboundEmail]:
    """Inbound mail that was refused or could not be processed, newest first (never
    silently dropped: an admin reads it here)."""
    return (
        InboundEmail.objects.filter(status__in=[InboundStatus.REFUSED, InboundStatus.FAILED])
        .defer("raw")
        .order_by("-id")[:limit]
    )

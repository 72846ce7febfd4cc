"""Steps of the delivery worker that tests take by hand."""

from __future__ import annotations

from notifications.models import Notification, NotificationStatus
from notifications.services import DEPARTMENT_ALERT, notification_fan_out


def fan_out_department_alerts() -> list[int]:
    """What the worker does first with the department alerts of a change (alerts to
    every agent of a department): a row per agent and channel. Returns the new rows'
    ids to deliver."""
    queued = Notification.objects.filter(
        channel=DEPARTMENT_ALERT, status=NotificationStatus.QUEUED
    ).values_list("pk", flat=True)
    return [row for alert in list(queued) for row in notification_fan_out(alert)]

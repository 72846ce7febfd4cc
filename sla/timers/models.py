"""Due timers of every tenant in one public table, so that a sweep costs O(due timers),
not O(tenants). One row per running SLA clock: the next instant something must happen
(a warning, the breach, a later escalation level)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class DueTimer(models.Model):
    schema_name = models.CharField(max_length=63)
    ticket_id = models.BigIntegerField()
    #: The clock: first_response, next_response or resolution.
    kind = models.CharField(max_length=20)
    due_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["schema_name", "ticket_id", "kind"], name="due_timer_unique"
            )
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["due_at"], name="due_timer_due")
        ]

    def __str__(self) -> str:
        return f"{self.schema_name}/{self.ticket_id}/{self.kind} at {self.due_at}"


def timers_of_schema_delete(schema_name: str) -> None:
    """A purged tenant's timers go with it."""
    DueTimer.objects.filter(schema_name=schema_name).delete()

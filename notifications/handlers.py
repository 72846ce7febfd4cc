"""Ticket events become outbox rows in the same transaction; delivery after commit."""

from __future__ import annotations

import logging

from django.db import transaction

from ticketing import events
from ticketing.events import PublishedEvent

logger = logging.getLogger(__name__)


#: Events someone may hear about (see notifications.rules); others cost nothing.
NOTIFYING_KINDS = frozenset({
    "ticket.created", "ticket.assigned", "ticket.transferred", "message.created",
    "note.mentioned", "ticket.status_changed", "ticket.reopened",
    "sla.warned", "sla.breached", "sla.escalated",
})  # fmt: skip


def on_ticket_event(event: PublishedEvent) -> None:
    from notifications.services import notifications_for_event

    if event.kind not in NOTIFYING_KINDS:
        return
    if event.kind.startswith("sla.") and not event.after.get("notify"):
        return
    created = notifications_for_event(event)
    if created:
        transaction.on_commit(lambda: _enqueue(created))


def _enqueue(notification_ids: list[int]) -> None:
    from notifications.tasks import deliver

    for notification_id in notification_ids:
        try:
            deliver.delay(notification_id)
        except Exception:  # Redis down: the row stays queued; redispatch sends it later
            logger.warning("could not enqueue notification %s", notification_id, exc_info=True)


def register() -> None:
    events.subscribe(events.ALL, on_ticket_event, in_transaction=True)

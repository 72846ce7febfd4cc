"""Ticket events become outbox rows in the same transaction; delivery after commit."""

from __future__ import annotations

import logging

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
    for notification_id in notifications_for_event(event):
        # Every row of the transaction goes to the broker in one task after the commit.
        events.collect_on_commit("notifications.deliver", notification_id, _enqueue)


def _enqueue(notification_ids: list[int]) -> None:
    from notifications.tasks import deliver_many

    try:
        deliver_many.delay(notification_ids)
    except Exception:  # Redis down: the rows stay queued; redispatch sends them later
        logger.warning("could not enqueue notifications %s", notification_ids, exc_info=True)


def register() -> None:
    events.subscribe(events.ALL, on_ticket_event, in_transaction=True)

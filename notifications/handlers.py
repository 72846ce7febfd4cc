"""Ticket events become outbox rows in the same transaction; delivery after commit."""

from __future__ import annotations

import logging
from typing import Any

from tenants.redis_clients import redis_write_client
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
    on_ticket_events([event])


def on_ticket_events(published: list[PublishedEvent]) -> None:
    """The events of one change: their outbox rows are written in one statement."""
    from notifications.services import notifications_for_events

    notifying = [event for event in published if _may_notify(event)]
    if not notifying:
        return
    for notification_id in notifications_for_events(notifying):
        # Every row of the transaction goes to the broker in one task after the commit.
        events.collect_on_commit("notifications.deliver", notification_id, _enqueue)


def _may_notify(event: PublishedEvent) -> bool:
    if event.kind not in NOTIFYING_KINDS:
        return False
    return not (event.kind.startswith("sla.") and not event.after.get("notify"))


#: Set while a delivery task of this tenant waits in the queue (tenant-scoped cache key).
DRAIN_PENDING_KEY = "notifications:drain-pending"
#: If that task is lost, the next enqueue after this many seconds sends another.
DRAIN_PENDING_SECONDS = 30


def _enqueue(notification_ids: list[int]) -> None:
    """One delivery task per tenant waits in the queue at a time: it takes every row
    committed before it starts (see ``deliver_many``), so a burst of transactions costs
    one task, not one each."""
    from django.core.cache import cache

    from notifications.tasks import deliver_many

    try:
        if not _mark_pending(cache):
            return  # the waiting task will take these rows too
    except Exception:  # Redis down: try the broker anyway (it is Redis too, usually)
        logger.warning("could not mark the delivery task as pending", exc_info=True)
    try:
        deliver_many.delay(notification_ids)
    except Exception:  # Redis down: the rows stay queued; redispatch sends them later
        logger.warning("could not enqueue notifications %s", notification_ids, exc_info=True)
        try:
            cache.delete(DRAIN_PENDING_KEY)
        except Exception:
            logger.debug("could not clear the pending mark", exc_info=True)


def _mark_pending(cache: Any) -> bool:
    """``cache.add`` of the pending mark; on Redis through the kept client (building
    one per call cost more than the round trip here)."""
    client = redis_write_client(cache)
    if client is None:
        return bool(cache.add(DRAIN_PENDING_KEY, 1, timeout=DRAIN_PENDING_SECONDS))
    key = cache.make_key(DRAIN_PENDING_KEY)
    return bool(client.set(key, 1, nx=True, ex=DRAIN_PENDING_SECONDS))


def register() -> None:
    events.subscribe_batch(on_ticket_events)

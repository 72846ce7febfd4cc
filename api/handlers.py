"""Turn committed ticket events into webhook deliveries and send them."""

from __future__ import annotations

import logging
from dataclasses import replace

from ticketing import contact_events, events
from ticketing.contact_events import ContactCreated
from ticketing.events import PublishedEvent

logger = logging.getLogger(__name__)


def on_ticket_event(event: PublishedEvent) -> None:
    """In the ticket's transaction: note the event; after the commit, the deliveries of
    all the transaction's events are made together (one look-up of the subscriptions)."""
    from api.webhooks import EVENT_MAP

    if event.kind in EVENT_MAP:
        events.collect_on_commit(
            "api.webhooks", replace(event, ticket=None, message=None), _deliver_events
        )


def _deliver_events(published: list[PublishedEvent]) -> None:
    from api.webhooks import deliveries_create_many

    _enqueue(deliveries_create_many(published))


def on_contacts_created(created_contacts: list[ContactCreated]) -> None:
    from api.webhooks import deliveries_create_for_contacts

    _enqueue(deliveries_create_for_contacts(created_contacts))


def _enqueue(delivery_ids: list[int]) -> None:
    from api.tasks import deliver_webhook

    for delivery_id in delivery_ids:
        try:
            deliver_webhook.delay(delivery_id)
        except Exception:  # broker down: the pending delivery stays listed for replay
            logger.warning("could not enqueue webhook delivery %s", delivery_id, exc_info=True)


def register() -> None:
    events.subscribe(events.ALL, on_ticket_event, in_transaction=True)
    contact_events.subscribe_created_many(on_contacts_created)

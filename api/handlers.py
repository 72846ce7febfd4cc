"""Turn committed ticket events into webhook deliveries and send them."""

from __future__ import annotations

import logging

from ticketing import contact_events, events
from ticketing.contact_events import ContactCreated
from ticketing.events import PublishedEvent

logger = logging.getLogger(__name__)


def on_ticket_event(event: PublishedEvent) -> None:
    from api.webhooks import EVENT_MAP, deliveries_create

    if event.kind not in EVENT_MAP:
        return
    created = deliveries_create(
        schema_name=event.schema_name,
        event_id=event.event_id,
        ticket_id=event.ticket_id,
        kind=event.kind,
        before=event.before,
        after=event.after,
        at=event.at,
    )
    _enqueue(created)


def on_contact_created(event: ContactCreated) -> None:
    from api.webhooks import deliveries_create_for_contact

    created = deliveries_create_for_contact(
        schema_name=event.schema_name,
        contact_id=event.contact_id,
        email=event.email,
        external_id=event.external_id,
    )
    _enqueue(created)


def _enqueue(delivery_ids: list[int]) -> None:
    from api.tasks import deliver_webhook

    for delivery_id in delivery_ids:
        try:
            deliver_webhook.delay(delivery_id)
        except Exception:  # broker down: the pending delivery stays listed for replay
            logger.warning("could not enqueue webhook delivery %s", delivery_id, exc_info=True)


def register() -> None:
    events.subscribe(events.ALL, on_ticket_event)
    contact_events.subscribe_created(on_contact_created)

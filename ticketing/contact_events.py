"""Contacts have no timeline, but integrations want to hear when one is created: a
tiny registry like ``ticketing.events``, with handlers run after the commit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tenants.db import connection
from ticketing.models import Contact

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ContactCreated:
    schema_name: str
    contact_id: int
    email: str
    external_id: str


ContactHandler = Callable[[ContactCreated], None]
#: Takes every contact a transaction created at once (a CSV import creates thousands):
#: a handler that reads something per call reads it once.
ContactBatchHandler = Callable[[list[ContactCreated]], None]
_created: list[ContactHandler] = []
_created_many: list[ContactBatchHandler] = []


def subscribe_created(handler: ContactHandler) -> None:
    if handler not in _created:
        _created.append(handler)


def subscribe_created_many(handler: ContactBatchHandler) -> None:
    if handler not in _created_many:
        _created_many.append(handler)


def publish_created(contact: Contact) -> None:
    """Call inside the creating transaction; handlers run after it commits."""
    publish_created_many([contact])


def publish_created_many(contacts: Sequence[Contact]) -> None:
    """Like ``publish_created`` for many contacts: batch handlers are called once."""
    if not contacts:
        return
    schema_name = str(connection.schema_name)
    events = [
        ContactCreated(
            schema_name=schema_name,
            contact_id=contact.pk,
            email=contact.email,
            external_id=contact.external_id,
        )
        for contact in contacts
    ]
    for handler in _created:
        for event in events:
            transaction.on_commit(_safely(handler, event))
    for batch_handler in _created_many:
        transaction.on_commit(_safely(batch_handler, events))


def _safely(handler: Callable[[Any], None], argument: Any) -> Callable[[], None]:
    def run() -> None:
        try:
            handler(argument)
        except Exception:
            logger.exception("contact handler %r failed", handler)

    return run

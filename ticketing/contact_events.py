"""Contacts have no timeline, but integrations want to hear when one is created: a
tiny registry like ``ticketing.events``, with handlers run after the commit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

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
_created: list[ContactHandler] = []


def subscribe_created(handler: ContactHandler) -> None:
    if handler not in _created:
        _created.append(handler)


def publish_created(contact: Contact) -> None:
    """Call inside the creating transaction; handlers run after it commits."""
    event = ContactCreated(
        schema_name=str(connection.schema_name),
        contact_id=contact.pk,
        email=contact.email,
        external_id=contact.external_id,
    )
    for handler in _created:
        transaction.on_commit(_safely(handler, event))


def _safely(handler: ContactHandler, event: ContactCreated) -> Callable[[], None]:
    def run() -> None:
        try:
            handler(event)
        except Exception:
            logger.exception("contact handler %r failed", handler)

    return run

"""Agents joining, leaving or being switched on and off change the seats a tenant pays
for: a tiny registry like ``ticketing.contact_events``, handlers run after the commit."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from tenants.db import connection

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeatsChanged:
    schema_name: str
    agent_id: int
    active: bool
    #: Names this change; a handler retrying it can reuse it as an idempotency key.
    change_id: str


SeatsHandler = Callable[[SeatsChanged], None]
_handlers: list[SeatsHandler] = []


def subscribe_seats_changed(handler: SeatsHandler) -> None:
    if handler not in _handlers:
        _handlers.append(handler)


def publish_seats_changed(*, agent_id: int, active: bool) -> None:
    """Call inside the changing transaction; handlers run after it commits."""
    event = SeatsChanged(
        schema_name=str(connection.schema_name),
        agent_id=agent_id,
        active=active,
        change_id=uuid.uuid4().hex,
    )
    for handler in _handlers:
        transaction.on_commit(_safely(handler, event))


def _safely(handler: SeatsHandler, event: SeatsChanged) -> Callable[[], None]:
    def run() -> None:
        try:
            handler(event)
        except Exception:
            logger.exception("seats handler %r failed", handler)

    return run

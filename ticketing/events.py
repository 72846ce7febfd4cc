"""How the core tells features what happened to a ticket, without importing them.

Every change writes one ``TicketEvent`` row (``record_event``). Features above the core
(SLA, notifications, webhooks) register handlers in their ``AppConfig.ready``:

    events.subscribe("ticket.created", handler)                       # after commit
    events.subscribe("*", sla_handler, in_transaction=True)           # same transaction

Handlers receive a ``PublishedEvent`` carrying ids only. In-transaction handlers run at
once (an exception rolls the change back); the others run after the commit, once per
event, and an exception there is logged, never raised into the caller.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from tenants.db import connection
from ticketing.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)

ALL = "*"


@dataclass(frozen=True)
class PublishedEvent:
    schema_name: str
    event_id: int
    ticket_id: int
    kind: str
    actor_id: int | None
    at: Any = None
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[PublishedEvent], None]


class EventRegistry:
    def __init__(self) -> None:
        self._in_transaction: dict[str, list[Handler]] = defaultdict(list)
        self._after_commit: dict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, kind: str, handler: Handler, *, in_transaction: bool = False) -> None:
        target = self._in_transaction if in_transaction else self._after_commit
        if handler not in target[kind]:
            target[kind].append(handler)

    def unsubscribe(self, kind: str, handler: Handler) -> None:
        for target in (self._in_transaction, self._after_commit):
            if handler in target[kind]:
                target[kind].remove(handler)

    def publish(self, event: PublishedEvent) -> None:
        for handler in self._in_transaction[event.kind] + self._in_transaction[ALL]:
            handler(event)
        for handler in self._after_commit[event.kind] + self._after_commit[ALL]:
            transaction.on_commit(_safely(handler, event))


def _safely(handler: Handler, event: PublishedEvent) -> Callable[[], None]:
    def run() -> None:
        try:
            handler(event)
        except Exception:
            logger.exception("event handler %r failed for %s", handler, event.kind)

    return run


registry = EventRegistry()
subscribe = registry.subscribe
unsubscribe = registry.unsubscribe


def actor_label(user: Any) -> str:
    if user is None:
        return "System"
    return str(user.get_full_name()) if hasattr(user, "get_full_name") else str(user)


def record_event(
    *,
    ticket: Ticket,
    kind: str,
    actor: Any = None,
    actor_name: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    at: Any = None,
) -> TicketEvent:
    """Write the timeline row for a change and publish it. Call inside the change's
    transaction."""
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        actor_name=actor_name if actor_name is not None else actor_label(actor),
        at=at or timezone.now(),
        before=before or {},
        after=after or {},
        note=note,
    )
    registry.publish(
        PublishedEvent(
            schema_name=str(connection.schema_name),
            event_id=event.pk,
            ticket_id=ticket.pk,
            kind=kind,
            actor_id=actor.pk if actor is not None else None,
            at=event.at,
            before=event.before,
            after=event.after,
        )
    )
    return event

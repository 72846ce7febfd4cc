"""How the core tells features what happened to a ticket, without importing them.

Every change writes one ``TicketEvent`` row (``record_event``). Features above the core
(SLA, notifications, webhooks) register handlers in their ``AppConfig.ready``:

    events.subscribe("ticket.created", handler)                       # after commit
    events.subscribe("*", sla_handler, in_transaction=True)           # same transaction

Handlers receive a ``PublishedEvent`` carrying ids only. In-transaction handlers run at
once (an exception rolls the change back) and may also use ``event.ticket``, the
service's own instance as it was just written, instead of reading the row again; the
others run after the commit, once per event, get ``ticket=None`` (the instance would be
stale by then), and an exception there is logged, never raised into the caller.

``collect_on_commit`` lets an in-transaction handler gather work of every event of a
transaction and hand it over in one call after the commit (one enqueue, one query).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.utils import timezone

from tenants.db import connection
from ticketing.models import Message, Ticket, TicketEvent

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
    #: In-transaction handlers only: the ticket instance the service just wrote.
    ticket: Ticket | None = field(default=None, compare=False, repr=False)
    #: In-transaction handlers only: the message the event is about, as just written.
    message: Message | None = field(default=None, compare=False, repr=False)


Handler = Callable[[PublishedEvent], None]
BatchHandler = Callable[[list[PublishedEvent]], None]


class EventRegistry:
    def __init__(self) -> None:
        self._in_transaction: dict[str, list[Handler]] = defaultdict(list)
        self._after_commit: dict[str, list[Handler]] = defaultdict(list)
        self._batches: list[BatchHandler] = []

    def subscribe_batch(self, handler: BatchHandler) -> None:
        """In the transaction, every kind: ``handler`` gets the events one change wrote
        together (``record_events``) in one call, after the per-event handlers, so that
        it can write its own rows for all of them in one statement."""
        if handler not in self._batches:
            self._batches.append(handler)

    def unsubscribe_batch(self, handler: BatchHandler) -> None:
        if handler in self._batches:
            self._batches.remove(handler)

    def publish_all(self, events: list[PublishedEvent]) -> None:
        for event in events:
            self.publish(event)
        for handler in list(self._batches):
            handler(events)

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
        after_commit = self._after_commit[event.kind] + self._after_commit[ALL]
        if after_commit:
            detached = replace(event, ticket=None, message=None)
            for handler in after_commit:
                transaction.on_commit(_safely(handler, detached))


def _safely(handler: Handler, event: PublishedEvent) -> Callable[[], None]:
    def run() -> None:
        try:
            handler(event)
        except Exception:
            logger.exception("event handler %r failed for %s", handler, event.kind)

    return run


def collect_on_commit(key: str, item: Any, flush: Callable[[list[Any]], None]) -> None:
    """Add ``item`` to this transaction's list under ``key``; after the commit, ``flush``
    is called once with the whole list (errors are logged, as for after-commit handlers).

    One list per savepoint level: Django drops the callbacks of a savepoint that rolls
    back, and with them exactly the items gathered inside it; a rolled-back transaction
    drops everything. Outside a transaction ``flush`` runs at once."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        _safely_flush(flush, [item])()
        return
    level = (key, tuple(conn.savepoint_ids))
    batches: dict[Any, tuple[list[Any], Callable[[], None]]] = conn.__dict__.setdefault(
        "_caseway_collected", {}
    )
    batch = batches.get(level)
    # Still waiting for this commit? (Django empties run_on_commit on commit and rollback.)
    if batch is None or not any(entry[1] is batch[1] for entry in conn.run_on_commit):
        pending = {id(entry[1]) for entry in conn.run_on_commit}
        for stale in [k for k, (_, cb) in batches.items() if id(cb) not in pending]:
            del batches[stale]
        items: list[Any] = []
        callback = _safely_flush(flush, items)
        batch = (items, callback)
        batches[level] = batch
        transaction.on_commit(callback)
    batch[0].append(item)


def _safely_flush(flush: Callable[[list[Any]], None], items: list[Any]) -> Callable[[], None]:
    def run() -> None:
        try:
            flush(items)
        except Exception:
            logger.exception("after-commit flush %r failed", flush)

    return run


registry = EventRegistry()
subscribe = registry.subscribe
unsubscribe = registry.unsubscribe
subscribe_batch = registry.subscribe_batch
unsubscribe_batch = registry.unsubscribe_batch


def actor_label(user: Any) -> str:
    if user is None:
        return "System"
    return str(user.get_full_name()) if hasattr(user, "get_full_name") else str(user)


@dataclass(frozen=True)
class EventDraft:
    """One timeline row to write with others in one statement (``record_events``)."""

    kind: str
    actor: Any = None
    actor_name: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    note: str = ""
    at: Any = None
    #: The ticket as this event's in-transaction handlers should see it, when the
    #: service has already written later changes (default: the ticket written).
    ticket_as_of: Ticket | None = None
    message: Message | None = None


_EVENT_COLUMNS = "ticket_id, kind, actor_id, actor_name, at, before, after, note"
_EVENT_INSERT = (
    f"INSERT INTO {TicketEvent._meta.db_table} ({_EVENT_COLUMNS}) SELECT {_EVENT_COLUMNS}"
    f" FROM json_populate_recordset(NULL::{TicketEvent._meta.db_table}, %s::json) RETURNING id"
)


def _insert_events(rows: list[TicketEvent]) -> None:
    """``bulk_create`` of the rows, as one statement whose text never changes and one
    JSON document typed by the table's columns: Django spent more on preparing two rows
    than the database on storing them. The rows come back with their ids, in order (as
    bulk_create relies on too)."""
    document = json.dumps(
        [
            {
                "ticket_id": row.ticket_id,
                "kind": row.kind,
                "actor_id": row.actor_id,
                "actor_name": row.actor_name,
                "at": row.at.isoformat(),
                "before": row.before,
                "after": row.after,
                "note": row.note,
            }
            for row in rows
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(_EVENT_INSERT, [document])
        ids = [pk for (pk,) in cursor.fetchall()]
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
        row._state.adding = False
        row._state.db = connection.alias


def record_events(*, ticket: Ticket, drafts: list[EventDraft]) -> list[TicketEvent]:
    """Write several timeline rows of one change in one INSERT, then publish each, in
    order. Call inside the change's transaction."""
    at = timezone.now()
    rows = [
        TicketEvent(
            ticket=ticket,
            kind=draft.kind,
            actor=draft.actor,
            actor_name=(
                draft.actor_name if draft.actor_name is not None else actor_label(draft.actor)
            ),
            at=draft.at or at,
            before=draft.before or {},
            after=draft.after or {},
            note=draft.note,
        )
        for draft in drafts
    ]
    _insert_events(rows)
    schema_name = str(connection.schema_name)
    registry.publish_all(
        [
            PublishedEvent(
                schema_name=schema_name,
                event_id=event.pk,
                ticket_id=ticket.pk,
                kind=event.kind,
                actor_id=draft.actor.pk if draft.actor is not None else None,
                at=event.at,
                before=event.before,
                after=event.after,
                ticket=draft.ticket_as_of or ticket,
                message=draft.message,
            )
            for draft, event in zip(drafts, rows, strict=True)
        ]
    )
    return rows


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
    message: Message | None = None,
) -> TicketEvent:
    """Write the timeline row for a change and publish it. Call inside the change's
    transaction. ``message``: the message the event is about, when the caller has it
    (handlers then need not read it again)."""
    draft = EventDraft(
        kind=kind,
        actor=actor,
        actor_name=actor_name,
        before=before,
        after=after,
        note=note,
        at=at,
        message=message,
    )
    return record_events(ticket=ticket, drafts=[draft])[0]

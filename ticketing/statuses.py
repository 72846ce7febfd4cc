"""The ticket state machine: which status changes are allowed and what each does to the
ticket's timestamps. Pure functions; the services enforce who may make each change.

    new → open → pending (waiting on the customer) / on hold (waiting on a third party)
        → resolved (solution proposed) → closed;  spam/invalid is a soft delete.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ticketing.models.tickets import ACTIVE_STATUSES, TicketStatus

S = TicketStatus

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.OPEN, S.PENDING, S.ON_HOLD, S.RESOLVED, S.CLOSED, S.SPAM}),
    S.OPEN: frozenset({S.PENDING, S.ON_HOLD, S.RESOLVED, S.CLOSED, S.SPAM}),
    S.PENDING: frozenset({S.OPEN, S.ON_HOLD, S.RESOLVED, S.CLOSED, S.SPAM}),
    S.ON_HOLD: frozenset({S.OPEN, S.PENDING, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.OPEN, S.CLOSED}),
    S.CLOSED: frozenset({S.OPEN}),
    S.SPAM: frozenset({S.NEW}),
}

#: Changes a customer may make themselves ("my problem is solved", reopening by reply).
CUSTOMER_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {(status, S.CLOSED) for status in (*ACTIVE_STATUSES, S.RESOLVED)}
    | {(S.PENDING, S.OPEN), (S.RESOLVED, S.OPEN), (S.CLOSED, S.OPEN)}
)


def can_transition(current: str, target: str) -> bool:
    return target in ALLOWED_TRANSITIONS.get(current, frozenset())


def is_reopen(current: str, target: str) -> bool:
    return current in (S.RESOLVED, S.CLOSED) and target not in (S.RESOLVED, S.CLOSED, S.SPAM)


def timestamp_changes(
    *, current: str, target: str, resolved_at: datetime | None, now: datetime
) -> dict[str, Any]:
    """Field updates that keep the timestamps consistent with ``target``."""
    changes: dict[str, Any] = {"status": target, "status_changed_at": now}
    if target == S.RESOLVED:
        changes["resolved_at"] = now
        changes["closed_at"] = None
    elif target == S.CLOSED:
        changes["resolved_at"] = resolved_at or now
        changes["closed_at"] = now
    elif target in ACTIVE_STATUSES or target == S.SPAM:
        changes["resolved_at"] = None
        changes["closed_at"] = None
    return changes


def consistency_errors(ticket: Any) -> list[str]:
    """What is wrong with a ticket's status and timestamps (empty when consistent)."""
    errors = []
    status = ticket.status
    if status == S.CLOSED and (ticket.closed_at is None or ticket.resolved_at is None):
        errors.append("closed without closed_at/resolved_at")
    if status == S.RESOLVED and (ticket.resolved_at is None or ticket.closed_at is not None):
        errors.append("resolved with wrong timestamps")
    if status in ACTIVE_STATUSES and (ticket.resolved_at or ticket.closed_at):
        errors.append("active ticket carries resolved/closed times")
    if ticket.merged_into_id is not None and status != S.CLOSED:
        errors.append("merged ticket is not closed")
    if ticket.assignee_id is not None and status == S.SPAM:
        errors.append("spam ticket is assigned")
    return errors

"""Errors of the API layer itself."""

from __future__ import annotations

from ticketing.errors import TicketingError


class ApiKeyInvalid(TicketingError):
    code = "api_key_invalid"


class IdempotencyConflict(TicketingError):
    code = "idempotency_conflict"

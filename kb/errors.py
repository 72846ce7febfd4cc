"""Knowledge-base errors; stable codes, mapped to problem+json by the API."""

from __future__ import annotations

from ticketing.errors import InvalidInput, TicketingError


class KbError(TicketingError):
    code = "kb_error"


class ArticleInvalid(InvalidInput):
    code = "invalid_input"


class ArticleNotFromResolvedTicket(KbError):
    """Only resolved or closed tickets become articles: their resolution is known."""

    code = "ticket_not_resolved"


class CategoryCycle(InvalidInput):
    code = "category_cycle"

"""Domain errors of ticketing. Each has a stable ``code``; the API maps them to
problem+json, pages to form errors."""

from __future__ import annotations


class TicketingError(Exception):
    code = "ticketing_error"

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class PermissionDenied(TicketingError):
    code = "permission_denied"


class InvalidInput(TicketingError):
    code = "invalid_input"


class InvalidTransition(TicketingError):
    code = "invalid_transition"


class TicketLocked(TicketingError):
    code = "ticket_locked"


class DescriptionFrozen(TicketingError):
    code = "description_frozen"


class OpenTicketLimitReached(TicketingError):
    code = "open_ticket_limit"


class SupportPlanRequired(TicketingError):
    code = "support_plan_required"


class ContactNotAllowed(TicketingError):
    """Suspended, expired or not yet approved customers cannot open or follow tickets."""

    code = "contact_not_allowed"


class AttachmentRejected(TicketingError):
    code = "attachment_rejected"


class CannotMerge(TicketingError):
    code = "cannot_merge"


class CannotLink(TicketingError):
    code = "cannot_link"


class AssigneeNotEligible(TicketingError):
    code = "assignee_not_eligible"


class DuplicateContact(TicketingError):
    code = "duplicate_contact"


class ContactHasTickets(TicketingError):
    code = "contact_has_tickets"


class AlreadyExists(TicketingError):
    """Another record already uses this unique value (an external id, a name)."""

    code = "already_exists"


class PlanLimitReached(TicketingError):
    """The tenant's plan allows no more of something (agents, departments)."""

    code = "plan_limit_reached"


class LinkInvalid(TicketingError):
    """A signed link that is not genuine, not for this help desk, or not for this use."""

    code = "link_invalid"


class LinkExpired(TicketingError):
    """A signed link past its lifetime."""

    code = "link_expired"


class ReopenWindowOver(TicketingError):
    """The ticket was closed longer ago than the tenant's reopen window."""

    code = "reopen_window_over"

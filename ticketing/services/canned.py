"""Canned responses with placeholders such as ``{{ customer.first_name }}``, filled from
a fixed set of plain values (never model instances), so a response cannot reach other
attributes, methods or settings."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ticketing.errors import InvalidInput
from ticketing.models import Agent, CannedResponse, Ticket

#: ``{{ group.name }}`` — nothing else is interpreted: no tags, no filters, no attribute
#: walking, so a template can only ever print the documented values.
PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}")

PLACEHOLDERS = {
    "customer.name": gettext_lazy("the customer's full name"),
    "customer.first_name": gettext_lazy("the customer's first name"),
    "customer.email": gettext_lazy("the customer's email"),
    "ticket.number": gettext_lazy("the ticket number, e.g. #1042"),
    "ticket.subject": gettext_lazy("the ticket's subject"),
    "ticket.department": gettext_lazy("the ticket's department"),
    "agent.name": gettext_lazy("your name"),
    "agent.first_name": gettext_lazy("your first name"),
}


def placeholder_context(*, ticket: Ticket, agent: Agent) -> dict[str, dict[str, str]]:
    requester = ticket.requester
    return {
        "customer": {
            "name": requester.full_name if requester else "",
            "first_name": requester.first_name if requester else "",
            "email": requester.email if requester else "",
        },
        "ticket": {
            "number": ticket.reference,
            "subject": ticket.subject,
            "department": ticket.department.name,
        },
        "agent": {
            "name": agent.display_name,
            "first_name": agent.display_name.split(" ")[0],
        },
    }


def fill_placeholders(source: str, values: dict[str, dict[str, str]]) -> str:
    """Replace ``{{ group.name }}`` with plain values; anything else in braces is refused
    (no tags, no filters, no attribute walking)."""
    unknown: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        group, _dot, name = match.group(1).partition(".")
        value = values.get(group, {}).get(name) if name and "." not in name else None
        if value is None:
            unknown.append(match.group(0))
            return ""
        return value

    rendered = PLACEHOLDER.sub(substitute, source)
    if unknown:
        message = _("Unknown placeholders: %(names)s") % {"names": ", ".join(unknown)}
        raise InvalidInput(message, field_errors={"body": [message]})
    return rendered


def canned_render(*, response: CannedResponse | str, ticket: Ticket, agent: Agent) -> str:
    source = response.body if isinstance(response, CannedResponse) else response
    return fill_placeholders(source, placeholder_context(ticket=ticket, agent=agent))


def canned_responses_for(agent: Agent, ticket: Ticket) -> list[CannedResponse]:
    from django.db.models import Q

    return list(
        CannedResponse.objects.filter(Q(owner__isnull=True) | Q(owner=agent))
        .filter(Q(department__isnull=True) | Q(department_id=ticket.department_id))
        .order_by("title")
    )

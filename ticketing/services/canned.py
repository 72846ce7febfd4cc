"""Canned responses rendered with placeholders in a restricted context: templates see
plain values (never model instances), so they cannot reach other attributes, methods or
settings."""

from __future__ import annotations

from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _

from ticketing.errors import InvalidInput
from ticketing.models import Agent, CannedResponse, Ticket

#: No loaders, no tags beyond the built-ins, no autoescape: the output is plain text.
_ENGINE = Engine(autoescape=False, libraries={}, builtins=[], string_if_invalid="")

PLACEHOLDERS = {
    "customer.name": _("the customer's full name"),
    "customer.first_name": _("the customer's first name"),
    "customer.email": _("the customer's email"),
    "ticket.number": _("the ticket number, e.g. #1042"),
    "ticket.subject": _("the ticket's subject"),
    "ticket.department": _("the ticket's department"),
    "agent.name": _("your name"),
    "agent.first_name": _("your first name"),
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


def canned_render(*, response: CannedResponse | str, ticket: Ticket, agent: Agent) -> str:
    source = response.body if isinstance(response, CannedResponse) else response
    try:
        template = _ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        raise InvalidInput(
            _("The response has a broken placeholder: %(error)s") % {"error": error},
            field_errors={"body": [str(error)]},
        ) from error
    return template.render(
        Context(placeholder_context(ticket=ticket, agent=agent), autoescape=False)
    )


def canned_responses_for(agent: Agent, ticket: Ticket) -> list[CannedResponse]:
    from django.db.models import Q

    return list(
        CannedResponse.objects.filter(Q(owner__isnull=True) | Q(owner=agent))
        .filter(Q(department__isnull=True) | Q(department_id=ticket.department_id))
        .order_by("title")
    )

"""The wording every tenant starts with, per event and audience, in the recipient's
language (the strings are in the translation catalogues). Tenants override any of them
with a ``NotificationTemplate`` for an event, channel and language.

Placeholders: ``{{ ticket.number }}``, ``{{ ticket.subject }}``, ``{{ ticket.status }}``,
``{{ ticket.link }}``, ``{{ ticket.confirm_link }}`` and ``{{ ticket.reopen_link }}`` (the
one-click answers of the resolved email; empty elsewhere), ``{{ customer.name }}``,
``{{ customer.first_name }}``,
``{{ message.body }}``, ``{{ message.author }}``, ``{{ tenant.name }}``,
``{{ sla.clock }}``, ``{{ sla.event }}``; in the welcome mail also
``{{ account.link }}`` and ``{{ account.email }}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str
    sms: str


def default_wording(key: str) -> Wording:
    """Call inside ``translation.override(recipient_language)``."""
    return _wordings(get_language() or "")[key]


@lru_cache(maxsize=32)
def _wordings(language: str) -> dict[str, Wording]:
    """Every wording in ``language`` (the active one), translated once per process: the
    catalogues do not change while it runs."""
    thread = "[{{ ticket.number }}] {{ ticket.subject }}"
    wordings = {
        "customer.ticket_created": Wording(
            subject=thread,
            body=_(
                "Hello {{ customer.first_name }},\n\nthank you for contacting {{ tenant.name }}. "
                "We received your request {{ ticket.number }} "
                "and will answer as soon as we can.\n\n"
                "Follow it here: {{ ticket.link }}"
            ),
            sms=_(
                "{{ tenant.name }}: we received your request {{ ticket.number }}. {{ ticket.link }}"
            ),
        ),
        "agent.ticket_created": Wording(
            subject=_("New ticket {{ ticket.number }}: {{ ticket.subject }}"),
            body=_("{{ customer.name }} opened {{ ticket.number }}: {{ ticket.subject }}."),
            sms=_("New ticket {{ ticket.number }}: {{ ticket.subject }}"),
        ),
        "agent.assigned": Wording(
            subject=_("Ticket {{ ticket.number }} is now yours: {{ ticket.subject }}"),
            body=_("Ticket {{ ticket.number }} ({{ ticket.subject }}) was assigned to you."),
            sms=_("Ticket {{ ticket.number }} was assigned to you."),
        ),
        "customer.reply": Wording(
            subject=thread,
            body="{{ message.body }}\n\n-- \n{{ ticket.link }}",
            sms=_("{{ tenant.name }} answered {{ ticket.number }}: {{ ticket.link }}"),
        ),
        "agent.reply": Wording(
            subject=_("{{ customer.name }} replied on {{ ticket.number }}"),
            body="{{ message.author }}:\n\n{{ message.body }}",
            sms=_("{{ customer.name }} replied on {{ ticket.number }}."),
        ),
        "agent.mentioned": Wording(
            subject=_("{{ message.author }} mentioned you on {{ ticket.number }}"),
            body="{{ message.body }}",
            sms=_("{{ message.author }} mentioned you on {{ ticket.number }}."),
        ),
        "customer.resolved": Wording(
            subject=thread,
            body=_(
                "Hello {{ customer.first_name }},\n\nwe believe request {{ ticket.number }} is "
                "solved. Is it?\n\n"
                "Yes, it is solved: {{ ticket.confirm_link }}\n\n"
                "No, please reopen it: {{ ticket.reopen_link }}\n\n"
                "You can also simply reply to this message. Your request: {{ ticket.link }}"
            ),
            sms=_(
                "{{ tenant.name }}: request {{ ticket.number }} is solved. "
                "Not so? Reply here: {{ ticket.link }}"
            ),
        ),
        "customer.closed": Wording(
            subject=thread,
            body=_(
                "Request {{ ticket.number }} is closed. How did we do? Please rate our help: "
                "{{ ticket.link }}"
            ),
            sms=_("{{ tenant.name }}: how did we do on {{ ticket.number }}? {{ ticket.link }}"),
        ),
        "agent.reopened": Wording(
            subject=_("Ticket {{ ticket.number }} was reopened"),
            body=_("{{ customer.name }} reopened {{ ticket.number }}: {{ ticket.subject }}."),
            sms=_("Ticket {{ ticket.number }} was reopened."),
        ),
        "customer.welcome": Wording(
            subject=_("Your account at {{ tenant.name }}"),
            body=_(
                "Hello {{ customer.first_name }},\n\nwe received your email and opened "
                "request {{ ticket.number }}. You can also follow your requests on our "
                "portal: choose a password for {{ account.email }} here (the link works "
                "for three days):\n\n{{ account.link }}"
            ),
            sms=_("{{ tenant.name }}: choose a password for your account: {{ account.link }}"),
        ),
        "agent.sla": Wording(
            subject=_("SLA {{ sla.event }} on {{ ticket.number }} ({{ sla.clock }})"),
            body=_(
                "Ticket {{ ticket.number }} ({{ ticket.subject }}): "
                "{{ sla.event }} of the {{ sla.clock }} target."
            ),
            sms=_("SLA {{ sla.event }} on {{ ticket.number }}."),
        ),
    }
    return wordings

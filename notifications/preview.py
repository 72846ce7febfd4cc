"""Tenant templates for the admin console: the variables a template may use, a preview
with sample data, and saving a template only once it renders.

Rendering goes through the same restricted filling as real notifications
(``fill_placeholders``): ``{{ group.name }}`` from a fixed set of plain strings, nothing
else, so a template can reach no attribute, setting or tag.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.models import Audience, NotificationChannel, NotificationTemplate
from notifications.services import _render
from ticketing.errors import InvalidInput
from ticketing.models import Agent
from ticketing.permissions import require_admin

#: Which default wording an event uses for each audience (see notifications.rules).
WORDINGS: dict[str, dict[str, str]] = {
    "ticket.created": {Audience.CUSTOMERS: "customer.ticket_created",
                       Audience.STAFF: "agent.ticket_created"},
    "ticket.assigned": {Audience.STAFF: "agent.assigned"},
    "ticket.transferred": {Audience.STAFF: "agent.assigned"},
    "message.created": {Audience.CUSTOMERS: "customer.reply", Audience.STAFF: "agent.reply"},
    "note.mentioned": {Audience.STAFF: "agent.mentioned"},
    "ticket.status_changed": {Audience.CUSTOMERS: "customer.resolved"},
    "ticket.reopened": {Audience.STAFF: "agent.reopened"},
    "sla.warned": {Audience.STAFF: "agent.sla"},
    "sla.breached": {Audience.STAFF: "agent.sla"},
    "sla.escalated": {Audience.STAFF: "agent.sla"},
    "account.welcome": {Audience.CUSTOMERS: "customer.welcome"},
}  # fmt: skip

#: Every placeholder a template may use, with what it shows.
VARIABLES: dict[str, StrPromise] = {
    "{{ ticket.number }}": gettext_lazy("the ticket number, e.g. #1042"),
    "{{ ticket.subject }}": gettext_lazy("the ticket's subject"),
    "{{ ticket.status }}": gettext_lazy("the ticket's status"),
    "{{ ticket.link }}": gettext_lazy(
        "the link to the ticket (the console for agents, a signed link for customers)"
    ),
    "{{ ticket.confirm_link }}": gettext_lazy(
        "resolved email only: the one-click link that confirms the solution"
    ),
    "{{ ticket.reopen_link }}": gettext_lazy(
        "resolved email only: the one-click link that reopens the request"
    ),
    "{{ customer.name }}": gettext_lazy("the customer's full name"),
    "{{ customer.first_name }}": gettext_lazy("the customer's first name"),
    "{{ message.body }}": gettext_lazy("the text of the reply or note"),
    "{{ message.author }}": gettext_lazy("who wrote the reply or note"),
    "{{ tenant.name }}": gettext_lazy("your help desk's name"),
    "{{ sla.clock }}": gettext_lazy("the SLA target (first response or resolution)"),
    "{{ sla.event }}": gettext_lazy("warning, breach or escalation"),
    "{{ account.link }}": gettext_lazy("welcome mail only: the link to choose a password"),
    "{{ account.email }}": gettext_lazy("welcome mail only: the address of the new account"),
}


@dataclass(frozen=True)
class Preview:
    subject: str
    body: str
    #: True when the tenant's own template was used, False for the built-in wording.
    custom: bool


def template_variables() -> list[tuple[str, str]]:
    """(placeholder, description) in the active language, for the template editor."""
    return [(name, str(description)) for name, description in VARIABLES.items()]


def _check_choice(*, event_kind: str, channel: str, language: str) -> None:
    errors: dict[str, list[str]] = {}
    if event_kind not in WORDINGS:
        errors["event_kind"] = [_("Unknown event.")]
    if channel not in NotificationChannel.values or channel == NotificationChannel.IN_APP:
        errors["channel"] = [_("Choose email or SMS.")]
    if language not in {code for code, _name in settings.LANGUAGES}:
        errors["language"] = [_("Unknown language.")]
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), field_errors=errors)


def _sample_values(language: str) -> dict[str, dict[str, str]]:
    with translation.override(language):
        return {
            "ticket": {
                "number": "#1042",
                "subject": _("The printer on floor 3 is offline"),
                "status": _("Open"),
                "link": "https://example.com/t/sample/",
                "confirm_link": "https://example.com/solved/sample/",
                "reopen_link": "https://example.com/reopen/sample/",
            },
            "customer": {"name": _("Alex Morgan"), "first_name": _("Alex")},
            "message": {
                "body": _("I restarted it, but it still shows error 0x42."),
                "author": _("Alex Morgan"),
            },
            "tenant": {"name": _("Your help desk")},
            "sla": {"clock": "first_response", "event": "breached"},
            "account": {
                "link": "https://example.com/accounts/password/reset/key/sample/",
                "email": "alex.morgan@example.com",
            },
        }


def template_preview(
    *,
    actor: Agent,
    event_kind: str,
    channel: str,
    language: str,
    audience: str = Audience.CUSTOMERS,
    subject: str | None = None,
    body: str | None = None,
) -> Preview:
    """What a notification for ``event_kind`` on ``channel`` in ``language`` looks like
    with sample data: the draft ``subject``/``body`` when given (the editor's unsaved
    text), else the tenant's saved template, else the built-in wording for ``audience``.
    A template with an unknown placeholder is an ``InvalidInput`` naming it."""
    require_admin(actor)
    _check_choice(event_kind=event_kind, channel=channel, language=language)
    wordings = WORDINGS[event_kind]
    key = wordings.get(audience) or next(iter(wordings.values()))
    custom: NotificationTemplate | None
    if body is not None:
        custom = NotificationTemplate(subject=subject or "", body=body)
    else:
        custom = NotificationTemplate.objects.filter(
            event_kind=event_kind, channel=channel, language=language
        ).first()
    rendered_subject, rendered_body = _render(
        key, channel, language, _sample_values(language), custom, strict=True
    )
    return Preview(subject=rendered_subject, body=rendered_body, custom=custom is not None)


def template_save(
    *, actor: Agent, event_kind: str, channel: str, language: str, subject: str, body: str
) -> NotificationTemplate:
    """Save a tenant's wording; it must render (known placeholders only) and have a text."""
    if not body.strip():
        raise InvalidInput(_("The template needs a text."), field_errors={"body": [_("Required.")]})
    template_preview(
        actor=actor,
        event_kind=event_kind,
        channel=channel,
        language=language,
        subject=subject,
        body=body,
    )
    template, _created = NotificationTemplate.objects.update_or_create(
        event_kind=event_kind,
        channel=channel,
        language=language,
        defaults={"subject": subject.strip()[:300], "body": body},
    )
    return template

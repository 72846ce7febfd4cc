"""Domain errors become form errors: the page shows them next to the fields the user
typed, and keeps what was typed."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from ticketing.errors import TicketingError


def add_domain_error(form: forms.BaseForm, error: TicketingError) -> None:
    """Put ``error`` on ``form``: per field where the service named one the form has,
    otherwise at the top of the form. The form must have been validated."""
    placed = False
    for field, messages in error.field_errors.items():
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def search_text(request: HttpRequest, name: str = "q", limit: int = 200) -> str:
    """A search box's text: bounded, and without NUL characters (PostgreSQL refuses them
    in text, and a search must never become a 500)."""
    return request.GET.get(name, "")[:limit].replace("\x00", "")


def is_htmx(request: HttpRequest) -> bool:
    """True for a request htmx made (django-htmx's middleware sets ``request.htmx``)."""
    return bool(getattr(request, "htmx", False))

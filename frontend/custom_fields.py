"""Django form fields for a department's ticket form (custom fields). Validation stays in
``ticketing.services.custom_fields.form_validate``; these fields only render and parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language

from ticketing.models import TicketForm
from ticketing.models.forms import FieldType, FormField

PREFIX = "cf_"


def _options(field: FormField, language: str) -> list[tuple[str, str]]:
    choices = []
    for option in field.options or []:
        label = option.get("label") or {}
        text = label.get(language) or label.get("en") or next(iter(label.values()), "")
        choices.append((str(option.get("value", "")), str(text or option.get("value", ""))))
    return choices


def form_field_for(field: FormField, *, language: str | None = None) -> forms.Field:
    language = language or get_language() or "en"
    common: dict[str, Any] = {
        "label": field.label_in(language),
        "help_text": field.help_text_in(language),
        "required": False,  # form_validate enforces "required" with the domain's message
    }
    kind = field.field_type
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == FieldType.NUMBER:
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if kind == FieldType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldType.SELECT:
        return forms.ChoiceField(choices=[("", "—"), *_options(field, language)], **common)
    if kind == FieldType.MULTI_SELECT:
        return forms.MultipleChoiceField(
            choices=_options(field, language), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == FieldType.CHECKBOX:
        return forms.BooleanField(**common)
    if kind == FieldType.EMAIL:
        return forms.CharField(widget=forms.EmailInput, **common)
    if kind == FieldType.PHONE:
        return forms.CharField(widget=forms.TextInput(attrs={"type": "tel"}), **common)
    return forms.CharField(**common)


def add_custom_fields(form: forms.Form, ticket_form: TicketForm | None) -> list[str]:
    """Add the ticket form's fields (prefixed) to ``form``; returns their keys in order.
    File fields are left out: files are attached to the ticket instead."""
    if ticket_form is None:
        return []
    keys = []
    for field in ticket_form.fields.all():
        if field.field_type == FieldType.FILE:
            continue
        form.fields[PREFIX + field.key] = form_field_for(field)
        keys.append(field.key)
    return keys


def custom_values(cleaned_data: dict[str, object], keys: list[str]) -> dict[str, object]:
    return {
        key: cleaned_data.get(PREFIX + key)
        for key in keys
        if cleaned_data.get(PREFIX + key) not in (None, "", [])
    }


def field_errors_with_prefix(errors: dict[str, list[str]], keys: list[str]) -> dict[str, list[str]]:
    """The service names custom fields by key; the page's form by prefixed key."""
    return {
        (PREFIX + name if name in keys else name): messages for name, messages in errors.items()
    }

"""Validate the values submitted for a custom ticket form."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from ticketing.errors import InvalidInput
from ticketing.models import FieldType, FormField, TicketForm

PHONE = re.compile(r"^\+?[0-9 ()\-]{5,30}$")


def form_validate(*, form: TicketForm | None, values: dict[str, Any]) -> dict[str, Any]:
    """Return the cleaned values (JSON-ready) or raise InvalidInput with one list of
    messages per field key. File fields are validated by the attachment service; here
    they carry the file name."""
    if form is None:
        return {}
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    fields = list(form.fields.all())
    for field in fields:
        raw = values.get(field.key)
        try:
            value = _clean(field, raw)
        except ValidationError as error:
            errors[field.key] = list(error.messages)
            continue
        if value is not None:
            cleaned[field.key] = value
    unknown = set(values) - {field.key for field in fields}
    for key in sorted(unknown):
        errors[key] = [_("This form has no field “%(key)s”.") % {"key": key}]
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), field_errors=errors)
    return cleaned


def _is_empty(raw: Any) -> bool:
    return raw is None or raw == "" or raw == [] or (isinstance(raw, str) and not raw.strip())


def _clean(field: FormField, raw: Any) -> Any:
    if field.field_type == FieldType.CHECKBOX:
        value = raw in (True, "true", "on", "1", 1, "yes")
        if field.required and not value:
            raise ValidationError(_("This box must be ticked."))
        return value
    if _is_empty(raw):
        if field.required:
            raise ValidationError(_("This field is required."))
        return None
    rules = field.validation or {}
    cleaner = _CLEANERS[FieldType(field.field_type)]
    return cleaner(field, raw, rules)


def _text(field: FormField, raw: Any, rules: dict[str, Any]) -> str:
    value = str(raw).strip()
    if "min_length" in rules and len(value) < int(rules["min_length"]):
        raise ValidationError(
            _("Enter at least %(count)d characters.") % {"count": int(rules["min_length"])}
        )
    limit = int(rules.get("max_length", 10_000 if field.field_type == FieldType.LONG_TEXT else 500))
    if len(value) > limit:
        raise ValidationError(_("Enter at most %(count)d characters.") % {"count": limit})
    pattern = rules.get("pattern")
    if pattern and not re.fullmatch(pattern, value):
        raise ValidationError(
            rules.get("pattern_message") or _("Enter a value in the expected format.")
        )
    return value


def _number(field: FormField, raw: Any, rules: dict[str, Any]) -> int | float:
    try:
        number = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValidationError(_("Enter a number."))
    if "min" in rules and number < Decimal(str(rules["min"])):
        raise ValidationError(_("Enter a number of at least %(min)s.") % {"min": rules["min"]})
    if "max" in rules and number > Decimal(str(rules["max"])):
        raise ValidationError(_("Enter a number of at most %(max)s.") % {"max": rules["max"]})
    return int(number) if number == number.to_integral_value() else float(number)


def _date(field: FormField, raw: Any, rules: dict[str, Any]) -> str:
    try:
        value = raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None
    return value.isoformat()


def _option_values(field: FormField) -> set[str]:
    return {str(option.get("value")) for option in field.options or []}


def _select(field: FormField, raw: Any, rules: dict[str, Any]) -> str:
    value = str(raw)
    if value not in _option_values(field):
        raise ValidationError(_("Choose one of the offered options."))
    return value


def _multi_select(field: FormField, raw: Any, rules: dict[str, Any]) -> list[str]:
    values = [str(item) for item in (raw if isinstance(raw, list | tuple) else [raw])]
    if not set(values) <= _option_values(field):
        raise ValidationError(_("Choose only from the offered options."))
    return sorted(set(values), key=values.index)


def _email(field: FormField, raw: Any, rules: dict[str, Any]) -> str:
    value = str(raw).strip()
    validate_email(value)
    return value.lower()


def _phone(field: FormField, raw: Any, rules: dict[str, Any]) -> str:
    value = str(raw).strip()
    if not PHONE.match(value):
        raise ValidationError(_("Enter a phone number, for example +48 22 123 45 67."))
    return value


def _file(field: FormField, raw: Any, rules: dict[str, Any]) -> str:
    name = getattr(raw, "name", raw)
    return str(name)


_CLEANERS = {
    FieldType.TEXT: _text,
    FieldType.LONG_TEXT: _text,
    FieldType.NUMBER: _number,
    FieldType.DATE: _date,
    FieldType.SELECT: _select,
    FieldType.MULTI_SELECT: _multi_select,
    FieldType.EMAIL: _email,
    FieldType.PHONE: _phone,
    FieldType.FILE: _file,
}

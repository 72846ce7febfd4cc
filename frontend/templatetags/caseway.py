"""Template helpers shared by every page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jdatetime
from django import template
from django.utils import formats, timezone

register = template.Library()


@register.simple_tag(takes_context=True)
def when(context: dict[str, Any], value: datetime | None, style: str = "datetime") -> str:
    """A moment in the viewer's time zone and calendar (Gregorian or Persian)."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    request = context.get("request")
    user = getattr(request, "user", None)
    if getattr(user, "is_authenticated", False) and getattr(user, "calendar", "") == "jalali":
        shamsi = jdatetime.datetime.fromgregorian(datetime=local)
        return shamsi.strftime("%Y/%m/%d" if style == "date" else "%Y/%m/%d %H:%M")
    if style == "date":
        return formats.date_format(local, "SHORT_DATE_FORMAT")
    return formats.date_format(local, "SHORT_DATETIME_FORMAT")


@register.filter
def field_named(form: Any, name: str) -> Any:
    """``form|field_named:"subject"`` — a bound field by a computed name."""
    return form[name] if name in form.fields else None

"""Which calendar applies to a ticket, as a ``business_time.Calendar``.

A department's own calendar, else the tenant's default calendar, else around the clock
in the tenant's time zone. Calendars are built once per process and version (holidays:
own dates, yearly ones, and a country's public holidays from the ``holidays`` package).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays as holiday_presets

from sla import business_time
from sla.models import BusinessCalendar, DepartmentCalendar
from tenants.db import connection

YEARS_AROUND = 3


def _years(today: date) -> list[int]:
    return list(range(today.year - 1, today.year + YEARS_AROUND))


@lru_cache(maxsize=512)
def _build(
    schema: str,
    calendar_id: int,
    version: str,
    zone: str,
    weekly: str,
    country: str,
    own: tuple[tuple[date, bool], ...],
    today: date,
) -> business_time.Calendar:
    import json

    days: set[date] = set()
    years = _years(today)
    for day, recurring in own:
        if recurring:
            for year in years:
                try:
                    days.add(day.replace(year=year))
                except ValueError:  # 29 February
                    continue
        else:
            days.add(day)
    if country:
        days.update(holiday_presets.country_holidays(country, years=years).keys())
    return business_time.Calendar.from_spec(zone, json.loads(weekly), holidays=days)


def calendar_from_model(calendar: BusinessCalendar, *, today: date) -> business_time.Calendar:
    import json

    own = tuple(sorted(calendar.holidays.values_list("date", "recurring")))
    return _build(
        str(connection.schema_name),
        calendar.pk,
        calendar.updated_at.isoformat(),
        calendar.timezone,
        json.dumps(calendar.weekly_hours, sort_keys=True),
        calendar.holiday_country.upper(),
        own,
        today,
    )


def tenant_timezone() -> str:
    tenant = connection.tenant
    return str(getattr(tenant, "timezone", "") or "UTC")


def calendar_for_department(department_id: int, *, today: date) -> business_time.Calendar:
    link = (
        DepartmentCalendar.objects.select_related("calendar")
        .filter(department_id=department_id)
        .first()
    )
    model = link.calendar if link else BusinessCalendar.objects.filter(is_default=True).first()
    if model is None:
        return business_time.Calendar.always(tenant_timezone())
    return calendar_from_model(model, today=today)

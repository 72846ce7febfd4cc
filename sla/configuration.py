"""Writes of the SLA configuration an admin edits: business calendars with their
holidays and departments, and the escalation rules of a policy. (``sla.services`` is
what the SLA does to tickets; this is what admins set up.)

Each function validates, then writes in one transaction; a refusal is an
``InvalidInput`` (or ``PlanLimitReached``) whose ``field_errors`` name the field. A
change to holidays touches its calendar, so every process rebuilds the cached calendar
(``sla.calendars`` keys on ``updated_at``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_presets
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sla import business_time
from sla.models import (
    BusinessCalendar,
    ClockKind,
    DepartmentCalendar,
    EscalationRule,
    Holiday,
    NotifyWhom,
    SlaPolicy,
)
from ticketing.errors import AlreadyExists, InvalidInput, PlanLimitReached
from ticketing.limits import current_limits
from ticketing.models import Agent, Department

WEEKDAYS = business_time.WEEKDAY_NAMES
MAX_INTERVALS_PER_DAY = 6
#: A holiday range adds one row per day; a year is the most anyone types by hand.
MAX_HOLIDAY_RANGE_DAYS = 366
MAX_AFTER_BREACH_MINUTES = 60 * 24 * 60  # sixty days


def _refuse(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, field_errors={field: [message]})


def weekly_hours_clean(weekly: Any) -> dict[str, list[list[str]]]:
    """Validate ``{"mon": [["09:00", "17:00"]], …}``: known days, HH:MM times, no empty
    or overlapping intervals in a day, at least one working interval in the week.
    Errors are keyed ``hours_<day>``."""
    if not isinstance(weekly, dict):
        raise _refuse("weekly_hours", _("Working hours are not valid."))
    cleaned: dict[str, list[list[str]]] = {}
    errors: dict[str, list[str]] = {}
    for day, pairs in weekly.items():
        field = f"hours_{day}"
        if day not in WEEKDAYS:
            errors.setdefault("weekly_hours", []).append(
                _("Unknown day: %(day)s.") % {"day": str(day)[:10]}
            )
            continue
        if not pairs:
            continue
        if len(pairs) > MAX_INTERVALS_PER_DAY:
            errors[field] = [
                _("At most %(count)d intervals a day.") % {"count": MAX_INTERVALS_PER_DAY}
            ]
            continue
        try:
            business_time.Calendar.from_spec("UTC", {day: pairs})
        except ValueError as error:
            overlap = "overlaps" in str(error)
            errors[field] = [
                _("The intervals of this day overlap.")
                if overlap
                else _("Write intervals as 09:00-12:00, 13:00-17:00 (start and end differ).")
            ]
            continue
        cleaned[day] = [[str(start), str(end)] for start, end in pairs]
    if not errors:
        try:  # an overnight interval must not run into the next day's first one
            business_time.Calendar.from_spec("UTC", cleaned)
        except ValueError as error:
            day = str(error).split(":", 1)[0]
            errors[f"hours_{day}" if day in WEEKDAYS else "hours_mon"] = [
                _("This overnight interval runs into the next day's hours.")
            ]
    if errors:
        raise InvalidInput(_("Some working hours are not valid."), field_errors=errors)
    if not cleaned:
        raise _refuse("hours_mon", _("Give at least one working interval in the week."))
    return cleaned


def _clean_timezone(name: str) -> str:
    name = (name or "").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _refuse(
            "timezone", _("Unknown time zone; use a name such as Europe/Warsaw.")
        ) from None
    return name


def _clean_country(code: str) -> str:
    code = (code or "").strip().upper()
    if code and code not in holiday_presets.list_supported_countries():
        raise _refuse("holiday_country", _("No public holidays are known for this country code."))
    return code


def calendar_save(
    *,
    calendar: BusinessCalendar | None,
    name: str,
    timezone_name: str,
    weekly_hours: Any,
    holiday_country: str = "",
    is_default: bool = False,
    departments: Iterable[Department] | None = None,
) -> BusinessCalendar:
    """Create (``calendar=None``) or change a calendar. ``departments`` (when given) are
    the departments that work by it from now on; any other calendar they used is
    replaced. Making it the default takes the mark off the previous default."""
    name = (name or "").strip()
    if not name:
        raise _refuse("name", _("Give the calendar a name."))
    zone = _clean_timezone(timezone_name)
    weekly = weekly_hours_clean(weekly_hours)
    country = _clean_country(holiday_country)
    clash = BusinessCalendar.objects.filter(name__iexact=name)
    if calendar is not None:
        clash = clash.exclude(pk=calendar.pk)
    if clash.exists():
        raise AlreadyExists(
            _("Another calendar has this name."),
            field_errors={"name": [_("Another calendar has this name.")]},
        )
    try:
        with transaction.atomic():
            if is_default:
                defaults = BusinessCalendar.objects.select_for_update().filter(is_default=True)
                if calendar is not None:
                    defaults = defaults.exclude(pk=calendar.pk)
                for previous in defaults:
                    previous.is_default = False
                    previous.save(update_fields=["is_default", "updated_at"])
            if calendar is None:
                calendar = BusinessCalendar()
            else:
                calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
            calendar.name = name
            calendar.timezone = zone
            calendar.weekly_hours = weekly
            calendar.holiday_country = country
            calendar.is_default = is_default
            calendar.save()
            if departments is not None:
                calendar_assign_departments(calendar=calendar, departments=departments)
    except IntegrityError as error:  # a concurrent save took the name or the default
        raise AlreadyExists(_("This calendar was changed at the same time; try again.")) from error
    return calendar


def calendar_assign_departments(
    *, calendar: BusinessCalendar, departments: Iterable[Department]
) -> None:
    """Exactly ``departments`` use ``calendar`` afterwards (each department has one)."""
    wanted = {department.pk for department in departments}
    with transaction.atomic():
        DepartmentCalendar.objects.filter(calendar=calendar).exclude(
            department_id__in=wanted
        ).delete()
        for department_id in wanted:
            DepartmentCalendar.objects.update_or_create(
                department_id=department_id, defaults={"calendar": calendar}
            )


def calendar_departments(calendar: BusinessCalendar) -> list[int]:
    return list(
        DepartmentCalendar.objects.filter(calendar=calendar).values_list("department_id", flat=True)
    )


def _touch(calendar: BusinessCalendar) -> None:
    BusinessCalendar.objects.filter(pk=calendar.pk).update(updated_at=timezone.now())


def holidays_add(
    *,
    calendar: BusinessCalendar,
    first_day: date,
    last_day: date | None = None,
    name: str = "",
    recurring: bool = False,
) -> list[Holiday]:
    """One holiday per day from ``first_day`` to ``last_day`` (inclusive); days the
    calendar already has are skipped. Returns the rows added."""
    last_day = last_day or first_day
    if last_day < first_day:
        raise _refuse("last_day", _("The last day is before the first day."))
    days = (last_day - first_day).days + 1
    if days > MAX_HOLIDAY_RANGE_DAYS:
        raise _refuse(
            "last_day",
            _("A range covers at most %(count)d days.") % {"count": MAX_HOLIDAY_RANGE_DAYS},
        )
    if recurring and days > 31:
        raise _refuse("recurring", _("Yearly holidays are single days or short ranges."))
    name = (name or "").strip()[:120]
    with transaction.atomic():
        BusinessCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
        existing = set(
            calendar.holidays.filter(
                date__gte=first_day, date__lte=last_day, recurring=recurring
            ).values_list("date", flat=True)
        )
        added = Holiday.objects.bulk_create(
            [
                Holiday(calendar=calendar, date=day, name=name, recurring=recurring)
                for offset in range(days)
                if (day := first_day + timedelta(days=offset)) not in existing
            ]
        )
        _touch(calendar)
    if not added:
        raise _refuse("first_day", _("These days are already holidays of this calendar."))
    return added


def holiday_delete(*, holiday: Holiday) -> None:
    with transaction.atomic():
        calendar = holiday.calendar
        holiday.delete()
        _touch(calendar)


# --- escalation rules -----------------------------------------------------------------


def escalation_levels_allowed() -> int | None:
    """Rules per policy and clock the tenant's plan allows (``None``: no limit)."""
    return current_limits().sla_escalation_levels


def escalation_levels_check(
    *, policy: SlaPolicy, clock: str, exclude_pk: int | None = None
) -> None:
    """Call inside the transaction that adds a rule to ``clock`` of ``policy``: each rule
    is one escalation level of that clock, and the plan allows
    ``tenant.limits.sla_escalation_levels`` of them per clock. Rules made before a
    downgrade stay and keep working; only new ones are refused."""
    limits = current_limits(lock=True)
    allowed = limits.sla_escalation_levels
    if allowed is None:
        return
    existing = EscalationRule.objects.filter(policy=policy, clock=clock)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    if existing.count() >= allowed:
        message = ngettext(
            "Your plan (%(plan)s) allows %(limit)d escalation level per SLA clock. "
            "Upgrade the plan on the billing page to add more.",
            "Your plan (%(plan)s) allows %(limit)d escalation levels per SLA clock. "
            "Upgrade the plan on the billing page to add more.",
            allowed,
        ) % {"plan": limits.plan_name or _("current"), "limit": allowed}
        raise PlanLimitReached(message, field_errors={"clock": [message]})


def escalation_rule_save(
    *,
    rule: EscalationRule | None,
    policy: SlaPolicy,
    clock: str,
    warn_at_percent: int | None,
    after_breach_minutes: int | None,
    notify: Sequence[str] = (),
    raise_priority: bool = False,
    transfer_to_department: Department | None = None,
    transfer_to_agent: Agent | None = None,
) -> EscalationRule:
    """A warning at a share of the target (1–99 %) or a step at or after the breach;
    it must do something (notify, raise the priority or transfer), be the only step at
    that point of its clock, and stay within the plan's escalation levels."""
    errors: dict[str, list[str]] = {}
    if clock not in ClockKind.values:
        errors["clock"] = [_("Choose a clock.")]
    if (warn_at_percent is None) == (after_breach_minutes is None):
        errors["warn_at_percent"] = [
            _("Set either a warning percentage or minutes after the breach.")
        ]
    if warn_at_percent is not None and not 1 <= warn_at_percent <= 99:
        errors["warn_at_percent"] = [_("Warn between 1 and 99 percent of the target.")]
    if after_breach_minutes is not None and not (
        0 <= after_breach_minutes <= MAX_AFTER_BREACH_MINUTES
    ):
        errors["after_breach_minutes"] = [
            _("Between 0 and %(count)d minutes.") % {"count": MAX_AFTER_BREACH_MINUTES}
        ]
    unknown = [whom for whom in notify if whom not in NotifyWhom.values]
    if unknown:
        errors["notify"] = [_("Choose whom to notify from the list.")]
    if not (notify or raise_priority or transfer_to_department or transfer_to_agent):
        errors["notify"] = [_("Notify someone, raise the priority or transfer the ticket.")]
    if (
        transfer_to_agent is not None
        and transfer_to_department is not None
        and not transfer_to_agent.departments.filter(pk=transfer_to_department.pk).exists()
    ):
        errors["transfer_to_agent"] = [_("This agent does not work in that department.")]
    if errors:
        raise InvalidInput(_("The escalation rule is not valid."), field_errors=errors)
    with transaction.atomic():
        SlaPolicy.objects.select_for_update().filter(pk=policy.pk).first()
        siblings = EscalationRule.objects.filter(policy=policy, clock=clock)
        if rule is not None:
            siblings = siblings.exclude(pk=rule.pk)
        same_point = (
            siblings.filter(warn_at_percent=warn_at_percent)
            if warn_at_percent is not None
            else siblings.filter(after_breach_minutes=after_breach_minutes)
        )
        if same_point.exists():
            field = "warn_at_percent" if warn_at_percent is not None else "after_breach_minutes"
            raise _refuse(field, _("This clock already has a step at this point."))
        if rule is None or rule.clock != clock:
            escalation_levels_check(
                policy=policy, clock=clock, exclude_pk=rule.pk if rule else None
            )
        rule = rule or EscalationRule(policy=policy)
        rule.clock = clock
        rule.warn_at_percent = warn_at_percent
        rule.after_breach_minutes = after_breach_minutes
        rule.notify = list(dict.fromkeys(notify))
        rule.raise_priority = raise_priority
        rule.transfer_to_department = transfer_to_department
        rule.transfer_to_agent = transfer_to_agent
        rule.save()
    return rule


def escalation_rule_delete(*, rule: EscalationRule) -> None:
    rule.delete()

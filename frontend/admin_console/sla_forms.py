"""Forms of the admin console's SLA set-up: business calendars (weekly hours typed as
``09:00-12:00, 13:00-17:00`` per day), holidays and escalation rules. They parse; the
rules are ``sla.configuration``'s."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from frontend.admin_console.forms import ParseOnly
from sla.configuration import WEEKDAYS, calendar_departments
from sla.models import BusinessCalendar, ClockKind, NotifyWhom
from ticketing.models import Agent, Department

DAY_LABELS = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}
_INTERVAL = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–—]\s*(\d{1,2}:\d{2})\s*$")


def parse_intervals(text: str) -> list[list[str]]:
    """``"9:00-12:00, 13:00-17:00"`` → ``[["09:00", "12:00"], ["13:00", "17:00"]]``."""
    pairs = []
    for part in (text or "").replace(";", ",").split(","):
        if not part.strip():
            continue
        match = _INTERVAL.match(part)
        if match is None:
            raise forms.ValidationError(
                _("Write intervals as 09:00-12:00, 13:00-17:00 (start and end differ).")
            )
        pairs.append([value.zfill(5) for value in match.groups()])
    return pairs


def format_intervals(pairs: Any) -> str:
    if not isinstance(pairs, list):
        return ""
    return ", ".join(f"{pair[0]}-{pair[1]}" for pair in pairs if len(pair) == 2)


class BusinessCalendarForm(ParseOnly, forms.ModelForm):
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments working by this calendar"),
        required=False,
        queryset=Department.objects.order_by("name"),
        help_text=_("Other departments use the default calendar."),
    )

    class Meta:
        model = BusinessCalendar
        fields: ClassVar[list[str]] = ["name", "timezone", "holiday_country", "is_default"]
        help_texts: ClassVar[dict[str, Any]] = {
            "timezone": _("A name such as Europe/Warsaw or Asia/Tehran."),
            "is_default": _("Used by every department that has no calendar of its own."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        weekly = self.instance.weekly_hours if self.instance.pk else {}
        if not self.instance.pk:
            weekly = BusinessCalendar().weekly_hours
        for day in WEEKDAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                label=DAY_LABELS[day],
                required=False,
                max_length=200,
                initial=format_intervals(weekly.get(day)),
                help_text=_("e.g. 09:00-12:00, 13:00-17:00; overnight 22:00-06:00; empty: day off")
                if day == "mon"
                else "",
            )
        if self.instance.pk:
            self.fields["departments"].initial = calendar_departments(self.instance)
        # Department choices follow the days, as on the page.
        self.order_fields(
            ["name", "timezone", *[f"hours_{day}" for day in WEEKDAYS], "holiday_country"]
        )

    def _post_clean(self) -> None:
        """No model validation: ``sla.configuration.calendar_save`` checks the name and
        moves the default mark (which the model's constraint would refuse here)."""

    def weekly_hours(self) -> dict[str, list[list[str]]]:
        return {
            day: self.cleaned_data[f"hours_{day}"]
            for day in WEEKDAYS
            if self.cleaned_data.get(f"hours_{day}")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in WEEKDAYS:
            name = f"hours_{day}"
            if name in data:
                try:
                    data[name] = parse_intervals(data[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return data


class HolidayForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=120)
    first_day = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last_day = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For a range of days off; empty for a single day."),
    )
    recurring = forms.BooleanField(label=_("Every year"), required=False)


class AgentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


STEP_KINDS = [
    ("warning", _("Warning before the deadline")),
    ("breach", _("At or after the breach")),
]


class EscalationRuleForm(forms.Form):
    clock = forms.ChoiceField(label=_("Clock"), choices=ClockKind.choices)
    kind = forms.ChoiceField(label=_("When"), choices=STEP_KINDS, widget=forms.RadioSelect)
    warn_at_percent = forms.IntegerField(
        label=_("Warn at (% of the target)"), required=False, min_value=1, max_value=99
    )
    after_breach_minutes = forms.IntegerField(
        label=_("Minutes after the breach"),
        required=False,
        min_value=0,
        help_text=_("0 is the moment of the breach."),
    )
    notify = forms.MultipleChoiceField(
        label=_("Notify"),
        required=False,
        choices=NotifyWhom.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    raise_priority = forms.BooleanField(label=_("Raise the priority"), required=False)
    transfer_to_department = forms.ModelChoiceField(
        label=_("Transfer to department"),
        required=False,
        queryset=Department.objects.filter(is_active=True).order_by("name"),
    )
    transfer_to_agent = AgentChoice(
        label=_("Transfer to agent"),
        required=False,
        queryset=Agent.objects.filter(is_active=True)
        .select_related("user")
        .order_by("user__full_name"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == "warning":
            data["after_breach_minutes"] = None
            if data.get("warn_at_percent") is None and "warn_at_percent" not in self.errors:
                self.add_error("warn_at_percent", _("Give the percentage of the target."))
        elif kind == "breach":
            data["warn_at_percent"] = None
            if (
                data.get("after_breach_minutes") is None
                and "after_breach_minutes" not in self.errors
            ):
                self.add_error("after_breach_minutes", _("Give the minutes after the breach."))
        return data

"""The filter every report page shares: a date range and a department."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.TypedChoiceField(
        label=_("Department"), required=False, coerce=int, empty_value=None
    )
    period = forms.ChoiceField(
        label=_("Per"), required=False, choices=[("month", _("Month")), ("day", _("Day"))]
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("count", _("Tickets handled")),
            ("handling", _("Handling time, shortest first")),
            ("-handling", _("Handling time, longest first")),
        ],
    )

    @staticmethod
    def defaults() -> dict[str, object]:
        today = timezone.localdate()
        return {
            "start": today - timedelta(days=29),
            "end": today,
            "period": "month",
            "sort": "count",
        }

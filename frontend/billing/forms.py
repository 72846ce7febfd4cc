from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import Plan
from tenants.models import Tenant, TenantStatus


class PlanChoiceForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.filter(is_active=True).exclude(stripe_price_id=""),
        to_field_name="code",
        label=_("Plan"),
    )


class _TenantField(forms.ModelChoiceField):
    def __init__(self) -> None:
        super().__init__(
            queryset=Tenant.objects.exclude(status=TenantStatus.DELETED).exclude(
                schema_name="public"
            ),
            to_field_name="slug",
            label=_("Tenant (slug)"),
            widget=forms.TextInput,
            error_messages={"invalid_choice": _("No tenant with this address.")},
        )


class ExtendTrialForm(forms.Form):
    tenant = _TenantField()
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=365, initial=14)


class CompForm(forms.Form):
    tenant = _TenantField()
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.filter(is_active=True), to_field_name="code", label=_("Plan")
    )
    until = forms.DateField(
        label=_("Free until (empty: for good)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

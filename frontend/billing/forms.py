from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import Feature, Plan
from billing.plan_editing import EDITABLE_FIELDS
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


class PlanForm(forms.ModelForm):
    """What an operator sets on a plan. The rules a plan must follow live in
    ``billing.plan_editing.plan_validate``; their errors are put on these fields."""

    features = forms.MultipleChoiceField(
        label=_("Features"),
        choices=Feature.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Plan
        fields: ClassVar[list[str]] = list(EDITABLE_FIELDS)
        help_texts: ClassVar[dict[str, Any]] = {
            "stripe_price_id": _("The Stripe price (or legacy plan) id; empty for a free plan."),
            "unit_amount": _("Per agent and billing interval, in cents (1500 = 15.00)."),
            "currency": _("Three letters, such as usd or eur."),
            "max_agents": _("Empty: unlimited."),
            "max_departments": _("Empty: unlimited."),
            "storage_mb": _("Empty: unlimited."),
            "sms_per_month": _("Empty: unlimited."),
            "sla_escalation_levels": _("Escalation rules allowed per SLA clock of a policy."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["features"] = list(self.instance.features or [])

"""Writes of the operators' plan editor: create, change, retire plans.

A plan's limits are copied into every tenant on it (``Tenant.plan_limits``, read as
``tenant.limits``), so a change reaches those tenants in the same transaction. A plan
that tenants are on is never deleted (the accounts point at it): it is deactivated and
hidden from the pricing page instead, and its tenants keep it until they change plan.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from billing.errors import PlanInvalid
from billing.models import BillingAccount, BillingInterval, Feature, Plan
from tenants.models import Tenant
from tenants.routing import routing_invalidate

#: What an operator may set on a plan.
EDITABLE_FIELDS = (
    "code",
    "name",
    "stripe_price_id",
    "unit_amount",
    "currency",
    "interval",
    "trial_days",
    "max_agents",
    "max_departments",
    "storage_mb",
    "sms_per_month",
    "features",
    "sla_escalation_levels",
    "is_public",
    "is_active",
    "position",
)

_PRICE_ID = re.compile(r"^[A-Za-z0-9_\-.]{1,100}$")
_CURRENCY = re.compile(r"^[a-z]{3}$")
MAX_TRIAL_DAYS = 365
MAX_ESCALATION_LEVELS = 20


def plan_validate(*, plan: Plan) -> None:
    """Refuse a plan that could not be sold or would break billing. Raises
    ``PlanInvalid`` naming the field."""
    if not plan.name.strip():
        raise PlanInvalid(_("A plan needs a name."), field="name")
    if not re.fullmatch(r"[-a-z0-9_]{1,40}", plan.code or ""):
        raise PlanInvalid(
            _("Use lowercase letters, digits, hyphens and underscores (at most 40)."),
            field="code",
        )
    if plan.code == "new":  # the operator console's address of a new plan
        raise PlanInvalid(_("This code is reserved."), field="code")
    if Plan.objects.filter(code=plan.code).exclude(pk=plan.pk).exists():
        raise PlanInvalid(_("Another plan already has this code."), field="code")
    if plan.interval not in BillingInterval.values:
        raise PlanInvalid(_("Choose monthly or yearly billing."), field="interval")
    plan.currency = (plan.currency or "").strip().lower()
    if not _CURRENCY.fullmatch(plan.currency):
        raise PlanInvalid(
            _("Enter a three-letter currency code, such as usd or eur."), field="currency"
        )
    plan.stripe_price_id = (plan.stripe_price_id or "").strip()
    if plan.code == settings.BILLING_FREE_PLAN and not plan.is_free:
        raise PlanInvalid(
            _(
                "This is the plan tenants fall back to when a trial or subscription ends; "
                "it must stay free (no price, no Stripe price)."
            ),
            field="unit_amount",
        )
    if plan.stripe_price_id:
        if not _PRICE_ID.fullmatch(plan.stripe_price_id):
            raise PlanInvalid(
                _("A Stripe price id has letters, digits, “_”, “-” and “.” only."),
                field="stripe_price_id",
            )
        if Plan.objects.filter(stripe_price_id=plan.stripe_price_id).exclude(pk=plan.pk).exists():
            # Subscriptions are matched to plans by their price.
            raise PlanInvalid(
                _("Another plan already uses this Stripe price."), field="stripe_price_id"
            )
    elif plan.unit_amount > 0:
        raise PlanInvalid(
            _("A paid plan needs the Stripe price its subscriptions are billed at."),
            field="stripe_price_id",
        )
    if (
        plan.code in (settings.BILLING_FREE_PLAN, settings.BILLING_TRIAL_PLAN)
        and not plan.is_active
    ):
        raise PlanInvalid(
            _("New tenants and ended subscriptions land on this plan; it stays active."),
            field="is_active",
        )
    if plan.trial_days > MAX_TRIAL_DAYS:
        raise PlanInvalid(
            _("A trial lasts at most %(days)d days.") % {"days": MAX_TRIAL_DAYS},
            field="trial_days",
        )
    if plan.sla_escalation_levels > MAX_ESCALATION_LEVELS:
        raise PlanInvalid(
            _("At most %(levels)d escalation levels.") % {"levels": MAX_ESCALATION_LEVELS},
            field="sla_escalation_levels",
        )
    if plan.max_agents == 0:
        raise PlanInvalid(
            _("A plan allows at least one agent (leave empty for unlimited)."),
            field="max_agents",
        )
    unknown = set(plan.features or []) - set(Feature.values)
    if unknown:
        raise PlanInvalid(_("Unknown feature: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    plan.features = sorted(set(plan.features or []))


def _changes(before: dict[str, Any], plan: Plan) -> dict[str, tuple[Any, Any]]:
    return {
        name: (before.get(name), getattr(plan, name))
        for name in EDITABLE_FIELDS
        if before.get(name) != getattr(plan, name)
    }


def plan_create(*, fields: dict[str, Any]) -> Plan:
    plan = Plan(**{name: value for name, value in fields.items() if name in EDITABLE_FIELDS})
    plan_validate(plan=plan)
    with transaction.atomic():
        plan.save()
    return plan


def plan_update(*, plan: Plan, fields: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Change a plan and give its tenants the new limits at once. Returns the changes
    as ``{field: (before, after)}`` for the audit log."""
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        before = {name: getattr(locked, name) for name in EDITABLE_FIELDS}
        for name, value in fields.items():
            if name in EDITABLE_FIELDS:
                setattr(locked, name, value)
        plan_validate(plan=locked)
        if before["code"] in (settings.BILLING_FREE_PLAN, settings.BILLING_TRIAL_PLAN) and (
            locked.code != before["code"]
        ):
            raise PlanInvalid(
                _("The platform's settings name this plan by its code; it cannot change."),
                field="code",
            )
        locked.save()
        changes = _changes(before, locked)
        if changes:
            plan_limits_apply(plan=locked)
    plan.refresh_from_db()
    return changes


def plan_limits_apply(*, plan: Plan) -> int:
    """Copy the plan's limits into every tenant on it, in one statement."""
    updated = Tenant.objects.filter(billing_account__plan=plan).update(
        plan_limits=plan.limits_json()
    )
    transaction.on_commit(routing_invalidate)
    return updated


def plan_retire(*, plan: Plan) -> bool:
    """Delete a plan nobody is on; otherwise deactivate and hide it (its tenants keep
    it). Returns True when the plan was deleted."""
    if plan.code in (settings.BILLING_FREE_PLAN, settings.BILLING_TRIAL_PLAN):
        raise PlanInvalid(
            _("The platform's settings use this plan (free fallback or trial); it stays.")
        )
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        if BillingAccount.objects.filter(plan=locked).exists():
            locked.is_active = False
            locked.is_public = False
            locked.save(update_fields=["is_active", "is_public"])
            deleted = False
        else:
            locked.delete()
            deleted = True
    return deleted

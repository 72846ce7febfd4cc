"""Tenants created before billing existed get an account on a trial, like a signup."""

from datetime import timedelta
from typing import Any

from django.db import migrations
from django.utils import timezone


def accounts(apps: Any, schema_editor: Any) -> None:
    from django.conf import settings

    Tenant = apps.get_model("tenants", "Tenant")
    Plan = apps.get_model("billing", "Plan")
    BillingAccount = apps.get_model("billing", "BillingAccount")
    plan = Plan.objects.filter(code=settings.BILLING_TRIAL_PLAN).first()
    if plan is None:
        return
    limits = {
        "plan_name": plan.name,
        "agents": plan.max_agents,
        "departments": plan.max_departments,
        "storage_mb": plan.storage_mb,
        "sms_per_month": plan.sms_per_month,
        "sla_escalation_levels": plan.sla_escalation_levels,
        "features": sorted(plan.features or []),
    }
    ends = timezone.now() + timedelta(days=plan.trial_days or settings.BILLING_TRIAL_DAYS)
    tenants = Tenant.objects.exclude(status="deleted").exclude(schema_name="public")
    for tenant in tenants.filter(billing_account__isnull=True):
        BillingAccount.objects.create(tenant=tenant, plan=plan, status="trialing", trial_ends_at=ends)
        Tenant.objects.filter(pk=tenant.pk).update(plan_limits=limits)


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_default_plans"), ("tenants", "0002_tenant_plan_limits")]

    operations = [migrations.RunPython(accounts, migrations.RunPython.noop)]

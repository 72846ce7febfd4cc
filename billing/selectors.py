"""Reads of billing: the public plan list, a tenant's billing page, the operators'
overview, the staff banner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, QuerySet, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import stripe_api
from billing.models import AccountStatus, BillingAccount, Invoice, Plan, SmsUsage, money
from tenants.models import Tenant, TenantStatus


def plan_list_public() -> list[dict[str, Any]]:
    """Plans for the pricing page: prices, limits and features (``None`` is unlimited)."""
    return [
        {
            "code": plan.code,
            "name": plan.name,
            "unit_amount": plan.unit_amount,
            "price": plan.unit_amount / 100,
            "currency": plan.currency,
            "interval": plan.interval,
            "trial_days": plan.trial_days,
            "is_free": plan.is_free,
            "limits": {
                "agents": plan.max_agents,
                "departments": plan.max_departments,
                "storage_mb": plan.storage_mb,
                "sms_per_month": plan.sms_per_month,
                "sla_escalation_levels": plan.sla_escalation_levels,
            },
            "features": sorted(plan.features or []),
        }
        for plan in Plan.objects.filter(is_public=True, is_active=True)
    ]


def plans_choosable() -> QuerySet[Plan]:
    return Plan.objects.filter(is_active=True).exclude(stripe_price_id="")


def invoices_for(*, tenant: Tenant, limit: int = 24) -> QuerySet[Invoice]:
    """Only this tenant's invoices: the tenant comes from the request's host."""
    return Invoice.objects.filter(tenant=tenant).order_by("-created_at")[:limit]


def sms_used_this_month(*, tenant: Tenant) -> int:
    month = timezone.now().date().replace(day=1)
    usage = SmsUsage.objects.filter(tenant=tenant, month=month).first()
    return usage.sent if usage else 0


@dataclass(frozen=True)
class Banner:
    level: str
    message: str


def billing_banner_for(tenant: Tenant | Any) -> Banner | None:
    """What the staff console shows above every page when payment is overdue (or the
    trial is about to end). ``None`` when all is well."""
    if not isinstance(tenant, Tenant):
        return None
    account = BillingAccount.objects.filter(tenant_id=tenant.pk).first()
    if account is None:
        return None
    now = timezone.now()
    if account.past_due_since is not None:
        deadline = account.past_due_since + timedelta(days=settings.BILLING_GRACE_DAYS)
        return Banner(
            level="danger",
            message=_(
                "A payment failed. Update the card on the billing page before %(date)s, "
                "or the help desk will be paused."
            )
            % {"date": timezone.localtime(deadline).date().isoformat()},
        )
    if (
        account.status == AccountStatus.TRIALING
        and account.trial_ends_at is not None
        and account.trial_ends_at - now < timedelta(days=3)
        and not account.stripe_subscription_id
    ):
        return Banner(
            level="warning",
            message=_("The trial ends on %(date)s. Choose a plan on the billing page.")
            % {"date": timezone.localtime(account.trial_ends_at).date().isoformat()},
        )
    return None


@dataclass(frozen=True)
class Overview:
    mrr_cents: int
    by_plan: list[dict[str, Any]]
    by_status: list[dict[str, Any]]
    failed_invoices: list[Invoice]
    accounts: list[BillingAccount]

    @property
    def mrr_display(self) -> str:
        return money(self.mrr_cents, "usd")


#: Accounts listed on the operators' page (the totals cover all of them).
ACCOUNTS_SHOWN = 500


def operator_overview() -> Overview:
    """MRR (paying subscriptions), tenants by plan and by status, failed payments."""
    live = BillingAccount.objects.exclude(tenant__status=TenantStatus.DELETED).exclude(
        tenant__schema_name="public"
    )
    accounts = list(live.select_related("plan", "tenant").order_by("tenant__slug")[:ACCOUNTS_SHOWN])
    per_period = F("seats") * F("plan__unit_amount")
    mrr = live.filter(status__in=[AccountStatus.ACTIVE, AccountStatus.PAST_DUE]).aggregate(
        cents=Sum(
            Case(
                When(plan__interval="year", then=per_period / 12),
                default=per_period,
                output_field=IntegerField(),
            )
        )
    )["cents"]
    return Overview(
        mrr_cents=int(mrr or 0),
        by_plan=[
            dict(row)
            for row in live.values("plan__name")
            .annotate(tenants=Count("pk"), seats=Sum("seats"))
            .order_by("plan__name")
        ],
        by_status=[
            {**row, "label": AccountStatus(row["status"]).label}
            for row in live.values("status").annotate(tenants=Count("pk")).order_by("status")
        ],
        failed_invoices=list(
            Invoice.objects.filter(payment_failed=True, status="open")
            .select_related("tenant")
            .order_by("-created_at")[:50]
        ),
        accounts=accounts,
    )


def stripe_configured() -> bool:
    return stripe_api.configured()


def grace_deadline(account: BillingAccount) -> datetime | None:
    if account.past_due_since is None:
        return None
    return account.past_due_since + timedelta(days=settings.BILLING_GRACE_DAYS)

"""Reads of billing: the public plan list, a tenant's billing page, the operators'
overview, the staff banner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import stripe_api
from billing.models import (
    AccountStatus,
    BillingAccount,
    BillingInterval,
    Invoice,
    Plan,
    SmsUsage,
    money,
)
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


def plans_for_operators() -> QuerySet[Plan]:
    """Every plan, active or not, with the number of live tenants on it."""
    return Plan.objects.annotate(
        tenants=Count(
            "accounts",
            filter=~Q(accounts__tenant__status=TenantStatus.DELETED),
        )
    ).order_by("position", "unit_amount", "code")


def plan_tenant_count(*, plan: Plan) -> int:
    return (
        BillingAccount.objects.filter(plan=plan)
        .exclude(tenant__status=TenantStatus.DELETED)
        .count()
    )


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
    if account.suspended_for_billing:
        return Banner(
            level="danger",
            message=_(
                "The help desk is paused because a payment failed. Update the payment "
                "method on the billing page: it reopens as soon as the payment goes through."
            ),
        )
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
class Revenue:
    """Monthly recurring revenue in one currency, in its smallest unit (cents)."""

    currency: str
    cents: int
    accounts: int

    @property
    def display(self) -> str:
        return money(self.cents, self.currency)


@dataclass(frozen=True)
class Overview:
    mrr: list[Revenue]
    by_plan: list[dict[str, Any]]
    by_status: list[dict[str, Any]]
    failed_invoices: list[Invoice]
    accounts: list[BillingAccount]

    def mrr_in(self, currency: str) -> int:
        return next((row.cents for row in self.mrr if row.currency == currency.lower()), 0)


#: Accounts listed on the operators' page (the totals cover all of them).
ACCOUNTS_SHOWN = 500

#: Accounts that pay: trials, complimentary plans, the free plan and ended
#: subscriptions bring no revenue. Past-due accounts still owe their subscription.
PAYING_STATUSES = (AccountStatus.ACTIVE, AccountStatus.PAST_DUE)


def mrr_by_currency() -> list[Revenue]:
    """MRR per currency (never added across currencies): seats × the plan's price per
    agent, yearly plans counted as a twelfth per month, paying accounts only."""
    rows = (
        BillingAccount.objects.exclude(tenant__status=TenantStatus.DELETED)
        .exclude(tenant__schema_name="public")
        .filter(status__in=PAYING_STATUSES)
        .values("plan__currency", "plan__interval")
        .annotate(amount=Sum(F("seats") * F("plan__unit_amount")), accounts=Count("pk"))
    )
    totals: dict[str, Fraction] = {}
    accounts: dict[str, int] = {}
    for row in rows:
        currency = str(row["plan__currency"]).lower()
        per_period = Fraction(int(row["amount"] or 0))
        monthly = per_period / 12 if row["plan__interval"] == BillingInterval.YEAR else per_period
        totals[currency] = totals.get(currency, Fraction(0)) + monthly
        accounts[currency] = accounts.get(currency, 0) + int(row["accounts"])
    return [
        Revenue(currency=currency, cents=round(total), accounts=accounts[currency])
        for currency, total in sorted(totals.items())
    ]


def operator_overview() -> Overview:
    """MRR per currency, tenants by plan and by status, failed payments."""
    live = BillingAccount.objects.exclude(tenant__status=TenantStatus.DELETED).exclude(
        tenant__schema_name="public"
    )
    accounts = list(live.select_related("plan", "tenant").order_by("tenant__slug")[:ACCOUNTS_SHOWN])
    return Overview(
        mrr=mrr_by_currency(),
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


def tenants_with_usage(
    *, status: str = "", plan_code: str = "", billing_status: str = "", search: str = ""
) -> QuerySet[Tenant]:
    """The operators' tenant list: each tenant with its plan, billing status and usage
    (agents, tickets, storage, SMS this month) from the public schema's counters, in
    one query whatever the number of tenants."""
    month = timezone.now().date().replace(day=1)
    tenants = (
        Tenant.objects.exclude(schema_name="public")
        .select_related("billing_account__plan", "usage")
        .annotate(
            sms_month=FilteredRelation("sms_usage", condition=Q(sms_usage__month=month)),
        )
        .annotate(sms_used=Coalesce(F("sms_month__sent"), 0))
    )
    if status:
        tenants = tenants.filter(status=status)
    else:
        tenants = tenants.exclude(status=TenantStatus.DELETED)
    if plan_code:
        tenants = tenants.filter(billing_account__plan__code=plan_code)
    if billing_status:
        tenants = tenants.filter(billing_account__status=billing_status)
    if search:
        tenants = tenants.filter(Q(slug__icontains=search) | Q(name__icontains=search))
    return tenants.order_by("slug")


def stripe_configured() -> bool:
    return stripe_api.configured()


def grace_deadline(account: BillingAccount) -> datetime | None:
    if account.past_due_since is None:
        return None
    return account.past_due_since + timedelta(days=settings.BILLING_GRACE_DAYS)

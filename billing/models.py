"""Plans, each tenant's billing account, Stripe's webhook events, invoices and SMS usage
(all in the public schema)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant


def money(cents: int, currency: str) -> str:
    return f"{cents / 100:,.2f} {currency.upper()}"


class BillingInterval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


class Feature(models.TextChoices):
    API_ACCESS = "api_access", _("API access")
    CUSTOM_DOMAIN = "custom_domain", _("Custom domain")
    BRANDING_REMOVAL = "branding_removal", _("No “Powered by Caseway”")


class Plan(models.Model):
    """A plan operators sell. Limits of ``None`` mean unlimited; a price of 0 with no
    Stripe price is a free plan that needs no subscription."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    stripe_price_id = models.CharField(_("Stripe price"), max_length=100, blank=True)
    #: Per agent (seat) and interval, in the currency's smallest unit (cents).
    unit_amount = models.PositiveIntegerField(_("price per agent (cents)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="usd")
    interval = models.CharField(
        _("billing interval"),
        max_length=10,
        choices=BillingInterval.choices,
        default=BillingInterval.MONTH,
    )
    trial_days = models.PositiveIntegerField(_("trial days"), default=0)
    max_agents = models.PositiveIntegerField(_("agents (seats)"), null=True, blank=True)
    max_departments = models.PositiveIntegerField(_("departments"), null=True, blank=True)
    storage_mb = models.PositiveIntegerField(_("attachment storage (MB)"), null=True, blank=True)
    sms_per_month = models.PositiveIntegerField(_("SMS per month"), null=True, blank=True)
    features = models.JSONField(_("features"), default=list, blank=True)
    sla_escalation_levels = models.PositiveSmallIntegerField(_("SLA escalation levels"), default=1)
    is_public = models.BooleanField(_("shown on the pricing page"), default=True)
    is_active = models.BooleanField(_("can be chosen"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering: ClassVar[list[str]] = ["position", "unit_amount", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def price_display(self) -> str:
        return money(self.unit_amount, self.currency)

    @property
    def is_free(self) -> bool:
        return self.unit_amount == 0 and not self.stripe_price_id

    def limits_json(self) -> dict[str, object]:
        """What ``tenant.limits`` reads (``tenants.limits.TenantLimits``)."""
        return {
            "plan_name": self.name,
            "agents": self.max_agents,
            "departments": self.max_departments,
            "storage_mb": self.storage_mb,
            "sms_per_month": self.sms_per_month,
            "sla_escalation_levels": self.sla_escalation_levels,
            "features": sorted(self.features or []),
        }


class AccountStatus(models.TextChoices):
    TRIALING = "trialing", _("Trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Payment overdue")
    CANCELED = "canceled", _("Cancelled")
    INCOMPLETE = "incomplete", _("Awaiting first payment")
    FREE = "free", _("Free plan")
    COMPED = "comped", _("Complimentary")


class BillingAccount(models.Model):
    """One per tenant: its plan, its Stripe customer and subscription as last fetched."""

    tenant = models.OneToOneField(
        Tenant, on_delete=models.CASCADE, related_name="billing_account", primary_key=True
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="accounts")
    status = models.CharField(
        _("status"), max_length=20, choices=AccountStatus.choices, default=AccountStatus.TRIALING
    )
    stripe_customer_id = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_status = models.CharField(max_length=30, blank=True)
    seats = models.PositiveIntegerField(_("seats"), default=1)
    trial_ends_at = models.DateTimeField(_("trial ends"), null=True, blank=True)
    current_period_end = models.DateTimeField(_("current period ends"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(_("cancels at period end"), default=False)
    #: When the first unpaid invoice failed; the grace period counts from here.
    past_due_since = models.DateTimeField(_("overdue since"), null=True, blank=True)
    suspended_for_billing = models.BooleanField(default=False)
    next_invoice_at = models.DateTimeField(_("next invoice"), null=True, blank=True)
    next_invoice_amount = models.IntegerField(_("next invoice amount"), null=True, blank=True)
    comped_until = models.DateTimeField(_("complimentary until"), null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")

    def __str__(self) -> str:
        return f"billing of {self.tenant_id}"

    @property
    def next_invoice_display(self) -> str:
        if self.next_invoice_amount is None:
            return ""
        return money(self.next_invoice_amount, self.plan.currency)


class StripeEventStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class StripeEvent(models.Model):
    """Every webhook event, stored by Stripe's id before it is handled: a duplicate
    delivery finds its row and does nothing."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    status = models.CharField(
        max_length=20, choices=StripeEventStatus.choices, default=StripeEventStatus.RECEIVED
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "received_at"], name="billing_event_status_idx")
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class Invoice(models.Model):
    """Stripe's invoices of a tenant as last fetched, for the invoice history."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invoices")
    stripe_invoice_id = models.CharField(max_length=100, unique=True)
    number = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=30)
    amount_due = models.IntegerField(default=0)
    amount_paid = models.IntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    hosted_invoice_url = models.URLField(max_length=1000, blank=True)
    invoice_pdf = models.URLField(max_length=1000, blank=True)
    payment_failed = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return self.stripe_invoice_id

    @property
    def amount_display(self) -> str:
        return money(self.amount_due, self.currency)


class SmsUsage(models.Model):
    """SMS sent by a tenant in a calendar month (UTC)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="sms_usage")
    month = models.DateField()
    sent = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    admin_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["tenant", "month"], name="billing_sms_usage_month")
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.month:%Y-%m}: {self.sent}"


class TenantUsage(models.Model):
    """What a tenant uses, counted in its own schema and kept here (public schema) so
    the operators' tenant list reads every tenant's figures in one query instead of one
    query per schema. Refreshed by ``billing.usage_refresh`` (beat) and, for agents,
    whenever the seats are synced."""

    tenant = models.OneToOneField(
        Tenant, on_delete=models.CASCADE, related_name="usage", primary_key=True
    )
    agents = models.PositiveIntegerField(_("active agents"), default=0)
    tickets = models.PositiveIntegerField(_("tickets"), default=0)
    storage_bytes = models.BigIntegerField(_("attachment storage (bytes)"), default=0)
    counted_at = models.DateTimeField(_("counted"), null=True, blank=True)

    class Meta:
        verbose_name = _("tenant usage")
        verbose_name_plural = _("tenant usage")

    def __str__(self) -> str:
        return f"usage of {self.tenant_id}"

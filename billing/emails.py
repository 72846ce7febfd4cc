"""Emails to a tenant's admins about billing, in the tenant's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from billing.models import BillingAccount
from tenants.models import Tenant


def _admin_emails(tenant: Tenant) -> list[str]:
    from ticketing.models import Agent, AgentRole

    with schema_context(tenant.schema_name):
        emails = list(
            Agent.objects.filter(role=AgentRole.ADMIN, is_active=True, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    return sorted({*emails, tenant.admin_email} - {""})


def _messages() -> dict[str, tuple[str, str]]:
    return {
        "payment_failed": (
            _("Payment failed for %(name)s"),
            _(
                "We could not collect the payment for %(name)s. Please update the card on the "
                "billing page (%(url)s). If it is not paid within %(days)s days the help desk "
                "will be paused; nothing will be deleted."
            ),
        ),
        "suspended": (
            _("%(name)s is paused: payment overdue"),
            _(
                "The help desk %(name)s is paused because a payment is overdue. Nothing has "
                "been deleted; it comes back as soon as the invoice is paid (%(url)s)."
            ),
        ),
        "reactivated": (
            _("Payment received for %(name)s"),
            _("Thank you: the payment came through and %(name)s is fully active."),
        ),
        "sms_quota": (
            _("SMS quota reached for %(name)s"),
            _(
                "%(name)s has sent all the SMS its plan includes this month. SMS are paused "
                "until next month or an upgrade (%(url)s); email notifications continue."
            ),
        ),
        "trial_ended": (
            _("The trial of %(name)s has ended"),
            _(
                "The trial has ended and %(name)s is now on the free plan. Nothing was "
                "deleted; choose a plan on the billing page (%(url)s) to add agents again."
            ),
        ),
        "upcoming": (
            _("Upcoming invoice for %(name)s"),
            _("An invoice for %(name)s will be issued soon. Details: %(url)s"),
        ),
    }


def admins_notify(*, tenant_id: int, kind: str) -> int:
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None or not BillingAccount.objects.filter(tenant_id=tenant_id).exists():
        return 0
    recipients = _admin_emails(tenant)
    scheme = "http" if settings.DEBUG else "https"
    values = {
        "name": tenant.name,
        "url": f"{scheme}://{tenant.subdomain_host}/admin-console/billing/",
        "days": settings.BILLING_GRACE_DAYS,
    }
    with translation.override(tenant.language):
        messages = _messages()
        if kind not in messages or not recipients:
            return 0
        subject, body = messages[kind]
        return send_mail(subject % values, body % values, settings.DEFAULT_FROM_EMAIL, recipients)

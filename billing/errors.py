"""Domain errors of billing, each with a stable ``code``."""

from __future__ import annotations


class BillingError(Exception):
    code = "billing_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StripeNotConfigured(BillingError):
    code = "stripe_not_configured"


class PlanUnavailable(BillingError):
    code = "plan_unavailable"


class NoSubscription(BillingError):
    code = "no_subscription"


class StripeUnavailable(BillingError):
    """Stripe could not be reached or failed; the action can be tried again."""

    code = "stripe_unavailable"


class InvalidWebhook(BillingError):
    code = "invalid_webhook"


class PlanInvalid(BillingError):
    """An operator's plan edit that would leave the plan unusable; ``field`` names the
    form field at fault ("" for the whole form)."""

    code = "plan_invalid"

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field

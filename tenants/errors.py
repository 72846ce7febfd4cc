"""Domain errors of the tenants app. Each has a stable ``code``; interfaces map them to
form errors, CLI messages or problem+json."""

from __future__ import annotations


class TenantError(Exception):
    code = "tenant_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidTenantInput(TenantError):
    code = "invalid_input"


class SlugUnavailable(TenantError):
    code = "slug_unavailable"


class DomainUnavailable(TenantError):
    code = "domain_unavailable"


class TenantNotFound(TenantError):
    code = "tenant_not_found"


class InvalidTenantTransition(TenantError):
    code = "invalid_transition"


class TemplateMissing(TenantError):
    """No schema template matches the code's migrations: run ``manage.py migrate``."""

    code = "template_missing"


class FeatureNotInPlan(TenantError):
    """The tenant's plan does not include the feature; the message says how to get it."""

    code = "feature_not_in_plan"

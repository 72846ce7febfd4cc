"""Tenants and what the platform keeps about them (public schema)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from tenants.limits import TenantLimits

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))

DEFAULT_ATTACHMENT_TYPES = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/msword",
    "application/vnd.ms-excel",
]


def default_attachment_types() -> list[str]:
    return list(DEFAULT_ATTACHMENT_TYPES)


class TenantStatus(models.TextChoices):
    PROVISIONING = "provisioning", _("Provisioning")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DELETED = "deleted", _("Deleted")


#: ``Tenant.status_reason`` of a tenant suspended for an unpaid invoice (set by billing).
#: Unlike any other suspension, its staff may still sign in and reach the billing page to
#: pay; customers see "temporarily unavailable".
SUSPENDED_FOR_BILLING = "billing: payment overdue"


class Tenant(TenantMixin):
    """A company or brand: one PostgreSQL schema with its whole helpdesk."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("display name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=TenantStatus.choices, default=TenantStatus.PROVISIONING
    )
    status_reason = models.CharField(_("status reason"), max_length=200, blank=True)
    language = models.CharField(
        _("default language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    admin_email = models.EmailField(_("first admin's email"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    #: The plan's limits, written by billing (see ``tenants.limits``); {} is no limit.
    plan_limits = models.JSONField(_("plan limits"), default=dict, blank=True)

    # Schemas are built by tenants.provisioning (DDL replay or the warm pool), never by
    # django-tenants' save() hook, and dropped only by the purge.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering: ClassVar[list[str]] = ["slug"]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def subdomain_host(self) -> str:
        return f"{self.slug}.{settings.PLATFORM_DOMAIN}"

    @property
    def limits(self) -> TenantLimits:
        return TenantLimits.from_json(self.plan_limits)

    @property
    def is_suspended_for_billing(self) -> bool:
        return self.status == TenantStatus.SUSPENDED and self.status_reason == SUSPENDED_FOR_BILLING

    @property
    def is_reachable(self) -> bool:
        return self.status == TenantStatus.ACTIVE


class Domain(DomainMixin):
    """A custom domain (``support.acme.com``) that reaches a tenant. Subdomains of the
    platform domain need no row: they are routed by slug."""

    class Meta:
        verbose_name = _("custom domain")
        verbose_name_plural = _("custom domains")


class TenantSettings(models.Model):
    """Branding and limits a tenant admin controls, with defaults that work unchanged."""

    tenant = models.OneToOneField(
        Tenant, on_delete=models.CASCADE, primary_key=True, related_name="settings"
    )
    portal_title = models.CharField(_("portal title"), max_length=200, blank=True)
    welcome_text = models.TextField(_("welcome text"), blank=True)
    logo = models.FileField(_("logo"), upload_to="tenant-logos/", blank=True)
    favicon = models.FileField(_("favicon"), upload_to="tenant-favicons/", blank=True)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#2f5bea", validators=[HEX_COLOUR]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#0f9d76", validators=[HEX_COLOUR]
    )
    max_attachment_mb = models.PositiveIntegerField(_("largest attachment (MB)"), default=20)
    allowed_attachment_types = models.JSONField(
        _("allowed attachment types"), default=default_attachment_types, blank=True
    )
    open_tickets_per_customer = models.PositiveIntegerField(
        _("open tickets per customer"),
        default=0,
        help_text=_("0 means no limit."),
    )
    idle_logout_minutes = models.PositiveIntegerField(_("idle logout (minutes)"), default=120)
    #: The ticketing system is suspended by the tenant admin: the portal shows a notice
    #: and takes no tickets, the API answers 503.
    maintenance_mode = models.BooleanField(_("maintenance mode"), default=False)
    maintenance_message = models.TextField(_("maintenance notice"), blank=True)
    require_staff_mfa = models.BooleanField(
        _("require two-factor authentication for staff"), default=False
    )
    #: Asked by the tenant admin; honoured only while the plan has ``branding_removal``
    #: (``tenants.selectors.tenant_shows_powered_by``).
    hide_powered_by = models.BooleanField(_("hide “Powered by Caseway”"), default=False)

    class Meta:
        verbose_name = _("tenant settings")
        verbose_name_plural = _("tenant settings")

    def __str__(self) -> str:
        return f"settings of {self.tenant_id}"

    @property
    def title(self) -> str:
        return self.portal_title or self.tenant.name


class SchemaTemplate(models.Model):
    """The DDL script captured from a freshly migrated template schema. ``fingerprint``
    identifies the tenant migrations it was built from; a script whose fingerprint is not
    the code's is never used."""

    fingerprint = models.CharField(max_length=64, unique=True)
    script = models.TextField()
    statement_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"schema template {self.fingerprint[:12]}"


class PooledSchema(models.Model):
    """A schema built ahead of time and waiting to be claimed by a signup."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.schema_name

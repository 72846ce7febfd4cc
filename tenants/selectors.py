"""Reads of the tenants app."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import Domain, Tenant, TenantStatus


def tenant_list(*, status: str | None = None, search: str = "") -> QuerySet[Tenant]:
    tenants = Tenant.objects.select_related("settings").prefetch_related("domains")
    if status:
        tenants = tenants.filter(status=status)
    else:
        tenants = tenants.exclude(status=TenantStatus.DELETED)
    if search:
        tenants = tenants.filter(slug__icontains=search) | tenants.filter(name__icontains=search)
    return tenants.order_by("slug")


def tenant_get(*, slug: str) -> Tenant | None:
    return Tenant.objects.select_related("settings").filter(slug=slug).first()


def tenant_custom_domains(*, tenant_id: int) -> list[Domain]:
    """This tenant's own custom domains (never another tenant's)."""
    return list(Domain.objects.filter(tenant_id=tenant_id).order_by("-is_primary", "domain"))

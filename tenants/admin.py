from typing import Any

from django.contrib import admin
from django.db import transaction

from tenants.models import Domain, Tenant, TenantSettings
from tenants.routing import routing_invalidate


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class SettingsInline(admin.StackedInline):
    model = TenantSettings
    can_delete = False


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "status", "language", "timezone", "created_at")
    list_filter = ("status", "language")
    search_fields = ("slug", "name", "admin_email")
    readonly_fields = ("schema_name", "slug", "status", "created_at", "deleted_at")
    inlines = (SettingsInline, DomainInline)

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Domains, status, branding and language are part of each process's cached route.
        transaction.on_commit(routing_invalidate)

    def has_add_permission(self, request: object) -> bool:
        return False  # tenants are provisioned by the services, never by a bare INSERT

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False

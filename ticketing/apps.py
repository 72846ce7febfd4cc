from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketingConfig(AppConfig):
    name = "ticketing"
    verbose_name = _("Ticketing")

    def ready(self) -> None:
        from tenants.config_cache import depends_on
        from tenants.hooks import on_tenant_provisioned
        from tenants.models import TenantSettings
        from ticketing.models import FormField, Priority, TicketForm
        from ticketing.services.people import first_admin_as_agent

        on_tenant_provisioned(first_admin_as_agent)
        # Cached per tenant for every new ticket: priorities, forms, the open-ticket limit.
        depends_on([Priority, TicketForm, FormField])
        depends_on([TenantSettings], schema_of=_schema_of_settings)


def _schema_of_settings(settings: Any) -> str | None:
    """Tenant settings live in the public schema; they belong to their tenant's cache."""
    from tenants.models import Tenant

    return (
        Tenant.objects.filter(pk=settings.tenant_id).values_list("schema_name", flat=True).first()
    )

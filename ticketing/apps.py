from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketingConfig(AppConfig):
    name = "ticketing"
    verbose_name = _("Ticketing")

    def ready(self) -> None:
        from tenants.hooks import on_tenant_provisioned
        from ticketing.services.people import first_admin_as_agent

        on_tenant_provisioned(first_admin_as_agent)

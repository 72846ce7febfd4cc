from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from sla import handlers
        from sla.models import SlaPolicy
        from tenants.config_cache import depends_on

        handlers.register()
        # Cached per tenant: the active policies with their conditions (sla.services).
        depends_on([SlaPolicy])

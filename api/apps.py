from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from api import handlers, openapi  # noqa: F401 - registers the schema extensions
        from api.models import WebhookSubscription
        from tenants.config_cache import depends_on

        handlers.register()
        # Cached per tenant: the active webhook subscriptions (api.webhooks).
        depends_on([WebhookSubscription])

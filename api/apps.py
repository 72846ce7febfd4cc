from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from api import handlers, openapi  # noqa: F401 - registers the schema extensions
        from api.models import ApiKey, WebhookSubscription
        from tenants.config_cache import depends_on
        from ticketing.models import Agent

        handlers.register()
        # Cached per tenant: the active webhook subscriptions (api.webhooks), and the
        # API keys with their agents and users (api.services): a key revoked, an agent
        # deactivated or given another role, a user deactivated take effect at once.
        depends_on([WebhookSubscription, ApiKey, Agent])
        depends_on([get_user_model()], ignore_update_fields={"last_login"})

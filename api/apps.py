from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from api import handlers, openapi  # noqa: F401 - registers the schema extensions
        from api.models import ApiKey, WebhookSubscription
        from api.services import api_key_cache
        from tenants.config_cache import depends_on
        from ticketing.models import Agent

        handlers.register()
        # Cached per tenant: the active webhook subscriptions (api.webhooks).
        depends_on([WebhookSubscription])
        # The API keys with their agents and users (api.services): a key revoked, an
        # agent switched off or given another role, a user switched off or renamed take
        # effect at once. New agents and users have no keys yet; a sign-in (last_login)
        # and the Django admin flag (is_staff: the agent's role decides in the API)
        # change nothing a key's request reads.
        api_key_cache.depends_on([ApiKey])
        api_key_cache.depends_on(
            [Agent, get_user_model()],
            ignore_created=True,
            ignore_update_fields={"last_login", "is_staff"},
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications import handlers
        from notifications.models import AgentSmsAlerts, NotificationSwitch, NotificationTemplate
        from tenants.config_cache import depends_on

        handlers.register()
        # Cached per tenant: the overrides of every event and the agents' SMS wishes.
        depends_on([NotificationSwitch, NotificationTemplate, AgentSmsAlerts])

from django.apps import AppConfig


class SlaTimersConfig(AppConfig):
    """The one public-schema table of the SLA engine: every tenant's next deadlines."""

    name = "sla.timers"
    label = "sla_timers"
    verbose_name = "SLA due timers"

    def ready(self) -> None:
        from sla.timers.models import timers_of_schema_delete
        from tenants.hooks import on_tenant_purged

        on_tenant_purged(timers_of_schema_delete)

from django.apps import AppConfig


class SlaTimersConfig(AppConfig):
    """The one public-schema table of the SLA engine: every tenant's next deadlines."""

    name = "sla.timers"
    label = "sla_timers"
    verbose_name = "SLA due timers"

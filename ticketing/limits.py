"""Plan limits as the core enforces them, read from ``tenant.limits`` (filled by
billing): checked before the write, under a lock on the tenant row, so a limit is never
half-crossed by two admins at once."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tenants.db import connection
from tenants.limits import TenantLimits
from tenants.models import Tenant
from ticketing.errors import PlanLimitReached


def current_limits(*, lock: bool = False) -> TenantLimits:
    """The current tenant's limits, read fresh (the routing cache may hold an older
    copy of the tenant). ``lock`` serialises limit checks of one tenant."""
    rows = Tenant.objects.filter(schema_name=connection.schema_name)
    if lock:
        rows = rows.select_for_update()
    limits = rows.values_list("plan_limits", flat=True).first()
    return TenantLimits.from_json(limits)


def check_agent_seat(*, active_agents: int) -> None:
    """Call inside the transaction that adds or reactivates an agent."""
    limits = current_limits(lock=True)
    if limits.agents is not None and active_agents >= limits.agents:
        raise PlanLimitReached(
            ngettext(
                "Your plan (%(plan)s) allows %(limit)d agent. Upgrade the plan on the "
                "billing page to add more.",
                "Your plan (%(plan)s) allows %(limit)d agents. Upgrade the plan on the "
                "billing page to add more.",
                limits.agents,
            )
            % {"plan": limits.plan_name or _("current"), "limit": limits.agents},
            field_errors={"email": [_("No free seat on your plan.")]},
        )


def check_department(*, departments: int) -> None:
    limits = current_limits(lock=True)
    if limits.departments is not None and departments >= limits.departments:
        raise PlanLimitReached(
            ngettext(
                "Your plan (%(plan)s) allows %(limit)d department. Upgrade the plan on the "
                "billing page to add more.",
                "Your plan (%(plan)s) allows %(limit)d departments. Upgrade the plan on the "
                "billing page to add more.",
                limits.departments,
            )
            % {"plan": limits.plan_name or _("current"), "limit": limits.departments},
            field_errors={"name": [_("No department left on your plan.")]},
        )

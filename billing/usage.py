"""Writes of the usage counters: each tenant's agents, tickets and attachment storage,
counted in its schema and kept in the public schema (``TenantUsage``), so that the
operators' tenant list costs one query for any number of tenants. SMS are counted as
they are sent (``SmsUsage``)."""

from __future__ import annotations

import logging

from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.models import TenantUsage
from tenants.models import Tenant, TenantStatus

logger = logging.getLogger(__name__)


def usage_count(*, tenant: Tenant) -> TenantUsage:
    """Count one tenant's usage in its schema and store it."""
    from ticketing.models import Agent, Attachment, Ticket

    with schema_context(tenant.schema_name):
        agents = Agent.objects.filter(is_active=True, user__is_active=True).count()
        tickets = Ticket.objects.count()
        storage = Attachment.objects.aggregate(total=Sum("size"))["total"] or 0
    usage, _created = TenantUsage.objects.update_or_create(
        tenant=tenant,
        defaults={
            "agents": agents,
            "tickets": tickets,
            "storage_bytes": int(storage),
            "counted_at": timezone.now(),
        },
    )
    return usage


def usage_set_agents(*, tenant_id: int, agents: int) -> None:
    """Seat changes already count the active agents: keep the figure without a recount."""
    updated = TenantUsage.objects.filter(tenant_id=tenant_id).update(agents=agents)
    if not updated:
        TenantUsage.objects.get_or_create(tenant_id=tenant_id, defaults={"agents": agents})


def usages_refresh() -> int:
    """Beat: recount every live tenant. A tenant whose schema fails is logged and
    skipped; the others are still counted."""
    counted = 0
    tenants = Tenant.objects.filter(status__in=[TenantStatus.ACTIVE, TenantStatus.SUSPENDED])
    for tenant in tenants.exclude(schema_name="public").iterator():
        try:
            usage_count(tenant=tenant)
        except Exception:
            logger.exception("could not count the usage of %s", tenant.slug)
            continue
        counted += 1
    return counted

"""Billing's hooks into the layers below it, registered in ``BillingConfig.ready``:
a new tenant starts a trial; agent changes update the seats; SMS count against the
plan's quota."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from notifications import quotas
from tenants.hooks import on_tenant_provisioned
from ticketing import agent_events

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Tenant


def start_trial(tenant: Tenant, admin: User) -> None:
    from billing.services import account_start_trial

    account_start_trial(tenant=tenant)


def seats_changed(event: agent_events.SeatsChanged) -> None:
    """After the agent change committed: enqueue the quantity update."""
    from billing.services import _enqueue
    from tenants.models import Tenant

    tenant_id = (
        Tenant.objects.filter(schema_name=event.schema_name).values_list("pk", flat=True).first()
    )
    if tenant_id is not None:
        _enqueue("billing.sync_seats", tenant_id, event.change_id or uuid.uuid4().hex)


def sms_allowed(schema_name: str) -> bool:
    from billing.services import sms_allowed as allowed

    return allowed(schema_name=schema_name)


def sms_sent(schema_name: str) -> None:
    from billing.services import sms_record_sent

    sms_record_sent(schema_name=schema_name)


def register() -> None:
    on_tenant_provisioned(start_trial)
    agent_events.subscribe_seats_changed(seats_changed)
    quotas.register(allowed=sms_allowed, sent=sms_sent)

"""Hooks for apps above the platform: they add to a new tenant's schema (the ticketing
core makes the first admin an agent) or clean up after a purged one (the SLA's timers).
Registered in ``AppConfig.ready``; run inside the provisioning or purge transaction, so
a failing hook leaves no half-done tenant behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Tenant

ProvisionedHook = Callable[["Tenant", "User"], None]
PurgedHook = Callable[[str], None]

_provisioned: list[ProvisionedHook] = []
_purged: list[PurgedHook] = []


def on_tenant_provisioned(hook: ProvisionedHook) -> ProvisionedHook:
    if hook not in _provisioned:
        _provisioned.append(hook)
    return hook


def run_provisioned_hooks(tenant: Tenant, admin: User) -> None:
    for hook in _provisioned:
        hook(tenant, admin)


def on_tenant_purged(hook: PurgedHook) -> PurgedHook:
    """Run with the schema name, in the purge transaction, to drop what the platform
    keeps about the tenant outside its schema (the SLA's due timers)."""
    if hook not in _purged:
        _purged.append(hook)
    return hook


def run_purged_hooks(schema_name: str) -> None:
    for hook in _purged:
        hook(schema_name)

"""Hooks for apps above the platform that must add to a new tenant's schema (the
ticketing core makes the first admin an agent). Registered in ``AppConfig.ready``; run
inside the provisioning transaction, in the new tenant's schema, so a failing hook
leaves no tenant behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Tenant

ProvisionedHook = Callable[["Tenant", "User"], None]

_provisioned: list[ProvisionedHook] = []


def on_tenant_provisioned(hook: ProvisionedHook) -> ProvisionedHook:
    if hook not in _provisioned:
        _provisioned.append(hook)
    return hook


def run_provisioned_hooks(tenant: Tenant, admin: User) -> None:
    for hook in _provisioned:
        hook(tenant, admin)

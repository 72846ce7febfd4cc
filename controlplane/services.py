"""Writes of the platform layer: the operators' gateway settings."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from controlplane.gateways import gateway_cache_clear
from controlplane.models import GatewaySettings
from controlplane.secrets import secret_encrypt

#: Fields stored encrypted and never shown back.
SECRET_FIELDS = ("smtp_password", "kavenegar_api_key", "s3_secret_access_key")


def gateway_settings_current() -> GatewaySettings:
    settings, _created = GatewaySettings.objects.get_or_create(pk=1)
    return settings


def gateway_settings_update(
    *, actor: Any, values: dict[str, Any], secrets: dict[str, str]
) -> dict[str, tuple[str, str]]:
    """Save the operators' gateway settings. ``values``: plain fields to set;
    ``secrets``: secret fields to replace ("" removes one; a field not given is kept).
    Returns the audit changes, secrets only as "set"/"changed"/"removed". Every process
    reads the new settings after commit (the platform cache entry is dropped)."""
    with transaction.atomic():
        GatewaySettings.objects.get_or_create(pk=1)
        current = GatewaySettings.objects.select_for_update().get(pk=1)
        changes: dict[str, tuple[str, str]] = {}
        for name, value in values.items():
            before = getattr(current, name)
            if before != value:
                changes[name] = ("" if before is None else str(before), str(value or ""))
                setattr(current, name, value)
        for name, plain in secrets.items():
            if name not in SECRET_FIELDS:
                raise ValueError(f"{name} is not a secret field")
            had = bool(getattr(current, name))
            if not plain and not had:
                continue
            setattr(current, name, secret_encrypt(plain))
            changes[name] = (
                "set" if had else "",
                ("changed" if had else "set") if plain else "removed",
            )
        current.updated_by = actor if getattr(actor, "is_authenticated", False) else None
        current.save()
        transaction.on_commit(gateway_cache_clear)
    gateway_cache_clear()  # this process at once (and any reader before the commit)
    return changes

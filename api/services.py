"""API keys: create (secret shown once), authenticate, revoke."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiKey, ApiScope
from ticketing import permissions
from ticketing.errors import InvalidInput
from ticketing.models import Agent

KEY_PREFIX = "cw_"


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    #: The full secret, returned once and never stored.
    secret: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_create(
    *,
    actor: Agent,
    name: str,
    scopes: list[str],
    agent: Agent | None = None,
    expires_at: datetime | None = None,
) -> CreatedKey:
    """Tenant admins create keys; a key acts as ``agent`` (default: its creator)."""
    permissions.require_admin(actor)
    unknown = set(scopes) - set(ApiScope.values)
    if not scopes or unknown:
        raise InvalidInput(
            _("Choose scopes among read, write and admin."),
            field_errors={"scopes": [_("Choose scopes among read, write and admin.")]},
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput(
            _("The expiry must be in the future."),
            field_errors={"expires_at": [_("The expiry must be in the future.")]},
        )
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name.strip() or prefix,
        prefix=prefix,
        secret_hash=_hash(secret),
        scopes=sorted(set(scopes)),
        agent=agent or actor,
        expires_at=expires_at,
    )
    return CreatedKey(key=key, secret=secret)


def api_key_authenticate(secret: str) -> ApiKey | None:
    """The active key for this secret, or None. Constant-time comparison."""
    if not secret.startswith(KEY_PREFIX) or secret.count("_") < 2:
        return None
    prefix = secret[len(KEY_PREFIX) :].split("_", 1)[0]
    key = ApiKey.objects.select_related("agent__user").filter(prefix=prefix).first()
    if key is None or not secrets.compare_digest(key.secret_hash, _hash(secret)):
        return None
    now = timezone.now()
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        return None
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)  # at most once a minute
    return key


def api_key_revoke(*, actor: Agent, key: ApiKey) -> ApiKey:
    permissions.require_admin(actor)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key

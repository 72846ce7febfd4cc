"""API keys: create (secret shown once), authenticate, revoke."""

from __future__ import annotations

import hashlib
import pickle
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiKey, ApiScope
from tenants.config_cache import TenantConfigCache
from ticketing import permissions
from ticketing.errors import InvalidInput
from ticketing.models import Agent

KEY_PREFIX = "cw_"
#: A tenant with more unrevoked keys than this reads each request's key from the
#: database: the cache holds all of a tenant's keys at once, so it must stay small.
CACHED_KEYS_LIMIT = 200
#: Seconds between writes of a key's last-used time.
LAST_USED_WRITE_SECONDS = 60

#: The tenant's keys with their agents and users; ``api.apps`` names what drops it.
api_key_cache = TenantConfigCache("api-keys")


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


def _cached_keys() -> dict[str, bytes] | None:
    """The tenant's unrevoked keys by prefix, each pickled with its agent and user, or
    None when the tenant has too many. Cached per tenant in the process (see
    ``api.apps``: saving or deleting a key, or changing an agent or a user, drops it at
    once here and within ``TENANT_CONFIG_RECHECK_SECONDS`` in other processes; a
    transaction that did so reads around it until it ends). Pickled, so each
    request gets its own instances: nothing one request sets on its agent reaches the
    next."""

    def load() -> dict[str, bytes] | None:
        keys = list(
            ApiKey.objects.select_related("agent__user")
            .filter(revoked_at__isnull=True)
            .order_by()[: CACHED_KEYS_LIMIT + 1]
        )
        if len(keys) > CACHED_KEYS_LIMIT:
            return None
        return {key.prefix: pickle.dumps(key) for key in keys}

    cached: dict[str, bytes] | None = api_key_cache.get("keys", load)
    return cached


def _key_of(prefix: str) -> ApiKey | None:
    keys = _cached_keys()
    if keys is not None and prefix in keys:
        key: ApiKey = pickle.loads(keys[prefix])  # noqa: S301 - our own bytes, never input
        return key
    # Not cached (a tenant with many keys, or a key created in another process since
    # this one last checked): the database decides.
    return ApiKey.objects.select_related("agent__user").filter(prefix=prefix).first()


def api_key_authenticate(secret: str) -> ApiKey | None:
    """The active key for this secret, or None. Constant-time comparison."""
    if not secret.startswith(KEY_PREFIX) or secret.count("_") < 2:
        return None
    prefix = secret[len(KEY_PREFIX) :].split("_", 1)[0]
    key = _key_of(prefix)
    if key is None or not secrets.compare_digest(key.secret_hash, _hash(secret)):
        return None
    now = timezone.now()
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        return None
    last_used = key.last_used_at
    if last_used is None or (now - last_used).total_seconds() > LAST_USED_WRITE_SECONDS:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)  # at most once a minute
        key.last_used_at = now
        keys = _cached_keys()
        if keys is not None and prefix in keys:
            # The cached copy learns the time too, or every later request would write.
            keys[prefix] = pickle.dumps(key)
    return key


def api_key_revoke(*, actor: Agent, key: ApiKey) -> ApiKey:
    permissions.require_admin(actor)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key

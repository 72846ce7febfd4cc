"""Signing the new admin in on their tenant's host right after signup.

Session cookies belong to one host, so the platform cannot sign anyone in on
``<slug>.<platform>``. Signup hands over a short-lived signed token instead; the tenant
host checks it (right schema, not expired, used once) and starts the session there.
"""

from __future__ import annotations

import secrets

from django.core import signing
from django.core.cache import cache

SALT = "caseway.signup-handoff"
MAX_AGE_SECONDS = 600


def handoff_token(*, schema_name: str, user_id: int) -> str:
    payload = {"s": schema_name, "u": user_id, "n": secrets.token_urlsafe(12)}
    return signing.dumps(payload, salt=SALT)


def handoff_redeem(token: str, *, schema_name: str) -> int | None:
    """The user id the token names, once, on the schema it was made for; else None."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if payload.get("s") != schema_name or not isinstance(payload.get("u"), int):
        return None
    if not cache.add(f"signup-handoff:{payload.get('n')}", 1, MAX_AGE_SECONDS):
        return None  # already used
    return int(payload["u"])

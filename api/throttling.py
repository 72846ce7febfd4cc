"""Rate limits per API key (or signed-in user) and per client IP, in Redis.

Fixed windows: a counter per identity and window, ``INCR`` then ``EXPIRE`` when it is new.
Both limits are counted by one Lua script, atomically and in one round trip (DRF's
``SimpleRateThrottle`` keeps every request's timestamp and needs a read and a write per
limit; a ``MULTI``/``EXEC`` pipeline took six replies to parse). Keys go through
the tenant-scoped cache key function, so tenant A's traffic never counts against
tenant B. A refused request learns when the window ends (``Retry-After``). A window
allows up to twice the rate across its edge; that is the price of one counter.
If Redis cannot be reached the request is let through (and logged): a rate limit is
not worth a 500.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any, ClassVar

from django.core.cache import cache
from redis.commands.core import Script
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from api.models import ApiKey
from tenants.redis_clients import redis_write_client

logger = logging.getLogger(__name__)

DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

#: KEYS: the counters; ARGV: each one's lifetime in seconds. Returns the counts.
COUNT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[i]) end
end
return counts
"""
#: Sent by its SHA1 (``EVALSHA``); redis-py loads it on the first NOSCRIPT reply.
#: Bytes: no client is needed to encode it (the client is given with each call).
_count_script = Script(None, COUNT_SCRIPT.encode())


def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/min"`` → (600 requests, 60 seconds); ``"5/10s"`` is not supported."""
    count, period = rate.split("/")
    return int(count), DURATIONS[period.strip()[0]]


def _client_ip(request: Request) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


class ApiRateThrottle(BaseThrottle):
    """Both API limits (``api_key`` and ``api_ip`` rates) in one Redis round trip."""

    #: Read when a request is checked (tests lower them).
    RATES: ClassVar[dict[str, str | None]] = api_settings.DEFAULT_THROTTLE_RATES

    def __init__(self) -> None:
        self._wait: float | None = None

    def _identities(self, request: Request) -> list[tuple[str, str]]:
        identities = [("api_ip", _client_ip(request))]
        if isinstance(request.auth, ApiKey):
            identities.append(("api_key", f"key:{request.auth.prefix}"))
        elif request.user and request.user.is_authenticated:
            identities.append(("api_key", f"user:{request.user.pk}"))
        return identities

    def allow_request(self, request: Request, view: Any) -> bool:
        now = time.time()
        counters: list[tuple[str, int, int, float]] = []
        for scope, ident in self._identities(request):
            rate = self.RATES.get(scope)
            if not rate:
                continue
            limit, window = parse_rate(rate)
            index = int(now // window)
            key = cache.make_key(f"throttle:{scope}:{window}:{index}:{ident}")
            counters.append((key, limit, window, (index + 1) * window - now))
        if not counters:
            return True
        try:
            counts = _count_script(
                keys=[key for key, _limit, _window, _left in counters],
                args=[window + 1 for _key, _limit, window, _left in counters],
                client=redis_write_client(cache),
            )
        except Exception:
            logger.warning("rate limit counters unavailable; request let through", exc_info=True)
            return True
        waits = [
            left
            for (_key, limit, _window, left), count in zip(counters, counts, strict=True)
            if int(count) > limit
        ]
        if waits:
            self._wait = max(waits)
            return False
        return True

    def wait(self) -> float | None:
        return math.ceil(self._wait) if self._wait is not None else None

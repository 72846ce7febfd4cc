"""One redis-py client per Django cache backend, for commands the cache API lacks.

``RedisCache`` builds a new ``redis.Redis`` (and its table of ~170 response callbacks)
on every call to ``get_client()``, which costs more than the round trip it is built for.
The client kept here shares the backend's connection pool, so it is as safe across
threads as the backend itself.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import BaseCache

_ATTRIBUTE = "_caseway_write_client"


def redis_write_client(cache: BaseCache) -> Any | None:
    """The kept client of ``cache``'s Redis backend, or None if it is not Redis."""
    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        return None
    client = backend.__dict__.get(_ATTRIBUTE)
    if client is None:
        client = backend.get_client(write=True)
        backend.__dict__[_ATTRIBUTE] = client
    return client

"""Fixed-window counters in a cache (signups per IP, wrong passwords per address)."""

from __future__ import annotations

from typing import Any


def count_in_window(cache: Any, key: str, seconds: int) -> int:
    """Add one to ``key`` and return the count since the window opened."""
    cache.add(key, 0, seconds)
    try:
        return int(cache.incr(key))
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, seconds)
        return 1

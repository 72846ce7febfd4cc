"""Run code on other database connections, in threads released together: what two
agents, two workers or a dying worker do at the same moment, on committed data."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.db import connections

from tenants.db import connection
from tenants.models import Tenant

THREAD_TIMEOUT = 30
T = TypeVar("T")


def at_once(tenant: Tenant, *calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` in parallel threads, released together; each result is the return
    value or the exception raised. Each thread has its own connection (Django keeps one
    per thread), in autocommit mode like a web worker's, closed when the thread ends."""
    barrier = threading.Barrier(len(calls), timeout=THREAD_TIMEOUT)
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            connection.set_tenant(tenant)  # as the routing middleware does for a request
            barrier.wait()
            results[index] = call()
        except BaseException as raised:
            results[index] = raised
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(index, call), daemon=True)
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return results


def committed_by(tenant: Tenant, call: Callable[[], T]) -> T:
    """``call`` on a connection of its own, committed at once."""
    [result] = at_once(tenant, call)
    if isinstance(result, BaseException):
        raise result
    return cast(T, result)

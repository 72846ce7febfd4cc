"""``/healthz`` (the process is alive) and ``/readyz`` (PostgreSQL and Redis answer, and
the tenant schema template matches this code's migrations, so signups can provision).

Answered before tenant routing, on every host, so a load balancer can probe any name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from tenants.provisioning.template import template_is_current

logger = logging.getLogger(__name__)


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any failure means "not ready"
        logger.warning("readyz: database unavailable: %s", error)
        return "unavailable"
    return None


def _check_provisioning() -> str | None:
    try:
        current = template_is_current()
    except Exception as error:
        logger.warning("readyz: cannot read the schema template: %s", error)
        return "unavailable"
    return None if current else "stale: run manage.py migrate"


def _check_redis() -> str | None:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
        client.ping()
    except redis.RedisError as error:
        logger.warning("readyz: redis unavailable: %s", error)
        return "unavailable"
    return None


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            database = _check_database()
            checks = {
                "database": database,
                "redis": _check_redis(),
                "provisioning": database or _check_provisioning(),
            }
            ready = all(result is None for result in checks.values())
            body = {
                "status": "ok" if ready else "unavailable",
                "checks": {name: result or "ok" for name, result in checks.items()},
            }
            return JsonResponse(body, status=200 if ready else 503)
        return self.get_response(request)

"""Host → tenant routing with an in-process cache.

Every request names a host. The platform's own hosts serve the public schema; a
``<slug>.<PLATFORM_DOMAIN>`` host or a custom domain serves that tenant's schema. The
look-up result is cached in the process; any change of a tenant's domains or status
calls ``routing_invalidate``, which clears this process's cache at once and bumps a
generation number in Redis that other processes check every
``TENANT_ROUTING_RECHECK_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import set_urlconf
from django.utils import translation

from tenants.db import connection
from tenants.models import Domain, Tenant, TenantStatus

logger = logging.getLogger(__name__)

GENERATION_KEY = "tenants:routing-generation"


@dataclass(frozen=True)
class Route:
    """Where a host leads. ``tenant`` is None for the platform's own hosts."""

    tenant: Tenant | None

    @property
    def is_platform(self) -> bool:
        return self.tenant is None


PLATFORM_ROUTE = Route(tenant=None)


def _lookup(host: str) -> Route | None:
    if host in settings.PLATFORM_HOSTS:
        return PLATFORM_ROUTE
    suffix = "." + settings.PLATFORM_DOMAIN
    tenants = Tenant.objects.select_related("settings").exclude(status=TenantStatus.DELETED)
    if host.endswith(suffix):
        slug = host[: -len(suffix)]
        if "." in slug:
            return None
        tenant = tenants.filter(slug=slug).first()
    else:
        domain = Domain.objects.filter(domain=host).select_related("tenant__settings").first()
        tenant = domain.tenant if domain and domain.tenant.status != TenantStatus.DELETED else None
    return Route(tenant=tenant) if tenant else None


class HostRouter:
    """Per-process cache of host look-ups (negative answers too)."""

    def __init__(self) -> None:
        self._routes: dict[str, Route | None] = {}
        self._generation: str | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def resolve(self, host: str) -> Route | None:
        self._recheck_generation()
        try:
            return self._routes[host]
        except KeyError:
            pass
        route = _lookup(host)
        with self._lock:
            if len(self._routes) > 10_000:  # unbounded hosts must not grow memory
                self._routes.clear()
            self._routes[host] = route
        return route

    def clear(self) -> None:
        with self._lock:
            self._routes.clear()

    def _recheck_generation(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < settings.TENANT_ROUTING_RECHECK_SECONDS:
            return
        self._checked_at = now
        try:
            generation = caches["platform"].get(GENERATION_KEY)
        except Exception:  # Redis down: keep serving, re-check soon
            logger.warning("routing generation unavailable; keeping cached routes")
            return
        if generation != self._generation:
            self._generation = generation
            self.clear()


router = HostRouter()


def routing_invalidate() -> None:
    """Forget cached routes here and, within a recheck interval, everywhere."""
    router.clear()
    try:
        caches["platform"].set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.warning("could not publish routing generation; other processes rely on recheck")


def request_host(request: HttpRequest) -> str:
    """The host name without port, lowercased; '' if the header is unusable."""
    raw = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    host = raw.strip().lower()
    if host.startswith("["):  # IPv6 literal
        return host.split("]")[0] + "]"
    return host.split(":")[0].rstrip(".")


class TenantRoutingMiddleware:
    """Select the schema and URL conf for the request's host, or answer for the host."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        route = router.resolve(request_host(request))
        if route is None:
            connection.set_schema_to_public()
            return _render_error(request, "errors/unknown_host.html", status=404)
        if route.tenant is None:
            if connection.schema_name != "public":
                connection.set_schema_to_public()
            # django-tenants' helpers (admin templates among them) expect a tenant-like
            # object with schema_name "public" on platform requests.
            request.tenant = connection.tenant  # type: ignore[attr-defined]
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            return self.get_response(request)
        tenant = route.tenant
        if tenant.is_suspended_for_billing:
            # Staff must still sign in and pay; the suspension gate (after
            # authentication, in frontend) decides what each person sees.
            request.tenant_suspended_for_billing = True  # type: ignore[attr-defined]
        elif tenant.status != TenantStatus.ACTIVE:
            connection.set_schema_to_public()
            return _render_error(
                request, "errors/tenant_unavailable.html", status=503, tenant=tenant
            )
        # set_tenant() forces a new SET search_path; skip it when this connection
        # already serves this tenant (the common case with persistent connections).
        if connection.tenant is not tenant:
            connection.set_tenant(tenant)
        request.tenant = tenant  # type: ignore[attr-defined]
        return self.get_response(request)


def _render_error(
    request: HttpRequest, template: str, *, status: int, tenant: Tenant | None = None
) -> HttpResponse:
    language = translation.get_language_from_request(request)
    if tenant is not None and "HTTP_ACCEPT_LANGUAGE" not in request.META:
        language = tenant.language
    with translation.override(language):
        response = render(request, template, {"tenant": tenant}, status=status)
    if status == 503:
        response["Retry-After"] = "300"
    response["Cache-Control"] = "no-store"
    return response

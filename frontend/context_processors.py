"""What every page template can use: the CSP nonce, the branding of the host, and the
signed-in person's role on a tenant host."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from frontend.banners import page_banners
from frontend.base_views import is_platform_request
from tenants.services import tenant_shows_powered_by
from ticketing.permissions import active_agent


def page(request: HttpRequest) -> dict[str, Any]:
    platform = is_platform_request(request)
    tenant = None if platform else request.tenant  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "csp_nonce": getattr(request, "csp_nonce", ""),
        "is_platform_host": platform,
        "tenant": tenant,
        "branding": getattr(tenant, "settings", None),
        # The layout allauth's account pages sit in (see templates/allauth/layouts).
        "page_layout": "layouts/public.html" if platform else "layouts/portal.html",
        "page_banners": page_banners(request),
        # Only when the tenant asked for it and its plan has branding removal.
        "hide_powered_by": tenant is not None and not tenant_shows_powered_by(tenant),
    }
    if not platform:
        context["staff_agent"] = _LazyAgent(request)
    return context


class _LazyAgent:
    """The signed-in user's agent record, looked up only if a template asks."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request
        self._loaded = False
        self._agent: Any = None

    def _get(self) -> Any:
        if not self._loaded:
            self._agent = getattr(self._request, "agent", None) or active_agent(self._request.user)
            self._loaded = True
        return self._agent

    def __bool__(self) -> bool:
        return self._get() is not None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)

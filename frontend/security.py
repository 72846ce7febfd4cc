"""Page-level security: a Content-Security-Policy with a per-request nonce, and idle
sessions that end after the tenant's idle timeout.

Scripts and styles come from this origin only; the one inline ``<style>`` (the tenant's
brand colours) carries the nonce. Nothing is loaded from a CDN.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

IDLE_SESSION_KEY = "caseway_last_seen"
#: Seconds between writes of the last-seen time: a session is not saved on every request.
IDLE_TOUCH_SECONDS = 60


def content_security_policy(nonce: str) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": f"'self' 'nonce-{nonce}'",
        "img-src": "'self' data: blob: https:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'none'",
        # Checkout and the billing portal are redirects to the payment provider.
        "form-action": "'self' https:" + (" http:" if settings.DEBUG else ""),
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(nonce)
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


def idle_timeout_seconds(request: HttpRequest) -> int | None:
    tenant_settings = getattr(getattr(request, "tenant", None), "settings", None)
    minutes = getattr(tenant_settings, "idle_logout_minutes", None)
    if not minutes:
        return None
    return int(minutes) * 60


class IdleSessionMiddleware:
    """Signs a user out once they have been idle longer than the tenant allows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            limit = idle_timeout_seconds(request)
            now = time.time()
            last_seen = request.session.get(IDLE_SESSION_KEY)
            if limit and last_seen is not None and now - float(last_seen) > limit:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
            elif last_seen is None or now - float(last_seen) > IDLE_TOUCH_SECONDS:
                request.session[IDLE_SESSION_KEY] = now
        return self.get_response(request)

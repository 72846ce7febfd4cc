"""Language and time zone of each request: the person's own choice first (their saved
preference when signed in, else the language switcher's cookie), then the tenant's
default; dates are shown in the viewer's time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.views.i18n import set_language as django_set_language

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    code = code.lower()
    for candidate in (code, code.split("-")[0]):
        for supported in SUPPORTED:
            if supported.lower() == candidate:
                return supported
    if code.startswith("zh"):
        return "zh-hans"
    return None


def preferred_language(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and (own := _supported(user.language)):
        return own
    if cookie := _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)):
        return cookie
    tenant = getattr(request, "tenant", None)
    if tenant is not None and tenant.schema_name != "public":
        return _supported(getattr(tenant, "language", None))
    return None


def preferred_timezone(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.timezone:
        return str(user.timezone)
    tenant = getattr(request, "tenant", None)
    if tenant is not None and tenant.schema_name != "public":
        return getattr(tenant, "timezone", None)
    return None


class PreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = preferred_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        zone = preferred_timezone(request)
        try:
            if zone:
                timezone.activate(zoneinfo.ZoneInfo(zone))
            response = self.get_response(request)
        except zoneinfo.ZoneInfoNotFoundError:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        if language:
            response.headers.setdefault("Content-Language", language)
        return response


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and for a signed-in person their saved preference too."""
    response = django_set_language(request)
    chosen = _supported(request.POST.get("language"))
    user = getattr(request, "user", None)
    if chosen and user is not None and user.is_authenticated and user.language != chosen:
        user.language = chosen
        user.save(update_fields=["language"])
    return response

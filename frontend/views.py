"""Pages available before the portal and console issues: the platform's landing page
and each tenant's portal home."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def platform_home(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/platform_home.html")


def portal_home(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/portal_home.html", {"tenant": request.tenant})  # type: ignore[attr-defined]

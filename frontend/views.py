"""Error pages for both kinds of host (problem+json under /api/)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _wants_problem(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _problem(status: int, title: str, code: str) -> HttpResponse:
    import json

    body = {
        "type": f"https://caseway.dev/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
    }
    return HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_problem(request):
        return _problem(404, str(_("Not found.")), "not_found")
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_problem(request):
        return _problem(403, str(_("You do not have permission to do this.")), "permission_denied")
    return render(request, "403.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_problem(request):
        return _problem(400, str(_("Bad request.")), "bad_request")
    return render(request, "404.html", status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_problem(request):
        return _problem(500, "Internal error; it has been logged.", "server_error")
    return render(request, "500.html", status=500)

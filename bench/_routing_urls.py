"""URL conf of ``bench/routing.py``: one view that answers without touching the database."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"pong", content_type="text/plain")


urlpatterns = [path("bench/ping", ping)]

"""What people see while a tenant is suspended for an unpaid invoice.

The host router lets such a tenant's requests through (marked
``request.tenant_suspended_for_billing``) so that its staff can still sign in and pay;
this middleware, after authentication, answers everything else with 503:

- customers and visitors: the plain "temporarily unavailable" page (no billing detail);
- staff: "billing problem — update the payment method", with the link to the billing
  page for admins, who may open that page (and only that page);
- the API: 503 problem+json.

A suspension by an operator, and maintenance mode, are not handled here: the router
answers the first for everyone, the portal and API the second.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ticketing.permissions import active_agent

BILLING_PAGE = "/admin-console/billing/"
#: Sign-in, sign-out, two-factor and the language switch work for everyone.
OPEN_PREFIXES = ("/accounts/", "/i18n/")


class BillingSuspensionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not getattr(request, "tenant_suspended_for_billing", False):
            return self.get_response(request)
        path = request.path
        if path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        if path.startswith("/api/"):
            return _api_unavailable()
        user = getattr(request, "user", None)
        agent = active_agent(user) if user is not None and user.is_authenticated else None
        if agent is not None and agent.is_admin and path.startswith(BILLING_PAGE):
            return self.get_response(request)
        tenant = request.tenant  # type: ignore[attr-defined]
        if agent is None:
            response = render(
                request, "errors/tenant_unavailable.html", {"tenant": tenant}, status=503
            )
        else:
            response = render(
                request,
                "errors/tenant_billing_suspended.html",
                {"tenant": tenant, "is_admin": agent.is_admin, "billing_page": BILLING_PAGE},
                status=503,
            )
        response["Retry-After"] = "300"
        response["Cache-Control"] = "no-store"
        return response


def _api_unavailable() -> HttpResponse:
    body = {
        "type": "https://caseway.dev/problems/tenant_unavailable",
        "title": _("Service unavailable"),
        "status": 503,
        "code": "tenant_unavailable",
        "detail": _("This help desk is temporarily unavailable. Try again later."),
    }
    response = HttpResponse(json.dumps(body), status=503, content_type="application/problem+json")
    response["Retry-After"] = "300"
    return response

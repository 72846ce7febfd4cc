"""The HTTPS endpoint a mail provider posts raw MIME to (platform host), authenticated
by a shared secret."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications.inbound.process import inbound_receive


@csrf_exempt
@require_POST
def inbound_email(request: HttpRequest) -> HttpResponse:
    secret = settings.INBOUND_EMAIL_SECRET
    given = request.headers.get("X-Caseway-Inbound-Secret", "")
    if not secret or not hmac.compare_digest(secret, given):
        return JsonResponse(
            {"title": "Unknown or missing secret.", "status": 403},
            status=403,
            content_type="application/problem+json",
        )
    recipients = [r.strip() for r in request.GET.getlist("recipient") if r.strip()]
    if not recipients or not request.body:
        return JsonResponse(
            {"title": "Send the raw message as the body and ?recipient=…", "status": 400},
            status=400,
            content_type="application/problem+json",
        )
    if len(request.body) > settings.INBOUND_MAX_MESSAGE_BYTES:
        return JsonResponse(
            {"title": "Message too large.", "status": 413},
            status=413,
            content_type="application/problem+json",
        )
    results = inbound_receive(raw=request.body, recipients=recipients)
    if not results:
        return JsonResponse(
            {"title": "No help desk at these addresses.", "status": 404},
            status=404,
            content_type="application/problem+json",
        )
    body = [
        {"tenant": r.schema_name, "status": r.status, "ticket": r.ticket_number} for r in results
    ]
    return HttpResponse(
        json.dumps({"delivered": body}), status=202, content_type="application/json"
    )

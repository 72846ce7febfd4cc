"""Stripe's webhook endpoint on the platform host. Stripe sees 200 for every event we
stored (new or duplicate) and 400 for one we cannot verify, so it retries only those
it should."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.errors import InvalidWebhook
from billing.services import stripe_event_receive

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event, created = stripe_event_receive(payload=request.body, signature=signature)
    except InvalidWebhook as error:
        logger.warning("refused a Stripe webhook: %s", error)
        return JsonResponse({"error": error.code}, status=400)
    return JsonResponse({"received": event.event_id, "duplicate": not created})

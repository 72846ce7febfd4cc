"""Billing fixtures: localstripe (session), the shim in front of it, the webhook sink,
Stripe settings pointing at them, and helpers to deliver signed events."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import stripe
from django.conf import settings
from django.test import Client

from billing.models import BillingAccount, Plan
from tests.billing.stripe_servers import LocalStripe, StripeShim, WebhookSink

SECRET_KEY = "sk_test_caseway"
WEBHOOK_SECRET = "whsec_test_caseway"
WEBHOOK_PATH = "/billing/stripe/webhook/"


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    server = LocalStripe()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def stripe_shim(localstripe: LocalStripe) -> Iterator[StripeShim]:
    shim = StripeShim(localstripe)
    yield shim
    shim.stop()


@pytest.fixture(scope="session")
def webhook_sink(localstripe: LocalStripe) -> Iterator[WebhookSink]:
    sink = WebhookSink()
    localstripe.post("/_config/webhooks/caseway", {"url": sink.url, "secret": WEBHOOK_SECRET})
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def stripe_prices(localstripe: LocalStripe) -> dict[str, str]:
    """The seeded plans' Stripe price ids, created in localstripe as legacy Plans."""
    product = localstripe.post("/v1/products", {"name": "Caseway"})
    prices = {}
    for code, amount in (("team", 1500), ("business", 3900)):
        price_id = f"caseway-{code}-monthly"
        localstripe.post(
            "/v1/plans",
            {
                "id": price_id,
                "amount": amount,
                "currency": "usd",
                "interval": "month",
                "product": product["id"],
            },
        )
        prices[code] = price_id
    return prices


@pytest.fixture
def stripe_on(
    settings: Any,
    stripe_shim: StripeShim,
    stripe_prices: dict[str, str],
    webhook_sink: WebhookSink,
) -> StripeShim:
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = stripe_shim.url
    settings.STRIPE_NETWORK_RETRIES = 0
    stripe_shim.fail_next = 0
    webhook_sink.clear()
    return stripe_shim


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks run inline when enqueued (after the commit the test captures)."""
    from controlplane.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def signed(
    payload: dict[str, Any] | bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None
) -> tuple[bytes, str]:
    """A payload and its ``Stripe-Signature``, made by the stripe library's own code."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    timestamp = at if at is not None else int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body.decode()}", secret)
    return body, f"t={timestamp},v1={signature}"


def event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:20]}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": obj},
    }


def deliver(body: bytes, signature: str) -> Any:
    return Client().post(
        WEBHOOK_PATH,
        data=body,
        content_type="application/json",
        HTTP_HOST=settings.PLATFORM_DOMAIN,
        HTTP_STRIPE_SIGNATURE=signature,
    )


def plan(code: str) -> Plan:
    return Plan.objects.get(code=code)


def account_of(tenant: Any) -> BillingAccount:
    return BillingAccount.objects.select_related("plan", "tenant").get(tenant=tenant)

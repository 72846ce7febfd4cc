"""The only module that talks to Stripe. Every call carries an idempotency key, none is
made inside a database transaction, and the API base is a setting so tests and
development can point it at a local Stripe test server (localstripe)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import stripe
from django.conf import settings
from django.db import connection

from billing.errors import BillingError, StripeNotConfigured, StripeUnavailable

P = ParamSpec("P")
R = TypeVar("R")

StripeData = dict[str, Any]


def configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def client() -> stripe.StripeClient:
    if not configured():
        raise StripeNotConfigured("Stripe is not configured on this platform.")
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,  # type: ignore[arg-type]
        # Stripe's own retries reuse the idempotency key, so a retried POST is safe.
        max_network_retries=settings.STRIPE_NETWORK_RETRIES,
    )


def idempotency_key(*parts: object) -> str:
    return "caseway-" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:40]


def in_transaction() -> bool:
    """True inside one of our transactions; the atomic blocks a test case wraps each
    test in do not count, so tests catch a Stripe call made inside a service's."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _stripe_call(function: Callable[P, R]) -> Callable[P, R]:
    """Map Stripe's errors to ours; refuse to run inside a transaction."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if in_transaction():
            raise RuntimeError(f"Stripe call {function.__name__} inside a database transaction")
        try:
            return function(*args, **kwargs)
        except (stripe.APIConnectionError, stripe.RateLimitError) as error:
            raise StripeUnavailable(str(error)) from error
        except stripe.APIError as error:
            raise StripeUnavailable(str(error)) from error
        except stripe.StripeError as error:
            status = getattr(error, "http_status", None) or 0
            if status >= 500:
                raise StripeUnavailable(str(error)) from error
            raise BillingError(str(error.user_message or error)) from error

    return wrapper


def _data(obj: Any) -> StripeData:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


@_stripe_call
def customer_create(*, schema_name: str, name: str, email: str, tenant_id: int) -> str:
    customer = client().v1.customers.create(
        params={
            "name": name,
            "email": email,
            "metadata": {"tenant_id": str(tenant_id), "schema_name": schema_name},
        },
        options={"idempotency_key": idempotency_key("customer", tenant_id, schema_name)},
    )
    return str(customer.id)


@_stripe_call
def checkout_session_create(
    *,
    customer_id: str,
    price_id: str,
    quantity: int,
    tenant_id: int,
    success_url: str,
    cancel_url: str,
    nonce: str,
) -> StripeData:
    session = client().v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": customer_id,
            "client_reference_id": str(tenant_id),
            "line_items": [{"price": price_id, "quantity": quantity}],
            "subscription_data": {"metadata": {"tenant_id": str(tenant_id)}},
            "metadata": {"tenant_id": str(tenant_id)},
            "success_url": success_url,
            "cancel_url": cancel_url,
        },
        options={"idempotency_key": idempotency_key("checkout", tenant_id, price_id, nonce)},
    )
    return _data(session)


@_stripe_call
def billing_portal_session_create(*, customer_id: str, return_url: str, nonce: str) -> str:
    session = client().v1.billing_portal.sessions.create(
        params={"customer": customer_id, "return_url": return_url},
        options={"idempotency_key": idempotency_key("portal", customer_id, nonce)},
    )
    return str(session.url)


@_stripe_call
def subscription_retrieve(subscription_id: str) -> StripeData:
    return _data(client().v1.subscriptions.retrieve(subscription_id))


@_stripe_call
def subscription_update(subscription_id: str, *, params: dict[str, Any], key: str) -> StripeData:
    """Quantity (seats), price (plan change) or cancel at period end; proration is left
    to Stripe's default (prorations are created)."""
    return _data(
        client().v1.subscriptions.update(
            subscription_id,
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": key},
        )
    )


@_stripe_call
def invoice_retrieve(invoice_id: str) -> StripeData:
    return _data(client().v1.invoices.retrieve(invoice_id))


@_stripe_call
def invoices_list(customer_id: str, *, limit: int = 24) -> list[StripeData]:
    page = client().v1.invoices.list(params={"customer": customer_id, "limit": limit})
    return [_data(invoice) for invoice in page.data]


@_stripe_call
def invoice_preview(*, customer_id: str, subscription_id: str, key: str) -> StripeData:
    return _data(
        client().v1.invoices.create_preview(
            params={"customer": customer_id, "subscription": subscription_id},
            options={"idempotency_key": key},
        )
    )


def construct_event(*, payload: bytes, signature: str) -> stripe.Event:
    """Stripe's own verification of the ``Stripe-Signature`` header (and its timestamp
    tolerance, which refuses a replay of an old delivery)."""
    return stripe.Webhook.construct_event(
        payload, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance=settings.STRIPE_TOLERANCE
    )

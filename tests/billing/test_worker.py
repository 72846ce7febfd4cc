"""A real Celery worker handles a webhook event after the endpoint's transaction
committed, and retries with backoff when Stripe fails the first time."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from billing.models import BillingAccount, StripeEvent, StripeEventStatus
from tenants.models import Tenant
from tests.billing.conftest import SECRET_KEY, WEBHOOK_SECRET, deliver, event, signed
from tests.billing.stripe_servers import LocalStripe, StripeShim
from tests.conftest import TenantUnderTest
from tests.support import ROOT, process_environment, wait_for

QUEUE = f"test-billing-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def billing_worker(django_db_setup: None, stripe_shim: StripeShim) -> Iterator[None]:
    celery = str(Path(sys.executable).parent / "celery")
    environment = process_environment(
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=stripe_shim.url,
        STRIPE_NETWORK_RETRIES="0",
        BILLING_QUEUE=QUEUE,
    )
    process = subprocess.Popen(
        [celery, "-A", "controlplane", "worker", "--pool", "solo", "-Q", QUEUE,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT,
        env=environment,
    )  # fmt: skip
    yield
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.worker
def test_the_worker_handles_the_event_after_commit_and_retries(
    billing_worker: None,
    session_tenants: dict[str, TenantUnderTest],
    django_db_blocker: Any,
    settings: Any,
    stripe_shim: StripeShim,
    localstripe: LocalStripe,
    stripe_prices: dict[str, str],
) -> None:
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.BILLING_QUEUE = QUEUE
    tenant = session_tenants["bravo"].tenant
    customer = localstripe.post("/v1/customers", {"email": "admin@bravo.example"})
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}
    method = localstripe.post("/v1/payment_methods", {"type": "card", "card": card})
    localstripe.post(f"/v1/payment_methods/{method['id']}/attach", {"customer": customer["id"]})
    localstripe.post(
        f"/v1/customers/{customer['id']}",
        {"invoice_settings": {"default_payment_method": method["id"]}},
    )
    subscription = localstripe.post(
        "/v1/subscriptions",
        {
            "customer": customer["id"],
            "items": [{"plan": stripe_prices["business"], "quantity": 1}],
        },
    )
    payload = event("customer.subscription.created", subscription)
    with django_db_blocker.unblock():
        original = BillingAccount.objects.get(tenant=tenant)
        limits = Tenant.objects.get(pk=tenant.pk).plan_limits
        try:
            BillingAccount.objects.filter(pk=original.pk).update(stripe_customer_id=customer["id"])
            stripe_shim.fail_next = 1  # Stripe fails the worker's first re-fetch
            response = deliver(*signed(payload))  # commits; the task is enqueued after
            assert response.status_code == 200

            def handled() -> bool:
                return StripeEvent.objects.filter(
                    event_id=payload["id"], status=StripeEventStatus.PROCESSED
                ).exists()

            assert wait_for(handled, timeout=60), "the worker never handled the event"
            stored = StripeEvent.objects.get(event_id=payload["id"])
            assert stored.attempts == 2  # failed once, retried with backoff
            account = BillingAccount.objects.select_related("plan").get(pk=original.pk)
            assert account.stripe_subscription_id == subscription["id"]
            assert account.plan.code == "business"
            assert account.status == "active"
        finally:
            stripe_shim.fail_next = 0
            StripeEvent.objects.filter(event_id=payload["id"]).delete()
            original.save()
            Tenant.objects.filter(pk=tenant.pk).update(plan_limits=limits)

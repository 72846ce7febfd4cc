"""The webhook endpoint: signatures made by the stripe library's own code from a test
secret; valid, tampered, replayed, out of order and unknown events; handling after the
commit, re-fetching from localstripe."""

from __future__ import annotations

import time
from typing import Any

import pytest

from billing import services
from billing.errors import StripeUnavailable
from billing.models import AccountStatus, BillingAccount, StripeEvent, StripeEventStatus
from tests.billing.conftest import WEBHOOK_PATH, account_of, deliver, event, signed
from tests.billing.stripe_servers import LocalStripe, StripeShim
from tests.conftest import TenantUnderTest

pytestmark = pytest.mark.usefixtures("eager_tasks")


def _subscribed(tenant: TenantUnderTest, localstripe: LocalStripe, price: str) -> dict[str, Any]:
    """Tenant A with a Stripe customer and an active subscription (quantity 1)."""
    account = services.account_for(tenant=tenant.tenant)
    customer = localstripe.post("/v1/customers", {"email": tenant.admin.email})
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}
    method = localstripe.post("/v1/payment_methods", {"type": "card", "card": card})
    localstripe.post(f"/v1/payment_methods/{method['id']}/attach", {"customer": customer["id"]})
    localstripe.post(
        f"/v1/customers/{customer['id']}",
        {"invoice_settings": {"default_payment_method": method["id"]}},
    )
    BillingAccount.objects.filter(pk=account.pk).update(stripe_customer_id=customer["id"])
    subscription: dict[str, Any] = localstripe.post(
        "/v1/subscriptions",
        {"customer": customer["id"], "items": [{"plan": price, "quantity": 1}]},
    )
    return subscription


def _send(payload: dict[str, Any], capture: Any, **kwargs: Any) -> Any:
    body, signature = signed(payload, **kwargs)
    with capture(execute=True):
        return deliver(body, signature)


def test_a_valid_event_is_stored_and_handled_after_the_commit(
    tenant_a: TenantUnderTest,
    stripe_on: StripeShim,
    localstripe: LocalStripe,
    stripe_prices: dict[str, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscription = _subscribed(tenant_a, localstripe, stripe_prices["business"])
    payload = event("customer.subscription.created", subscription)
    body, signature = signed(payload)
    with django_capture_on_commit_callbacks() as callbacks:
        response = deliver(body, signature)
    assert response.status_code == 200
    stored = StripeEvent.objects.get(event_id=payload["id"])
    assert stored.status == StripeEventStatus.RECEIVED  # nothing handled before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    stored.refresh_from_db()
    assert stored.status == StripeEventStatus.PROCESSED
    account = account_of(tenant_a.tenant)
    assert account.status == AccountStatus.ACTIVE
    assert account.plan.code == "business"
    assert account.stripe_subscription_id == subscription["id"]
    tenant_a.tenant.refresh_from_db()
    assert tenant_a.tenant.limits.agents is None  # Business: unlimited


def test_a_tampered_event_is_refused_and_not_stored(
    db: None, stripe_on: StripeShim, django_capture_on_commit_callbacks: Any
) -> None:
    body, signature = signed(event("customer.subscription.deleted", {"id": "sub_x"}))
    tampered = body.replace(b"sub_x", b"sub_y")
    assert deliver(tampered, signature).status_code == 400
    _body, wrong_secret = signed(body, secret="whsec_someone_else")
    assert deliver(body, wrong_secret).status_code == 400
    assert deliver(body, "").status_code == 400
    assert deliver(b"not json", signed(b"not json")[1]).status_code == 400
    assert not StripeEvent.objects.exists()


def test_without_a_webhook_secret_every_event_is_refused(db: None, settings: Any) -> None:
    settings.STRIPE_WEBHOOK_SECRET = ""
    body, signature = signed(event("invoice.paid", {"id": "in_x"}))
    assert deliver(body, signature).status_code == 400
    assert not StripeEvent.objects.exists()


def test_only_post_reaches_the_endpoint(db: None, stripe_on: StripeShim) -> None:
    from django.conf import settings
    from django.test import Client

    response = Client().get(WEBHOOK_PATH, HTTP_HOST=settings.PLATFORM_DOMAIN)
    assert response.status_code == 405


def test_a_replayed_event_is_a_no_op(
    tenant_a: TenantUnderTest,
    stripe_on: StripeShim,
    localstripe: LocalStripe,
    stripe_prices: dict[str, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscription = _subscribed(tenant_a, localstripe, stripe_prices["team"])
    payload = event("customer.subscription.created", subscription)
    body, signature = signed(payload)
    with django_capture_on_commit_callbacks(execute=True) as first:
        assert deliver(body, signature).status_code == 200
    with django_capture_on_commit_callbacks(execute=True) as second:
        again = deliver(body, signature)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert first  # the handling task was enqueued
    assert second == []  # nothing enqueued the second time
    stored = StripeEvent.objects.get(event_id=payload["id"])
    assert stored.attempts == 1
    # Running the task again (a redelivered task) changes nothing either.
    assert services.stripe_event_process(event_pk=stored.pk) == StripeEventStatus.PROCESSED
    stored.refresh_from_db()
    assert stored.attempts == 1


def test_a_delivery_replayed_after_the_tolerance_is_refused(
    db: None, stripe_on: StripeShim
) -> None:
    body, signature = signed(event("invoice.paid", {"id": "in_x"}), at=int(time.time()) - 3600)
    assert deliver(body, signature).status_code == 400
    assert not StripeEvent.objects.exists()


def test_events_out_of_order_end_in_stripes_current_state(
    tenant_a: TenantUnderTest,
    stripe_on: StripeShim,
    localstripe: LocalStripe,
    stripe_prices: dict[str, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscription = _subscribed(tenant_a, localstripe, stripe_prices["team"])
    older = dict(subscription)
    item = subscription["items"]["data"][0]
    newer = localstripe.post(
        f"/v1/subscriptions/{subscription['id']}",
        {"items": [{"id": item["id"], "quantity": 4}], "cancel_at_period_end": True},
    )
    # The newer event arrives first, the stale one (quantity 1, not cancelling) after.
    _send(event("customer.subscription.updated", newer), django_capture_on_commit_callbacks)
    _send(event("customer.subscription.updated", older), django_capture_on_commit_callbacks)
    # And a "created" for it arrives last of all.
    _send(event("customer.subscription.created", older), django_capture_on_commit_callbacks)
    account = account_of(tenant_a.tenant)
    assert account.seats == 4
    assert account.cancel_at_period_end is True
    assert account.status == AccountStatus.ACTIVE


def test_a_deleted_subscription_falls_back_to_the_free_plan(
    tenant_a: TenantUnderTest,
    stripe_on: StripeShim,
    localstripe: LocalStripe,
    stripe_prices: dict[str, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscription = _subscribed(tenant_a, localstripe, stripe_prices["team"])
    _send(event("customer.subscription.created", subscription), django_capture_on_commit_callbacks)
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 - localstripe over http://
        f"{localstripe.url}/v1/subscriptions/{subscription['id']}",
        method="DELETE",
        headers={"Authorization": "Bearer sk_test_caseway"},
    )
    urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
    _send(event("customer.subscription.deleted", subscription), django_capture_on_commit_callbacks)
    account = account_of(tenant_a.tenant)
    assert account.status == AccountStatus.CANCELED
    assert account.plan.code == "free"
    tenant_a.tenant.refresh_from_db()
    assert tenant_a.tenant.limits.agents == 1


def test_an_unknown_event_type_is_acknowledged_and_ignored(
    db: None, stripe_on: StripeShim, django_capture_on_commit_callbacks: Any
) -> None:
    payload = event("customer.tax_id.created", {"id": "txi_1"})
    response = _send(payload, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert StripeEvent.objects.get(event_id=payload["id"]).status == StripeEventStatus.IGNORED


def test_an_event_about_someone_elses_customer_is_ignored(
    db: None,
    stripe_on: StripeShim,
    localstripe: LocalStripe,
    stripe_prices: dict[str, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    customer = localstripe.post("/v1/customers", {"email": "stranger@example.com"})
    session = {"id": "cs_1", "customer": customer["id"], "subscription": None}
    payload = event("checkout.session.completed", session)
    _send(payload, django_capture_on_commit_callbacks)
    assert StripeEvent.objects.get(event_id=payload["id"]).status == StripeEventStatus.IGNORED


def test_stripe_failing_leaves_the_event_for_a_retry(
    tenant_a: TenantUnderTest,
    stripe_on: StripeShim,
    localstripe: LocalStripe,
    stripe_prices: dict[str, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscription = _subscribed(tenant_a, localstripe, stripe_prices["team"])
    payload = event("customer.subscription.created", subscription)
    body, signature = signed(payload)
    with django_capture_on_commit_callbacks():
        deliver(body, signature)
    stored = StripeEvent.objects.get(event_id=payload["id"])
    stripe_on.fail_next = 1
    with pytest.raises(StripeUnavailable):
        services.stripe_event_process(event_pk=stored.pk)
    stored.refresh_from_db()
    assert stored.status == StripeEventStatus.RECEIVED
    assert "moment" in stored.last_error
    assert services.stripe_event_process(event_pk=stored.pk) == StripeEventStatus.PROCESSED
    assert account_of(tenant_a.tenant).stripe_subscription_id == subscription["id"]


def test_events_whose_task_was_lost_are_handled_by_housekeeping(
    tenant_a: TenantUnderTest,
    stripe_on: StripeShim,
    localstripe: LocalStripe,
    stripe_prices: dict[str, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from billing import tasks

    subscription = _subscribed(tenant_a, localstripe, stripe_prices["team"])
    payload = event("customer.subscription.created", subscription)
    body, signature = signed(payload)
    with django_capture_on_commit_callbacks():  # the enqueue never happens
        deliver(body, signature)
    StripeEvent.objects.filter(event_id=payload["id"]).update(
        received_at=timezone.now() - timedelta(minutes=10)
    )
    result = tasks.housekeeping()
    assert result["requeued"] == 1
    assert StripeEvent.objects.get(event_id=payload["id"]).status == StripeEventStatus.PROCESSED


def test_an_upcoming_invoice_is_previewed_and_the_admins_told(
    tenant_a: TenantUnderTest,
    stripe_on: StripeShim,
    localstripe: LocalStripe,
    stripe_prices: dict[str, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core import mail

    subscription = _subscribed(tenant_a, localstripe, stripe_prices["team"])
    _send(event("customer.subscription.created", subscription), django_capture_on_commit_callbacks)
    mail.outbox.clear()
    upcoming = {"object": "invoice", "customer": subscription["customer"], "amount_due": 1}
    _send(event("invoice.upcoming", upcoming), django_capture_on_commit_callbacks)
    account = account_of(tenant_a.tenant)
    assert account.next_invoice_amount == 1500  # from Stripe's preview, not the payload
    assert account.next_invoice_at is not None
    assert [m.subject for m in mail.outbox] == ["Upcoming invoice for Alpha Ltd"]


def test_a_trial_without_a_subscription_ends_on_the_free_plan(
    tenant_a: TenantUnderTest, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ended = services.trials_expire(now=timezone.now() + timedelta(days=15))
    assert "alpha" in ended
    account = account_of(tenant_a.tenant)
    assert account.status == AccountStatus.FREE
    assert account.plan.code == "free"
    tenant_a.tenant.refresh_from_db()
    assert tenant_a.tenant.limits.agents == 1
    assert any("trial of Alpha Ltd has ended" in m.subject for m in mail.outbox)


def test_a_malformed_event_is_kept_as_failed_not_retried(
    db: None, stripe_on: StripeShim, django_capture_on_commit_callbacks: Any
) -> None:
    payload = event("customer.subscription.updated", {"object": "subscription"})  # no id
    assert _send(payload, django_capture_on_commit_callbacks).status_code == 200
    stored = StripeEvent.objects.get(event_id=payload["id"])
    assert stored.status == StripeEventStatus.FAILED
    assert "KeyError" in stored.last_error

"""Outbound webhooks: signed deliveries a receiver can verify, retries, disabling, SSRF."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from api.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from api.webhooks import (
    SIGNATURE_HEADER,
    UnsafeTarget,
    delivery_attempt,
    signature_valid,
    subscription_create,
    target_check,
)
from tests.api.conftest import ApiClient
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import make_ticket
from ticketing.models import Agent, Department


class Receiver:
    """A real HTTP server on loopback that records what it receives."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True  # the receiver runs on loopback
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_DISABLE_AFTER = 2
    server = Receiver()
    yield server
    server.close()


def _deliveries_for(ticket_create: Callable[[], object], capture: Any) -> list[WebhookDelivery]:
    with capture(execute=True):
        ticket_create()
    return list(WebhookDelivery.objects.order_by("id"))


def test_a_receiver_verifies_the_signature(
    receiver: Receiver,
    admin_agent: Agent,
    support: Department,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", lambda delivery_id: None)
    subscription = subscription_create(
        actor=admin_agent, url=receiver.url, events=["ticket.created"]
    )
    [delivery] = _deliveries_for(
        lambda: make_ticket(department=support), django_capture_on_commit_callbacks
    )
    assert delivery.event == "ticket.created"
    assert delivery_attempt(delivery.pk) == DeliveryStatus.DELIVERED
    [(headers, body)] = receiver.received
    assert headers["Caseway-Event"] == "ticket.created"
    assert signature_valid(secret=subscription.secret, header=headers[SIGNATURE_HEADER], body=body)
    assert not signature_valid(secret="wrong", header=headers[SIGNATURE_HEADER], body=body)
    assert not signature_valid(
        secret=subscription.secret, header=headers[SIGNATURE_HEADER], body=body + b" "
    )
    payload = json.loads(body)
    assert payload["event"] == "ticket.created"
    assert payload["id"].startswith("evt_t_alpha_")
    assert delivery_attempt(delivery.pk) == DeliveryStatus.DELIVERED  # not sent twice
    assert len(receiver.received) == 1


def test_failing_deliveries_retry_then_fail_and_disable_the_subscription(
    receiver: Receiver,
    admin_agent: Agent,
    support: Department,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", lambda delivery_id: None)
    receiver.status = 500
    subscription = subscription_create(
        actor=admin_agent, url=receiver.url, events=["ticket.created"]
    )
    for _ in range(2):
        [delivery] = [
            d
            for d in _deliveries_for(
                lambda: make_ticket(department=support), django_capture_on_commit_callbacks
            )
            if d.status == DeliveryStatus.PENDING
        ]
        statuses = [delivery_attempt(delivery.pk) for _ in range(3)]
        assert statuses == [DeliveryStatus.PENDING, DeliveryStatus.PENDING, DeliveryStatus.FAILED]
        delivery.refresh_from_db()
        assert delivery.attempts == 3
        assert delivery.last_status_code == 500
    subscription.refresh_from_db()
    assert subscription.is_active is False
    assert "failed" in subscription.disabled_reason
    assert len(receiver.received) == 6


def test_private_targets_are_refused(admin_agent: Agent, settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    for url in (
        "http://127.0.0.1:8000/x",
        "http://169.254.169.254/latest",
        "http://10.1.2.3/",
        "http://[::1]/",
        "ftp://example.com/",
    ):
        with pytest.raises(UnsafeTarget):
            target_check(url)
    with pytest.raises(UnsafeTarget):
        subscription_create(
            actor=admin_agent, url="http://localhost/hook", events=["ticket.created"]
        )
    assert not WebhookSubscription.objects.exists()


def test_webhooks_over_the_api_need_an_admin_key(
    make_api: Callable[..., ApiClient], in_alpha: TenantUnderTest, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    writer = make_api(["read", "write"])
    assert writer.get("webhooks/").status_code == 403
    admin = make_api(["admin"])
    refused = admin.post(
        "webhooks/", {"url": "http://127.0.0.1/hook", "events": ["ticket.created"]}
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "unsafe_webhook_target"
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    created = admin.post(
        "webhooks/", {"url": "http://127.0.0.1/hook", "events": ["ticket.created"]}
    )
    assert created.status_code == 201
    assert len(created.json()["secret"]) == 48
    listed = admin.get("webhooks/").json()["results"]
    assert "secret" not in listed[0]
    assert admin.get(f"webhooks/{created.json()['id']}/deliveries/").status_code == 200


def test_contact_created_is_delivered(
    receiver: Receiver,
    admin_agent: Agent,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ticketing.services.people import contact_create

    monkeypatch.setattr("api.tasks.deliver_webhook.delay", lambda delivery_id: None)
    subscription = subscription_create(
        actor=admin_agent, url=receiver.url, events=["contact.created"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        contact = contact_create(full_name="Dana", email="dana@example.com", external_id="crm-9")
    [delivery] = WebhookDelivery.objects.filter(subscription=subscription)
    assert delivery.event == "contact.created"
    assert delivery_attempt(delivery.pk) == DeliveryStatus.DELIVERED
    [(headers, body)] = receiver.received
    assert signature_valid(secret=subscription.secret, header=headers[SIGNATURE_HEADER], body=body)
    assert json.loads(body)["data"] == {
        "contact_id": contact.pk,
        "email": "dana@example.com",
        "external_id": "crm-9",
    }

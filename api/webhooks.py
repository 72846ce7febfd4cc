"""Outbound webhooks: subscriptions, signed deliveries, retries, SSRF protection.

A delivery is JSON ``{"id", "event", "created_at", "data"}`` POSTed with the headers
``Caseway-Event``, ``Caseway-Delivery`` and ``Caseway-Signature: t=<unix time>,v1=<hex>``
where ``v1 = HMAC-SHA256(secret, "<t>.<raw body>")``. Sent by Celery after commit; every
attempt is logged on the delivery; a subscription whose deliveries keep failing is
disabled with the reason.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import WEBHOOK_EVENTS, DeliveryStatus, WebhookDelivery, WebhookSubscription
from tenants.config_cache import config_cache, config_invalidate
from ticketing import permissions
from ticketing.contact_events import ContactCreated
from ticketing.errors import InvalidInput
from ticketing.events import PublishedEvent
from ticketing.models import Agent

SIGNATURE_HEADER = "Caseway-Signature"
TIMEOUT_SECONDS = 10


class UnsafeTarget(InvalidInput):
    code = "unsafe_webhook_target"


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def signature_valid(*, secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """What a receiver runs (documented in docs/api.md)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body).split("v1=")[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def target_check(url: str) -> None:
    """Refuse URLs that would make us call into private networks (SSRF)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UnsafeTarget(
            _("Use an http or https URL."), field_errors={"url": [_("Use an http or https URL.")]}
        )
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parsed.hostname, parsed.port or 443)}
    except (socket.gaierror, UnicodeError):
        raise UnsafeTarget(
            _("The host name does not resolve."),
            field_errors={"url": [_("The host name does not resolve.")]},
        ) from None
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if not ip.is_global or ip.is_multicast:
            message = _("Webhooks cannot target private, loopback or link-local addresses.")
            raise UnsafeTarget(message, field_errors={"url": [message]})


def subscription_create(*, actor: Agent, url: str, events: list[str]) -> WebhookSubscription:
    permissions.require_admin(actor)
    unknown = sorted(set(events) - set(WEBHOOK_EVENTS))
    if not events or unknown:
        message = _("Choose events among: %(events)s") % {"events": ", ".join(WEBHOOK_EVENTS)}
        raise InvalidInput(message, field_errors={"events": [message]})
    target_check(url)
    return WebhookSubscription.objects.create(
        url=url, events=sorted(set(events)), secret=secrets.token_hex(24)
    )


# --- from ticket events to deliveries -------------------------------------------------

#: Ticket event kinds → the webhook event they are published as.
EVENT_MAP = {
    "ticket.created": "ticket.created",
    "ticket.assigned": "ticket.assigned",
    "ticket.unassigned": "ticket.assigned",
    "ticket.transferred": "ticket.transferred",
    "ticket.status_changed": "ticket.status_changed",
    "ticket.reopened": "ticket.status_changed",
    "ticket.priority_changed": "ticket.updated",
    "ticket.type_changed": "ticket.updated",
    "ticket.category_changed": "ticket.updated",
    "ticket.tags_changed": "ticket.updated",
    "message.created": "message.created",
    "sla.breached": "sla.breached",
}


def _deliveries(
    *,
    event: str,
    event_id: str,
    at: Any,
    data: dict[str, Any],
    subscriptions: list[WebhookSubscription] | None = None,
) -> list[int]:
    """One delivery per active subscription to ``event``; ``event_id`` makes it
    idempotent (a replayed event creates nothing new). Returns the new deliveries.
    ``subscriptions``: every active one, when the caller has read them already."""
    created = []
    if subscriptions is None:
        subscriptions = list(
            WebhookSubscription.objects.filter(is_active=True, events__contains=[event])
        )
    for subscription in subscriptions:
        if event not in subscription.events:
            continue
        delivery, new = WebhookDelivery.objects.get_or_create(
            subscription=subscription,
            event_id=event_id,
            defaults={
                "event": event,
                "payload": {
                    "id": "evt_" + event_id.replace(":", "_"),
                    "event": event,
                    "created_at": (at or timezone.now()).isoformat(),
                    "data": data,
                },
            },
        )
        if new:
            created.append(delivery.pk)
    return created


def deliveries_create_for_contacts(created: Sequence[ContactCreated]) -> list[int]:
    """``contact.created`` deliveries (idempotent per contact); the subscriptions are
    read once, and nothing more happens when none wants the event (an import of 10,000
    customers costs one query here)."""
    subscriptions = list(
        WebhookSubscription.objects.filter(is_active=True, events__contains=["contact.created"])
    )
    if not subscriptions:
        return []
    deliveries: list[int] = []
    for contact in created:
        deliveries += _deliveries(
            event="contact.created",
            event_id=f"{contact.schema_name}:contact:{contact.contact_id}",
            at=None,
            data={
                "contact_id": contact.contact_id,
                "email": contact.email,
                "external_id": contact.external_id,
            },
            subscriptions=subscriptions,
        )
    return deliveries


def deliveries_create(
    *,
    schema_name: str,
    event_id: int,
    ticket_id: int,
    kind: str,
    before: dict[str, Any],
    after: dict[str, Any],
    at: Any,
) -> list[int]:
    """Deliveries of the webhook event a ticket event is published as (if any)."""
    public_event = EVENT_MAP.get(kind)
    if public_event is None:
        return []
    return _deliveries(
        event=public_event,
        event_id=f"{schema_name}:{event_id}",
        at=at,
        data={"ticket_id": ticket_id, "kind": kind, "before": before, "after": after},
    )


def active_subscriptions() -> list[WebhookSubscription]:
    """The tenant's active subscriptions, cached per tenant (see ``api.apps``): every
    committed ticket change looks them up."""
    return config_cache.get(
        "api:webhook-subscriptions",
        lambda: list(WebhookSubscription.objects.filter(is_active=True)),
    )


def deliveries_create_many(published: Sequence[PublishedEvent]) -> list[int]:
    """Deliveries of a committed transaction's ticket events: the active subscriptions
    are read once; nothing more happens when there are none."""
    subscriptions = active_subscriptions()
    if not subscriptions:
        return []
    created: list[int] = []
    for event in published:
        public_event = EVENT_MAP.get(event.kind)
        if public_event is None:
            continue
        created += _deliveries(
            event=public_event,
            event_id=f"{event.schema_name}:{event.event_id}",
            at=event.at,
            data={
                "ticket_id": event.ticket_id,
                "kind": event.kind,
                "before": event.before,
                "after": event.after,
            },
            subscriptions=subscriptions,
        )
    return created


# --- sending ----------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect could lead into a private network


_OPENER = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Attempt:
    ok: bool
    status_code: int | None
    error: str


def _post(url: str, body: bytes, headers: dict[str, str]) -> Attempt:
    # target_check() allowed only http(s) URLs
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            return Attempt(ok=200 <= response.status < 300, status_code=response.status, error="")
    except urllib.error.HTTPError as error:
        return Attempt(ok=False, status_code=error.code, error=f"HTTP {error.code}")
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return Attempt(ok=False, status_code=None, error=str(getattr(error, "reason", error))[:500])


def delivery_attempt(delivery_id: int) -> str:
    """Send one delivery once; returns its status afterwards. No database transaction
    is open during the HTTP call."""
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == DeliveryStatus.DELIVERED:
        return DeliveryStatus.DELIVERED
    subscription = delivery.subscription
    if not subscription.is_active:
        return delivery.status
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    try:
        target_check(subscription.url)
        attempt = _post(
            subscription.url,
            body,
            {
                "Content-Type": "application/json",
                "User-Agent": "Caseway-Webhooks/1",
                "Caseway-Event": delivery.event,
                "Caseway-Delivery": str(delivery.pk),
                SIGNATURE_HEADER: signature(
                    secret=subscription.secret, timestamp=int(time.time()), body=body
                ),
            },
        )
    except UnsafeTarget as error:
        attempt = Attempt(ok=False, status_code=None, error=error.message)
    return _record(delivery.pk, attempt)


def _record(delivery_id: int, attempt: Attempt) -> str:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("subscription")
            .get(pk=delivery_id)
        )
        delivery.attempts += 1
        delivery.last_status_code = attempt.status_code
        delivery.last_error = attempt.error
        subscription = delivery.subscription
        if attempt.ok:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = timezone.now()
            subscription.consecutive_failures = 0
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            subscription.consecutive_failures += 1
            if subscription.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER:
                subscription.is_active = False
                subscription.disabled_reason = _(
                    "Disabled after %(count)d deliveries in a row failed; last error: %(error)s"
                ) % {
                    "count": subscription.consecutive_failures,
                    "error": attempt.error or attempt.status_code,
                }
        delivery.save()
        subscription.save(update_fields=["consecutive_failures", "is_active", "disabled_reason"])
    return delivery.status


def retry_delay_seconds(attempts: int) -> int:
    """10 s, 20 s, 40 s … capped at an hour."""
    return int(min(3600, 10 * 2 ** max(0, attempts - 1)))


def delivery_replay(*, actor: Agent, delivery: WebhookDelivery) -> WebhookDelivery:
    permissions.require_admin(actor)
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.save(update_fields=["status", "attempts"])
    if not delivery.subscription.is_active:
        WebhookSubscription.objects.filter(pk=delivery.subscription_id).update(
            is_active=True, consecutive_failures=0, disabled_reason=""
        )
        config_invalidate()  # an update() sends no signal
    return delivery

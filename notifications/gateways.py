"""SMS gateways: Kavenegar in production, the console in development; which one and with
which key and sender line a tenant's SMS use (``sms_route``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Protocol

from controlplane.gateways import SmsRoute, sms_platform_route
from controlplane.secrets import secret_decrypt

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway refused or could not be reached; the delivery will be retried."""


@dataclass(frozen=True)
class SmsSent:
    provider_message_id: str


class SmsGateway(Protocol):
    def send(self, *, to: str, text: str, sender: str) -> SmsSent: ...


class ConsoleSmsGateway:
    def send(self, *, to: str, text: str, sender: str) -> SmsSent:
        logger.info("SMS from %s to %s: %s", sender, to, text)
        return SmsSent(provider_message_id="console")


class KavenegarGateway:
    """Kavenegar's ``sms/send`` through the official SDK. The SDK sets no network timeout:
    the Celery task's time limit bounds each send, and a retry is safe because each
    notification carries its own idempotency key and is marked sent only once."""

    def __init__(self, api_key: str) -> None:
        from kavenegar import KavenegarAPI

        self.api = KavenegarAPI(api_key)

    def send(self, *, to: str, text: str, sender: str) -> SmsSent:
        from kavenegar import APIException, HTTPException

        try:
            entries = self.api.sms_send({"receptor": to, "message": text, "sender": sender})
        except (APIException, HTTPException) as error:
            raise SmsError(str(error)) from error
        entry = entries[0] if isinstance(entries, list) and entries else {}
        return SmsSent(provider_message_id=str(entry.get("messageid", "")))


def sms_route() -> SmsRoute:
    """How this tenant's SMS go out: its own Kavenegar account when it set a key, else
    the platform's gateway (the operators' settings, else the environment) with the
    tenant's sender line when it set one."""
    from notifications.models import SmsChannel

    channel = SmsChannel.objects.filter(pk=1).first()
    if channel is not None and channel.kavenegar_api_key:
        api_key = secret_decrypt(channel.kavenegar_api_key)
        if api_key:
            return SmsRoute("kavenegar", api_key, channel.sender, "tenant")
    platform = sms_platform_route()
    if channel is not None and channel.sender:
        return replace(platform, sender=channel.sender)
    return platform


def sms_gateway_for(route: SmsRoute) -> SmsGateway:
    if route.backend == "kavenegar":
        return KavenegarGateway(route.api_key)
    return ConsoleSmsGateway()

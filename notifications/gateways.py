"""SMS gateways: Kavenegar in production, the console in development."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

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


def sms_gateway() -> SmsGateway:
    if settings.SMS_BACKEND == "kavenegar":
        return KavenegarGateway(settings.KAVENEGAR_API_KEY)
    return ConsoleSmsGateway()

"""The inbound SMTP server (aiosmtpd): accepts mail for tenant addresses only and hands
each message to ``inbound_receive`` in a worker thread (the ORM is synchronous)."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections

from notifications.inbound.process import inbound_receive, tenant_for_address

logger = logging.getLogger(__name__)


def _receive(raw: bytes, recipients: list[str]) -> int:
    close_old_connections()
    try:
        return len(inbound_receive(raw=raw, recipients=recipients))
    finally:
        close_old_connections()


def _known(address: str) -> bool:
    close_old_connections()
    return tenant_for_address(address) is not None


class InboundHandler:
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if not await sync_to_async(_known, thread_sensitive=False)(address):
            return "550 5.1.1 no help desk at this address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        try:
            delivered = await sync_to_async(_receive, thread_sensitive=False)(
                bytes(raw), list(envelope.rcpt_tos)
            )
        except Exception:  # the message is not lost: the sender's server retries
            logger.exception("inbound message from %s could not be stored", envelope.mail_from)
            return "451 4.3.0 temporary failure, please retry"
        return "250 OK" if delivered else "550 5.1.1 no help desk at this address"

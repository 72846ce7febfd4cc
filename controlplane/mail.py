"""The email backend of every mail the platform sends (``EMAIL_BACKEND``): the
operators' SMTP server when they set one in the console, else the backend of
``EMAIL_URL`` (``ENVIRONMENT_EMAIL_BACKEND``). Chosen when a connection is made, so a
change in the console applies to the next connection without a restart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.utils.module_loading import import_string

from controlplane.gateways import MailGateway, mail_gateway

#: Seconds an SMTP connection of the operators' server may wait for an answer.
SMTP_TIMEOUT = 30


def smtp_backend_for(
    gateway: MailGateway, *, fail_silently: bool = False, timeout: int = SMTP_TIMEOUT
) -> SmtpBackend:
    return SmtpBackend(
        host=gateway.host,
        port=gateway.port,
        username=gateway.username or None,
        password=gateway.password or None,
        use_tls=gateway.use_tls,
        use_ssl=gateway.use_ssl,
        timeout=timeout,
        fail_silently=fail_silently,
    )


class GatewayEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        self.gateway = mail_gateway()
        self.inner: BaseEmailBackend
        if self.gateway is not None:
            self.inner = smtp_backend_for(self.gateway, fail_silently=fail_silently)
        else:
            backend = import_string(settings.ENVIRONMENT_EMAIL_BACKEND)
            self.inner = backend(fail_silently=fail_silently, **kwargs)

    def open(self) -> bool | None:
        return self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from_email = self.gateway.from_email if self.gateway else ""
        if from_email:
            # The platform's own mail (``DEFAULT_FROM_EMAIL``) comes from the address the
            # operators set; tenants' notifications keep their own sender.
            for message in email_messages:
                if message.from_email == settings.DEFAULT_FROM_EMAIL:
                    message.from_email = from_email
        return self.inner.send_messages(email_messages)

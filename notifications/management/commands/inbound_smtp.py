from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from typing import Any

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management.base import BaseCommand

from notifications.inbound.smtp import InboundHandler


class Command(BaseCommand):
    help = "Run the inbound SMTP server that turns mail to tenant addresses into tickets."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=settings.INBOUND_SMTP_HOST)
        parser.add_argument("--port", type=int, default=settings.INBOUND_SMTP_PORT)

    def handle(self, *args: Any, **options: Any) -> None:
        controller = Controller(
            InboundHandler(),
            hostname=options["host"],
            port=options["port"],
            data_size_limit=settings.INBOUND_MAX_MESSAGE_BYTES,
        )
        controller.start()
        self.stdout.write(f"Inbound SMTP listening on {options['host']}:{options['port']}")
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        stop.wait()
        controller.stop()

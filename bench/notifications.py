"""Email delivery through the outbox against raw SMTP, and inbound mail.

Outbound: N email notifications (default 10,000) are written to one tenant's outbox by
the notifications handler of ``ticket.created`` events (one event per transaction, as a
ticket opened on the portal produces; the handler enqueues the delivery after the
commit), then a real Celery worker (one process, ``--pool solo``) delivers them over
SMTP to a local aiosmtpd sink. The rate is N over the time from the first to the last
``sent_at`` (worker start-up excluded). In the same run the same N messages (same
headers, plain and HTML parts, built the same way) are sent straight with ``smtplib`` on
one connection to the same sink (message objects built beforehand; smtplib serialises
and sends them). Target: the outbox within 3x of raw SMTP.

Inbound: M replies (default 1,000), each from a ticket's requester with
``In-Reply-To`` set to the outbox's thread id, go through ``inbound_receive`` (parse,
find the tenant, thread, add the reply): messages per second.
"""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
import threading
import time
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    ROOT,
    base_parser,
    bench_database,
    migrate,
    print_header,
    print_table,
    ratio,
    setup_django,
    verdict,
)


class CountingSink:
    """An aiosmtpd handler that only counts what it accepts."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _queue_to_redis(settings: Any) -> None:
    """The benchmark process enqueues to the real broker; the worker runs the tasks."""
    settings.CELERY_TASK_ALWAYS_EAGER = False


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--messages", type=int, default=10_000, help="emails to deliver")
    parser.add_argument("--inbound", type=int, default=1_000, help="inbound replies to thread")
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds to wait for the worker (1800)"
    )
    args = parser.parse_args()
    with bench_database("notifications", keep=args.keep) as database:
        setup_django(configure=_queue_to_redis)
        migrate()
        run(args.messages, args.inbound, database, timeout=args.timeout)


def _start_worker(port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update({
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "DJANGO_DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
    })  # fmt: skip
    celery = str(Path(sys.executable).parent / "celery")
    return subprocess.Popen(
        [celery, "-A", "controlplane", "worker", "--pool", "solo", "-Q", "notifications",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip


def _purge_queue() -> None:
    from controlplane.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("notifications")


def run(total: int, inbound_total: int, database: str, *, timeout: float) -> None:
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Max, Min
    from django_tenants.utils import tenant_context

    from notifications.handlers import on_ticket_event
    from notifications.inbound.process import inbound_receive
    from notifications.models import Notification, NotificationChannel, NotificationStatus
    from notifications.services import notification_email
    from tenants.services import tenant_create
    from ticketing.events import PublishedEvent
    from ticketing.models import Contact, Department, Priority, Ticket
    from ticketing.models.tickets import FIRST_TICKET_NUMBER, TICKET_NUMBER_SEQUENCE

    tenant = tenant_create(slug="mailco", name="Mail Co", admin_email="admin@mail.example").tenant
    print_header("notifications", database, messages=total, inbound=inbound_total)
    sink = CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    worker: subprocess.Popen[bytes] | None = None
    try:
        with tenant_context(tenant):
            # --- tickets, bulk-inserted (their creation is bench/ticketing.py's) -------
            department = Department.objects.create(name="Mail queue")  # no agents: one mail
            priority = Priority.objects.get(level=3)
            contacts = Contact.objects.bulk_create(
                Contact(full_name=f"Customer {i}", email=f"c{i}@customer.example")
                for i in range(total)
            )
            now = time.time()
            from django.utils import timezone

            at = timezone.now()
            tickets = Ticket.objects.bulk_create(
                Ticket(
                    number=FIRST_TICKET_NUMBER + i,
                    subject=f"Printer {i} shows error 0x42",
                    description="It stops.",
                    department=department,
                    priority=priority,
                    priority_level=3,
                    channel="email",
                    requester=contacts[i],
                    guest_access_key=f"{i:032x}",
                    created_at=at,
                    updated_at=at,
                    dispatched_at=at,
                    status_changed_at=at,
                )
                for i in range(total)
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(%s, %s)", [TICKET_NUMBER_SEQUENCE, FIRST_TICKET_NUMBER + total]
                )
            print(f"  {total:,} tickets set up in {time.time() - now:.1f} s", flush=True)

            # --- the outbox: rows written and enqueued as the handler does ------------
            _purge_queue()
            started = time.perf_counter()
            for index, ticket in enumerate(tickets):
                with transaction.atomic():
                    on_ticket_event(
                        PublishedEvent(
                            schema_name=tenant.schema_name,
                            event_id=index + 1,
                            ticket_id=ticket.pk,
                            kind="ticket.created",
                            actor_id=None,
                            at=at,
                            ticket=ticket,
                        )
                    )
            write_seconds = time.perf_counter() - started
            queued = Notification.objects.filter(
                channel=NotificationChannel.EMAIL, status=NotificationStatus.QUEUED
            ).count()
            print(
                f"  outbox: {queued:,} rows written and enqueued in {write_seconds:.1f} s "
                f"({queued / write_seconds:,.0f}/s)",
                flush=True,
            )

            # --- a real worker delivers them ------------------------------------------
            started = time.perf_counter()
            worker = _start_worker(controller.port)
            deadline = time.monotonic() + timeout
            while sink.count < queued and time.monotonic() < deadline:
                if worker.poll() is not None:
                    raise SystemExit(f"the worker exited with {worker.returncode}")
                time.sleep(0.5)
            wall_seconds = time.perf_counter() - started
            sent = Notification.objects.filter(status=NotificationStatus.SENT, channel="email")
            span = sent.aggregate(first=Min("sent_at"), last=Max("sent_at"))
            sent_count = sent.count()
            if sent_count < queued:
                raise SystemExit(f"only {sent_count:,} of {queued:,} delivered in {timeout} s")
            seconds = (span["last"] - span["first"] or timedelta(0)).total_seconds()
            outbox_rate = sent_count / seconds if seconds else float("inf")
            worker.terminate()
            worker.wait(timeout=30)
            worker = None

            # --- the same messages straight over smtplib, one connection --------------
            rows = list(
                Notification.objects.filter(channel=NotificationChannel.EMAIL).order_by("id")
            )
            # The message objects are built beforehand; smtplib serialises and sends them,
            # as any program sending these messages with it must.
            messages = [
                (email.from_email, email.recipients(), email.message())
                for email in (
                    notification_email(row, tenant, message_id=row.message_id) for row in rows
                )
            ]
            received_before = sink.count
            started = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", controller.port) as smtp:
                for sender, recipients, message in messages:
                    smtp.send_message(message, sender, recipients)
            raw_seconds = time.perf_counter() - started
            raw_rate = len(messages) / raw_seconds
            assert sink.count - received_before == len(messages)

            # --- inbound: replies threaded onto their tickets -------------------------
            replies = []
            address = f"support@{tenant.slug}.{settings.PLATFORM_DOMAIN}"
            for row, contact in zip(rows[:inbound_total], contacts, strict=False):
                reply = EmailMessage()
                reply["From"] = contact.email
                reply["To"] = address
                reply["Subject"] = f"Re: {row.subject}"
                reply["Message-ID"] = f"<reply-{row.pk}@customer.example>"
                reply["In-Reply-To"] = row.message_id or row.thread_id
                reply["References"] = row.thread_id
                reply.set_content(
                    "It works again after the restart, thank you!\n\n"
                    f"On Monday {address} wrote:\n> {row.body.splitlines()[0]}\n"
                )
                replies.append(reply.as_bytes())
            started = time.perf_counter()
            threaded = 0
            for raw in replies:
                results = inbound_receive(raw=raw, recipients=[address])
                threaded += sum(1 for result in results if result.ticket_number is not None)
            inbound_seconds = time.perf_counter() - started
            inbound_rate = len(replies) / inbound_seconds if replies else 0.0
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        controller.stop()

    print_table(
        f"Delivering {total:,} emails to a local SMTP sink",
        ["path", "messages", "seconds", "messages/s"],
        [
            [
                "outbox + Celery worker (solo) + SMTP",
                f"{sent_count:,}",
                f"{seconds:.1f}",
                f"{outbox_rate:,.0f}",
            ],
            [
                "smtplib, one connection",
                f"{len(messages):,}",
                f"{raw_seconds:.1f}",
                f"{raw_rate:,.0f}",
            ],
        ],
    )
    print(f"  (worker wall time including its start-up: {wall_seconds:.1f} s)")
    slowdown = raw_rate / outbox_rate
    print(
        f"the outbox is {ratio(raw_rate, outbox_rate)} slower than raw SMTP "
        f"(target within 3x: {verdict(slowdown <= 3)})"
    )
    print_table(
        "Inbound replies parsed and threaded (inbound_receive, in process)",
        ["messages", "threaded", "seconds", "messages/s"],
        [[f"{len(replies):,}", f"{threaded:,}", f"{inbound_seconds:.1f}", f"{inbound_rate:,.0f}"]],
    )


if __name__ == "__main__":
    main()

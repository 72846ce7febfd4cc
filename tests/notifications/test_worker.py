"""With a real Celery worker: Redis down while the ticket's notifications are enqueued,
then back — the outbox row survives, the periodic re-dispatch hands it to the worker,
and it is delivered over SMTP exactly once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications.models import Notification, NotificationStatus
from notifications.tasks import deliver_many, redispatch_all
from tests.conftest import TenantUnderTest
from tests.smtp import Sink
from tests.support import start_celery_worker, wait_for
from tests.threads import committed_by
from tests.ticketing.factories import CustomerFactory, make_ticket
from ticketing.models import Contact, Department, Ticket

ADDRESS = "redis-outage@example.com"


def _redis_down(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError("Error 111 connecting to redis: Connection refused.")


@pytest.mark.worker
def test_redis_down_while_enqueuing_then_delivered_once_by_the_worker(
    in_alpha: TenantUnderTest, smtp_sink: Sink, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    tenant = in_alpha.tenant

    def open_ticket() -> int:
        department = Department.objects.create(name="Outage desk")
        ticket = make_ticket(department=department, requester=CustomerFactory(email=ADDRESS))
        return int(ticket.pk)

    # Redis is down: neither the pending mark nor the task can be written.
    with monkeypatch.context() as outage:
        outage.setattr(RedisCache, "add", _redis_down)
        outage.setattr(deliver_many, "delay", _redis_down)
        ticket_id = committed_by(tenant, open_ticket)  # committed: the change is not lost
    worker = None
    try:
        [row] = Notification.objects.filter(address=ADDRESS)
        assert row.status == NotificationStatus.QUEUED
        assert row.attempts == 0

        worker = start_celery_worker(
            queue="notifications",
            include="tests.worker_tasks",
            env={"EMAIL_URL": f"smtp://127.0.0.1:{settings.EMAIL_PORT}"},  # the sink
        )
        # Redis is back. The periodic re-dispatch finds rows older than two minutes.
        committed_by(
            tenant,
            lambda: Notification.objects.filter(pk=row.pk).update(
                created_at=timezone.now() - timedelta(minutes=5)
            ),
        )
        redispatch_all.delay()

        def delivered() -> bool:
            return Notification.objects.get(pk=row.pk).status == NotificationStatus.SENT

        assert wait_for(delivered, timeout=60), "the worker never delivered the row"
        redispatch_all.delay()  # once more: a sent row is never sent again
        assert wait_for(lambda: len(smtp_sink.messages) >= 1, timeout=10)
        assert not wait_for(lambda: len(smtp_sink.messages) > 1, timeout=3)
        [mail] = smtp_sink.messages
        assert mail["To"] == ADDRESS
        assert Notification.objects.get(pk=row.pk).attempts == 1
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=20)

        def clean_up() -> None:
            ticket = Ticket.objects.get(pk=ticket_id)
            department_id, contact_id = ticket.department_id, ticket.requester_id
            Notification.objects.filter(ticket_id=ticket_id).delete()
            ticket.delete()
            Contact.objects.filter(pk=contact_id).delete()
            Department.objects.filter(pk=department_id).delete()

        committed_by(tenant, clean_up)

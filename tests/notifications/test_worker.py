"""With a real Celery worker: Redis down while the ticket's notifications are enqueued,
then back — the outbox row survives, the periodic re-dispatch hands it to the worker,
and it is delivered over SMTP exactly once."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications.models import Notification, NotificationStatus
from notifications.tasks import deliver_many, redispatch_all
from tenants.models import Tenant
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
        _stop_and_clean_up(worker, tenant, ticket_id)


@pytest.mark.worker
def test_the_worker_fans_a_department_alert_out_to_every_agent_once(
    in_alpha: TenantUnderTest, smtp_sink: Sink, settings: Any
) -> None:
    """A new ticket nobody is assigned: the change writes one alert for the department,
    the worker writes and sends a mail to each of its agents, once."""
    from notifications.services import DEPARTMENT_ALERT
    from tests.ticketing.factories import AgentFactory
    from ticketing.models import Agent

    tenant = in_alpha.tenant

    def open_ticket() -> tuple[int, list[int]]:
        department = Department.objects.create(name="Fan-out desk")
        agents = [AgentFactory.create(departments=[department]) for _ in range(3)]
        ticket = make_ticket(department=department, requester=CustomerFactory())
        return int(ticket.pk), [agent.pk for agent in agents]

    ticket_id, agent_ids = committed_by(tenant, open_ticket)  # its task is enqueued
    emails = sorted(Agent.objects.filter(pk__in=agent_ids).values_list("user__email", flat=True))
    worker = None
    try:
        worker = start_celery_worker(
            queue="notifications",
            include="tests.worker_tasks",
            env={"EMAIL_URL": f"smtp://127.0.0.1:{settings.EMAIL_PORT}"},  # the sink
        )

        def agents_mailed() -> bool:
            return sorted(m["To"] for m in smtp_sink.messages if m["To"] in emails) == emails

        assert wait_for(agents_mailed, timeout=60), "the agents' alerts never went out"
        redispatch_all.delay()  # a sent alert is never fanned out or sent again
        assert not wait_for(
            lambda: len([m for m in smtp_sink.messages if m["To"] in emails]) > len(emails),
            timeout=3,
        )
        [alert] = Notification.objects.filter(ticket_id=ticket_id, channel=DEPARTMENT_ALERT)
        assert alert.status == NotificationStatus.SENT
        rows = Notification.objects.filter(ticket_id=ticket_id, recipient__email__in=emails)
        assert sorted(rows.values_list("channel", flat=True)) == sorted(
            ["email"] * 3 + ["in_app"] * 3
        )
    finally:
        _stop_and_clean_up(worker, tenant, ticket_id, agent_ids)


def _stop_and_clean_up(
    worker: subprocess.Popen[bytes] | None,
    tenant: Tenant,
    ticket_id: int,
    agent_ids: list[int] | None = None,
) -> None:
    """Stop the worker, then delete what the test committed (these tests run outside the
    per-test transaction, so nothing rolls back on its own)."""
    from accounts.models import User
    from ticketing.models import Agent

    if worker is not None:
        worker.terminate()
        worker.wait(timeout=20)

    def clean_up() -> None:
        ticket = Ticket.objects.get(pk=ticket_id)
        department_id, contact_id = ticket.department_id, ticket.requester_id
        Notification.objects.filter(ticket_id=ticket_id).delete()
        ticket.delete()
        Contact.objects.filter(pk=contact_id).delete()
        agents = Agent.objects.filter(pk__in=agent_ids or [])
        user_ids = list(agents.values_list("user_id", flat=True))
        agents.delete()
        User.objects.filter(pk__in=user_ids).delete()
        Department.objects.filter(pk=department_id).delete()

    committed_by(tenant, clean_up)

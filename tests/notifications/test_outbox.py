"""The outbox: rows written with the ticket change, delivered over real SMTP, SMS through
the Kavenegar SDK (its HTTPS endpoint faked at the ``requests`` layer), never lost."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from notifications.models import Notification, NotificationStatus, NotificationTemplate
from notifications.services import notification_deliver, notifications_stuck, unread_count
from tests.conftest import TenantUnderTest
from tests.notifications.helpers import fan_out_department_alerts
from tests.smtp import Sink, free_port
from tests.ticketing.factories import CustomerFactory, make_ticket
from ticketing.models import Agent, Department
from ticketing.services.conversation import note_add, reply_from_agent


def rows(**filters: Any) -> list[Notification]:
    return list(Notification.objects.filter(**filters).order_by("id"))


def test_a_new_ticket_acknowledges_the_customer_and_alerts_the_department(
    support: Department, agent: Agent, smtp_sink: Sink
) -> None:
    customer = CustomerFactory(full_name="Carla Nowak", email="carla@example.com")
    ticket = make_ticket(department=support, requester=customer, subject="Router down")
    [ack] = rows(address="carla@example.com")
    assert ack.status == NotificationStatus.QUEUED
    assert ack.subject == f"[{ticket.reference}] Router down"
    assert "Carla" in ack.body
    fan_out_department_alerts()  # the delivery worker's first step
    alerts = rows(recipient=agent.user)
    assert {n.channel for n in alerts} == {"email", "in_app"}
    assert unread_count(user_id=agent.user_id) == 1

    assert notification_deliver(ack.pk) == NotificationStatus.SENT
    [mail] = smtp_sink.messages
    assert mail["To"] == "carla@example.com"
    assert mail["Subject"] == f"[{ticket.reference}] Router down"
    assert mail["In-Reply-To"] == ack.thread_id
    assert mail["References"] == ack.thread_id
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail.get_body(("html",)) is not None
    assert notification_deliver(ack.pk) == NotificationStatus.SENT  # never twice
    assert len(smtp_sink.messages) == 1


def test_a_ticket_opened_for_an_assignee_alerts_only_the_assignee(
    support: Department, agent: Agent, colleague: Agent, admin_agent: Agent
) -> None:
    make_ticket(department=support, requester=CustomerFactory(), assignee=agent,
                created_by=admin_agent)  # fmt: skip
    assert not rows(recipient=colleague.user)  # the department is not broadcast to
    assert {(n.event_kind, n.channel) for n in rows(recipient=agent.user)} == {
        ("ticket.assigned", "email"),
        ("ticket.assigned", "in_app"),
    }


def test_replies_thread_and_mentions_notify(
    support: Department, agent: Agent, colleague: Agent
) -> None:
    customer = CustomerFactory(email="c@example.com")
    ticket = make_ticket(department=support, requester=customer)
    reply_from_agent(ticket=ticket, agent=agent, body="Please restart it.")
    reply = rows(address="c@example.com", event_kind="message.created")[0]
    assert "Please restart it." in reply.body
    assert (
        reply.thread_id == rows(address="c@example.com", event_kind="ticket.created")[0].thread_id
    )
    colleague.user.email = "cody@alpha.example"
    colleague.user.save()
    note_add(ticket=ticket, agent=agent, body="@cody please look")
    mentioned = rows(recipient=colleague.user, event_kind="note.mentioned")
    assert {n.channel for n in mentioned} == {"email", "in_app"}
    assert not rows(
        address="c@example.com", event_kind="note.mentioned"
    )  # customers never see notes


def test_smtp_down_then_back_delivers_exactly_once(
    support: Department, smtp_sink: Sink, settings: Any
) -> None:
    ticket = make_ticket(department=support, requester=CustomerFactory(email="d@example.com"))
    [ack] = rows(address="d@example.com")
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    assert notification_deliver(ack.pk) == NotificationStatus.QUEUED
    ack.refresh_from_db()
    assert ack.attempts == 1
    assert ack.last_error
    settings.EMAIL_PORT = working_port
    assert notification_deliver(ack.pk) == NotificationStatus.SENT
    assert notification_deliver(ack.pk) == NotificationStatus.SENT
    assert len(smtp_sink.messages) == 1
    assert ticket.reference in smtp_sink.messages[0]["Subject"]


def test_a_transactions_rows_go_out_in_one_task_over_one_connection(
    support: Department,
    agent: Agent,
    colleague: Agent,
    smtp_sink: Sink,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core.cache import cache

    from notifications.handlers import DRAIN_PENDING_KEY
    from notifications.tasks import deliver_many

    enqueued: list[list[int]] = []
    monkeypatch.setattr(deliver_many, "delay", enqueued.append)
    cache.delete(DRAIN_PENDING_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(department=support, requester=CustomerFactory(email="h@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(department=support, requester=CustomerFactory(email="i@example.com"))
    # The acknowledgement and the department's alert (one row, which the worker turns
    # into both agents' alerts): one task, which is still waiting when the second
    # ticket commits, so that one enqueues nothing.
    [ids] = enqueued
    assert len(ids) == 2
    assert deliver_many(ids) == 6  # its own rows and the second ticket's
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(
        ["h@example.com", "i@example.com"] + [agent.user.email, colleague.user.email] * 2
    )
    assert len(set(smtp_sink.peers)) == 1  # one SMTP session for all
    assert cache.get(DRAIN_PENDING_KEY) is None  # the next commit enqueues again
    deliver_many(ids)
    assert len(smtp_sink.messages) == 6  # never twice


def test_rows_whose_task_was_lost_are_sent_later(support: Department) -> None:
    """Redis down while enqueuing: the row is in the outbox regardless and the periodic
    re-dispatch finds it."""
    make_ticket(department=support, requester=CustomerFactory(email="e@example.com"))
    [ack] = rows(address="e@example.com")
    assert ack.pk not in notifications_stuck()  # fresh: its task may still be on its way
    Notification.objects.filter(pk=ack.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert ack.pk in notifications_stuck()


def test_too_many_failures_end_in_the_dead_letter_state(support: Department, settings: Any) -> None:
    make_ticket(department=support, requester=CustomerFactory(email="f@example.com"))
    [ack] = rows(address="f@example.com")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    statuses = [notification_deliver(ack.pk) for _ in range(6)]
    assert statuses[-1] == NotificationStatus.DEAD
    assert statuses[:-1] == [NotificationStatus.QUEUED] * 5


def test_sms_through_kavenegar_with_the_exact_parameters(
    support: Department, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SMS_BACKEND = "kavenegar"
    settings.KAVENEGAR_API_KEY = "secret-api-key"
    settings.KAVENEGAR_SENDER = "10004346"
    sent: list[tuple[str, dict[str, str]]] = []

    class FakeResponse:
        content = (
            b'{"return": {"status": 200, "message": "ok"}, "entries": [{"messageid": 8792343}]}'
        )

    def fake_post(
        url: str, headers: Any = None, auth: Any = None, data: Any = None
    ) -> FakeResponse:
        sent.append((url, data))
        return FakeResponse()

    monkeypatch.setattr("kavenegar.requests.post", fake_post)
    customer = CustomerFactory(phone="+98 912 000 1111", preferred_channel="sms", email="")
    ticket = make_ticket(department=support, requester=customer)
    [sms] = rows(channel="sms")
    assert sms.address == "+98 912 000 1111"
    assert notification_deliver(sms.pk) == NotificationStatus.SENT
    [(url, data)] = sent
    assert url == "https://api.kavenegar.com/v1/secret-api-key/sms/send.json"
    assert data["receptor"] == "+98 912 000 1111"
    assert data["sender"] == "10004346"
    assert ticket.reference in data["message"]
    sms.refresh_from_db()
    assert sms.provider_message_id == "8792343"


def test_tenant_templates_and_languages(support: Department) -> None:
    NotificationTemplate.objects.create(
        event_kind="ticket.created", channel="email", language="pl",
        subject="Zgłoszenie {{ ticket.number }}", body="Dzień dobry {{ customer.first_name }}!",
    )  # fmt: skip
    polish = CustomerFactory(full_name="Piotr Nowak", email="p@example.pl", language="pl")
    ticket = make_ticket(department=support, requester=polish)
    [mail] = rows(address="p@example.pl")
    assert mail.subject == f"Zgłoszenie {ticket.reference}"
    assert mail.body == "Dzień dobry Piotr!"
    assert mail.language == "pl"


def test_outbox_rows_stay_in_their_tenant(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    with schema_context(tenant_b.tenant.schema_name):
        make_ticket(requester=CustomerFactory(email="b-only@example.com"))
        assert rows(address="b-only@example.com")
    with schema_context(tenant_a.tenant.schema_name):
        assert not rows(address="b-only@example.com")


def test_sla_notifications_name_the_clock_in_the_recipients_language(
    support: Department, agent: Agent
) -> None:
    from sla.models import SlaPolicy
    from sla.sweep import sla_sweep

    SlaPolicy.objects.create(name="Fast", first_response_minutes=10, first_response_business=False)
    agent.user.language = "pl"
    agent.user.save()
    ticket = make_ticket(department=support, assignee=agent, created_by=agent)
    from sla.models import EscalationRule

    EscalationRule.objects.create(
        policy=SlaPolicy.objects.get(name="Fast"), clock="first_response", after_breach_minutes=0,
        notify=["assignee"],
    )  # fmt: skip
    sla_sweep(now=ticket.created_at + timedelta(minutes=11))
    [mail] = rows(recipient=agent.user, event_kind="sla.breached", channel="email")
    assert "first_response" not in mail.subject
    assert "Pierwsza odpowiedź" in mail.subject or "pierwsza" in mail.subject.lower()


def test_admins_switch_channels_off_per_event_and_audience(
    support: Department, agent: Agent
) -> None:
    from notifications.models import NotificationSwitch

    NotificationSwitch.objects.create(
        event_kind="ticket.created", audience="staff", channel="email", enabled=False
    )
    make_ticket(department=support, requester=CustomerFactory(email="g@example.com"))
    fan_out_department_alerts()
    assert {n.channel for n in rows(recipient=agent.user)} == {"in_app"}
    assert rows(address="g@example.com")  # customers still get their acknowledgement


def test_announcements_for_staff_and_customers(admin_agent: Agent, agent: Agent) -> None:
    from notifications.services import announcement_publish, announcements_for
    from ticketing.errors import InvalidInput, PermissionDenied

    now = timezone.now()
    staff_news = announcement_publish(
        actor=admin_agent, title="Maintenance", body="Tonight 22:00", audience="staff"
    )
    announcement_publish(
        actor=admin_agent, title="Holiday hours", body="Closed on Friday", audience="customers",
        starts_at=now + timedelta(days=1),
    )  # fmt: skip
    assert announcements_for(staff=True) == [staff_news]
    assert announcements_for(staff=False) == []
    assert [a.title for a in announcements_for(staff=False, at=now + timedelta(days=2))] == [
        "Holiday hours"
    ]
    with pytest.raises(PermissionDenied):
        announcement_publish(actor=agent, title="x", body="y", audience="staff")
    with pytest.raises(InvalidInput):
        announcement_publish(
            actor=admin_agent,
            title="x",
            body="y",
            audience="staff",
            ends_at=now - timedelta(days=1),
        )


def test_a_department_alert_reaches_every_agent_once_however_often_it_is_fanned_out(
    support: Department,
    engineering: Department,
    agent: Agent,
    colleague: Agent,
    engineer: Agent,
    admin_agent: Agent,
    smtp_sink: Sink,
) -> None:
    from notifications.services import DEPARTMENT_ALERT, notification_fan_out
    from ticketing.services.operations import ticket_change_status

    make_ticket(department=support, requester=CustomerFactory(email="j@example.com"),
                subject="Scanner jammed")  # fmt: skip
    # Written with the ticket: the customer's acknowledgement and one row for the whole
    # department; no agent's row yet.
    [alert] = rows(channel=DEPARTMENT_ALERT)
    assert alert.status == NotificationStatus.QUEUED
    assert not rows(recipient=agent.user)
    # The ticket changes before the worker gets to the alert.
    ticket = alert.ticket
    assert ticket is not None
    ticket_change_status(ticket=ticket, status="pending", actor=admin_agent)

    assert notification_deliver(alert.pk) == NotificationStatus.SENT
    alert.refresh_from_db()
    assert alert.status == NotificationStatus.SENT
    for member in (agent, colleague):
        assert {n.channel for n in rows(recipient=member.user)} == {"email", "in_app"}
        assert unread_count(user_id=member.user_id) == 1
    assert not rows(recipient=engineer.user)  # another department's agent
    mails = sorted(smtp_sink.messages, key=lambda m: str(m["To"]))
    assert [m["To"] for m in mails] == sorted([agent.user.email, colleague.user.email])
    assert all("Scanner jammed" in str(m["Subject"]) for m in mails)
    [in_app] = rows(recipient=agent.user, channel="in_app")
    assert ticket.reference in in_app.subject
    assert "Scanner jammed" in in_app.subject

    # Again, by the single-row task, the drain and the fan-out itself: nothing new.
    assert notification_fan_out(alert.pk) == []
    assert notification_deliver(alert.pk) == NotificationStatus.SENT
    from notifications.tasks import deliver_many

    deliver_many([alert.pk])
    assert len(rows(recipient=agent.user)) == 2
    assert len(rows(recipient=colleague.user)) == 2
    to_agents = [m for m in smtp_sink.messages if m["To"] != "j@example.com"]
    assert len(to_agents) == 2  # (the drain sent the customer's acknowledgement too)


def test_a_department_alert_is_fanned_out_within_its_tenant(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    from notifications.services import DEPARTMENT_ALERT, notification_fan_out
    from tests.ticketing.factories import AgentFactory, DepartmentFactory

    with schema_context(tenant_b.tenant.schema_name):
        b_support = DepartmentFactory.create(name="Support")
        b_agent = AgentFactory.create(departments=[b_support])
        make_ticket(department=b_support, requester=CustomerFactory())
        [b_alert] = rows(channel=DEPARTMENT_ALERT)
    with schema_context(tenant_a.tenant.schema_name):
        a_support = DepartmentFactory.create(name="Support")
        a_agent = AgentFactory.create(departments=[a_support])
        make_ticket(department=a_support, requester=CustomerFactory())
        [a_alert] = rows(channel=DEPARTMENT_ALERT)
        assert notification_fan_out(b_alert.pk) in ([], notification_fan_out(a_alert.pk))
        assert {n.recipient_id for n in rows(channel="in_app")} == {a_agent.user_id}
    with schema_context(tenant_b.tenant.schema_name):
        assert not rows(channel="in_app")  # tenant A's fan-out wrote nothing here
        notification_fan_out(b_alert.pk)
        assert {n.recipient_id for n in rows(channel="in_app")} == {b_agent.user_id}


def test_a_department_alert_waits_for_no_one_and_reaches_a_first_agent_at_once(
    support: Department,
) -> None:
    from notifications.services import DEPARTMENT_ALERT
    from tests.ticketing.factories import AgentFactory

    make_ticket(department=support, requester=CustomerFactory())
    assert not rows(channel=DEPARTMENT_ALERT)  # nobody works there yet
    newcomer = AgentFactory.create()
    newcomer.departments.add(support)  # the next ticket alerts the department's agent
    make_ticket(department=support, requester=CustomerFactory())
    assert rows(channel=DEPARTMENT_ALERT)
    fan_out_department_alerts()
    assert {n.channel for n in rows(recipient=newcomer.user)} == {"email", "in_app"}

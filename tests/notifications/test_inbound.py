"""Inbound email: real SMTP into the inbound server, a corpus of real-world messages,
threading that never lets a stranger into someone else's ticket, nothing dropped."""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django_tenants.utils import schema_context

from notifications.inbound.parse import parse_email, strip_quoted
from notifications.inbound.process import inbound_receive
from notifications.inbound.smtp import InboundHandler
from notifications.models import InboundEmail, InboundStatus, Notification
from tests.conftest import TenantUnderTest
from tests.smtp import free_port
from tests.threads import committed_by
from tests.ticketing.factories import CustomerFactory, make_ticket
from ticketing.models import Agent, Contact, Department, Ticket

CORPUS = Path(__file__).parent / "corpus"
ALPHA = "support@alpha.localhost"


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "subject", "text"),
    [
        ("plain_utf8.eml", "Drukarka nie działa", "drukarka w biurze"),
        ("html_only.eml", "VPN down", "The VPN is down."),
        ("persian_windows1256.eml", "قطعي اينترنت", "دفتر قطع شده"),
        ("chinese_gb2312.eml", "打印机故障", "打印机无法连接网络"),
        ("polish_iso88592_qp.eml", "Serwer nie odpowiada", "Zażółć gęślą jaźń"),
        ("forwarded.eml", "Fwd: Broken", "It is broken."),
    ],
)
def test_corpus_messages_parse_in_every_charset(name: str, subject: str, text: str) -> None:
    parsed = parse_email(corpus(name))
    assert parsed.subject == subject
    assert text in parsed.text
    assert not parsed.automated
    assert "alert" not in parsed.text  # scripts and styles of HTML mail are dropped
    assert "color:red" not in parsed.text


@pytest.mark.parametrize("name", ["auto_reply.eml", "bounce.eml", "bulk.eml"])
def test_automated_mail_is_recognised(name: str) -> None:
    assert parse_email(corpus(name)).automated


def test_quoted_history_and_signatures_are_stripped() -> None:
    reply = (
        "Thanks, it works now.\n\n"
        "On Mon, 23 Nov 2026 at 10:00, Support wrote:\n> Please restart it."
    )
    assert strip_quoted(reply) == "Thanks, it works now."
    assert (
        strip_quoted("Dziękuję!\n\nW dniu 23.11.2026 o 10:00 Pomoc pisze:\n> cytat") == "Dziękuję!"
    )
    assert strip_quoted("谢谢\n\n张三 写道：\n> 原文") == "谢谢"
    assert strip_quoted("Done.\n-- \nJan Kowalski\nACME") == "Done."


@pytest.fixture
def inbound_server(in_alpha: TenantUnderTest) -> Iterator[int]:
    controller = Controller(InboundHandler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port
    controller.stop()


def test_mail_sent_over_smtp_opens_a_ticket(inbound_server: int, in_alpha: TenantUnderTest) -> None:
    """The server hands messages to Django on another thread and connection, so what it
    writes is committed: the department it needs is committed first, and all of it is
    removed at the end."""
    tenant = in_alpha.tenant
    desk = committed_by(tenant, lambda: Department.objects.create(name="Mail desk").pk)
    try:
        with smtplib.SMTP("127.0.0.1", inbound_server) as client:
            client.sendmail("jan.kowalski@example.pl", [ALPHA], corpus("plain_utf8.eml"))
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.sendmail(
                    "x@example.com", ["support@nosuch.localhost"], corpus("plain_utf8.eml")
                )
        stored = InboundEmail.objects.get(message_id="<plain-1@example.pl>")
        assert stored.status == InboundStatus.PROCESSED, stored.reason
        ticket = Ticket.objects.get(pk=stored.ticket_id)
        assert ticket.subject == "Drukarka nie działa"
        assert ticket.channel == "email"
        assert ticket.department_id == desk
        assert ticket.requester is not None
        assert ticket.requester.email == "jan.kowalski@example.pl"
    finally:

        def clean_up() -> None:
            mails = InboundEmail.objects.filter(message_id="<plain-1@example.pl>")
            tickets = Ticket.objects.filter(pk__in=mails.values("ticket_id"))
            contacts = [t.requester_id for t in tickets]
            Notification.objects.filter(ticket__in=tickets).delete()
            tickets.delete()
            mails.delete()
            Contact.objects.filter(pk__in=contacts).delete()
            Department.objects.filter(pk=desk).delete()

        committed_by(tenant, clean_up)


def test_corpus_through_the_pipeline(support: Department) -> None:
    outcomes = {name: inbound_receive(raw=corpus(name), recipients=[ALPHA]) for name in (
        "html_only.eml", "persian_windows1256.eml", "chinese_gb2312.eml", "polish_iso88592_qp.eml",
        "attachment_pdf_and_exe.eml", "auto_reply.eml", "bounce.eml", "bulk.eml", "garbage.eml",
    )}  # fmt: skip
    status = {name: result[0].status for name, result in outcomes.items()}
    assert (
        status["auto_reply.eml"]
        == status["bounce.eml"]
        == status["bulk.eml"]
        == InboundStatus.IGNORED
    )
    assert status["garbage.eml"] == InboundStatus.FAILED
    assert status["html_only.eml"] == InboundStatus.PROCESSED
    garbage = InboundEmail.objects.get(pk=outcomes["garbage.eml"][0].inbound_id)
    assert bytes(garbage.raw) == corpus("garbage.eml")  # kept raw, listed for admins
    invoice = Ticket.objects.get(number=outcomes["attachment_pdf_and_exe.eml"][0].ticket_number)
    assert [a.filename for a in invoice.attachments.all()] == ["invoice.pdf"]
    stored = InboundEmail.objects.get(pk=outcomes["attachment_pdf_and_exe.eml"][0].inbound_id)
    assert "tool.exe" in stored.reason
    assert Ticket.objects.filter(subject="قطعي اينترنت").exists()
    assert not Ticket.objects.filter(
        subject__in=["Weekly news", "Automatic reply: Your request"]
    ).exists()


def _reply(
    *, sender: str, subject: str, in_reply_to: str = "", body: str = "Still broken."
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ALPHA
    message["Subject"] = subject
    message["Message-ID"] = f"<reply-{abs(hash((sender, subject, in_reply_to)))}@example.com>"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(f"{body}\n\nOn Mon, 23 Nov 2026, Support wrote:\n> earlier text")
    return message.as_bytes()


def test_replies_thread_by_headers_and_by_number_only_for_participants(
    support: Department, agent: Agent
) -> None:
    customer = CustomerFactory(email="carla@example.com")
    ticket = make_ticket(department=support, requester=customer, subject="Router")
    thread = Notification.objects.filter(ticket=ticket).first()
    assert thread is not None
    # a reply from the customer to our mail: threaded by In-Reply-To, history stripped
    [result] = inbound_receive(
        raw=_reply(sender="carla@example.com", subject="Re: Router", in_reply_to=thread.thread_id),
        recipients=[ALPHA],
    )
    assert result.ticket_number == ticket.number
    assert ticket.messages.get(email_message_id__startswith="<reply-").body == "Still broken."
    # the number in the subject threads for a participant...
    [by_number] = inbound_receive(
        raw=_reply(
            sender=agent.user.email, subject=f"Re: [{ticket.reference}] Router", body="On it."
        ),
        recipients=[ALPHA],
    )
    assert by_number.ticket_number == ticket.number
    # ...but a stranger quoting it opens a ticket of their own
    [stranger] = inbound_receive(
        raw=_reply(sender="mallory@evil.example", subject=f"[{ticket.reference}] Router"),
        recipients=[ALPHA],
    )
    assert stranger.ticket_number != ticket.number
    assert not ticket.messages.filter(author_name__icontains="mallory").exists()


def test_cc_addresses_become_watchers_and_loops_are_stopped(support: Department) -> None:
    message = EmailMessage()
    message["From"] = "boss@example.com"
    message["To"] = ALPHA
    message["Cc"] = "assistant@example.com"
    message["Subject"] = "Need help"
    message["Message-ID"] = "<cc-1@example.com>"
    message.set_content("Please call me.")
    [result] = inbound_receive(raw=message.as_bytes(), recipients=[ALPHA])
    ticket = Ticket.objects.get(number=result.ticket_number)
    assert [c.email for c in ticket.cc_contacts.all()] == ["assistant@example.com"]
    statuses = [
        inbound_receive(
            raw=_reply(sender="loop@example.com", subject=f"Loop {i}"), recipients=[ALPHA]
        )[0].status
        for i in range(25)
    ]
    assert statuses[-1] == InboundStatus.REFUSED
    assert statuses.count(InboundStatus.REFUSED) >= 3


def test_mail_for_tenant_a_never_lands_in_tenant_b(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    with schema_context(tenant_a.tenant.schema_name):
        make_ticket(subject="seed")  # a department to receive mail
    with schema_context(tenant_b.tenant.schema_name):
        make_ticket(subject="seed")
        before = Ticket.objects.count()
    [result] = inbound_receive(raw=corpus("html_only.eml"), recipients=[ALPHA])
    assert result.schema_name == "t_alpha"
    with schema_context(tenant_b.tenant.schema_name):
        assert Ticket.objects.count() == before
        assert not InboundEmail.objects.exists()


def test_http_endpoint_needs_the_shared_secret(tenant_a: TenantUnderTest, settings: Any) -> None:
    settings.INBOUND_EMAIL_SECRET = "s3cret"
    with schema_context(tenant_a.tenant.schema_name):
        make_ticket(subject="seed")
    client = Client(HTTP_HOST="localhost")
    url = f"/inbound/email/?recipient={ALPHA}"
    refused = client.post(url, corpus("html_only.eml"), content_type="message/rfc822")
    assert refused.status_code == 403
    accepted = client.post(
        url,
        corpus("html_only.eml"),
        content_type="message/rfc822",
        headers={"X-Caseway-Inbound-Secret": "s3cret"},
    )
    assert accepted.status_code == 202
    assert accepted.json()["delivered"][0]["status"] == "processed"
    assert threading.active_count() >= 1

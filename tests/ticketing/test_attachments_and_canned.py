"""Attachments are checked by content; canned responses render in a sandbox; tickets
auto-close."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from tenants.models import TenantSettings
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import CustomerFactory, make_ticket
from ticketing.errors import AttachmentRejected, InvalidInput
from ticketing.models import Agent, Attachment, CannedResponse, Department, Ticket, TicketStatus
from ticketing.services.attachments import attachment_check
from ticketing.services.canned import canned_render
from ticketing.services.conversation import reply_from_agent
from ticketing.services.lifecycle import tickets_auto_close
from ticketing.services.operations import ticket_change_status

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(tmp_path: object, settings: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]


def test_files_are_stored_with_the_ticket(support: Department, in_alpha: TenantUnderTest) -> None:
    upload = io.BytesIO(PNG)
    upload.name = "screenshot.png"
    ticket = make_ticket(department=support, attachments=[upload, ("notes.txt", "zażółć".encode())])
    stored = {a.filename: a for a in Attachment.objects.filter(ticket=ticket)}
    assert set(stored) == {"screenshot.png", "notes.txt"}
    assert stored["screenshot.png"].content_type == "image/png"
    assert stored["notes.txt"].content_type == "text/plain"
    path = str(stored["screenshot.png"].file.name)
    assert path.startswith("t_alpha/attachments/")
    assert default_storage.open(path).read() == PNG


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.pdf", EXE, "not accepted"),
        ("photo.png", PDF, "does not contain what its name says"),
        ("empty.txt", b"", "is empty"),
        ("program.exe", EXE, "not accepted"),
        ("binary.txt", b"\x00\x01\x02", "not accepted"),
    ],
)
def test_files_are_checked_by_content(
    in_alpha: TenantUnderTest, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(AttachmentRejected, match=message):
        attachment_check(filename=name, content=content)


def test_tenant_limits_apply(in_alpha: TenantUnderTest, support: Department) -> None:
    TenantSettings.objects.filter(tenant=in_alpha.tenant).update(
        max_attachment_mb=1, allowed_attachment_types=["application/pdf"]
    )
    assert attachment_check(filename="a.pdf", content=PDF).content_type == "application/pdf"
    with pytest.raises(AttachmentRejected, match="larger than 1 MB"):
        attachment_check(filename="big.pdf", content=PDF + b"0" * 1024 * 1024)
    with pytest.raises(AttachmentRejected, match="image/png"):
        attachment_check(filename="a.png", content=PNG)
    # a rejected file leaves no ticket and nothing in storage behind
    count = Ticket.objects.count()
    with pytest.raises(AttachmentRejected):
        make_ticket(department=support, attachments=[("ok.pdf", PDF), ("bad.png", PNG)])
    assert Ticket.objects.count() == count


def test_canned_response_placeholders(support: Department, agent: Agent) -> None:
    ticket = make_ticket(department=support, requester=CustomerFactory(full_name="Carla Nowak"))
    response = CannedResponse.objects.create(
        title="Greeting",
        body="Hi {{ customer.first_name }}, about {{ ticket.number }}: "
        "{{ agent.first_name }} here.",
    )
    text = canned_render(response=response, ticket=ticket, agent=agent)
    assert text == f"Hi Carla, about {ticket.reference}: Ava here."


@pytest.mark.parametrize(
    "source",
    [
        "{{ ticket.requester.user.password }}",
        "{{ settings.SECRET_KEY }}",
        "{{ customer.__class__ }}",
        "{{ customer.first_name|upper }}",
        "{{ agent }}",
    ],
)
def test_unknown_placeholders_are_refused(support: Department, agent: Agent, source: str) -> None:
    ticket = make_ticket(department=support)
    with pytest.raises(InvalidInput, match="Unknown placeholders"):
        canned_render(response=source, ticket=ticket, agent=agent)


def test_template_tags_are_not_interpreted(support: Department, agent: Agent) -> None:
    ticket = make_ticket(department=support)
    source = "{% load static %}{% include '404.html' %}{% debug %}"
    assert canned_render(response=source, ticket=ticket, agent=agent) == source


def test_auto_close(support: Department, agent: Agent) -> None:
    resolved = make_ticket(department=support)
    ticket_change_status(ticket=resolved, status="resolved", actor=agent)
    pending = make_ticket(department=support)
    reply_from_agent(ticket=pending, agent=agent, body="Which model?", next_status="pending")
    fresh = make_ticket(department=support)
    ticket_change_status(ticket=fresh, status="resolved", actor=agent)
    long_ago = timezone.now() - timedelta(days=30)
    Ticket.objects.filter(pk__in=[resolved.pk, pending.pk]).update(status_changed_at=long_ago)
    assert tickets_auto_close() == 2
    assert tickets_auto_close() == 0  # idempotent
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert statuses[resolved.pk] == statuses[pending.pk] == TicketStatus.CLOSED
    assert statuses[fresh.pk] == TicketStatus.RESOLVED
    assert Ticket.objects.get(pk=pending.pk).events.last().actor_name == "System"  # type: ignore[union-attr]

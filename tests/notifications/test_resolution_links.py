"""One-click answers in the "resolved" email, followed from the mail as delivered over
real SMTP (aiosmtpd): GET only shows a page (mail scanners prefetch links), POST makes
the change through the ticketing services (on the timeline); links are bound to their
tenant, their purpose and their resolution, expire, and respect the reopen window."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from notifications.models import Notification, NotificationStatus
from notifications.services import notification_deliver
from tests.conftest import TenantUnderTest
from tests.smtp import Sink
from tests.ticketing.factories import CustomerFactory, make_ticket
from ticketing.models import Agent, Department, Ticket, TicketEvent
from ticketing.services.operations import ticket_change_status
from ticketing.services.resolution import LinkPurpose, resolution_link_token

LINK = re.compile(r"https?://(?P<host>[^/\s]+)(?P<path>/(?:solved|reopen)/[^/\s]+/)")


def _resolved_email(
    support: Department, agent: Agent, sink: Sink, email: str
) -> tuple[Ticket, Any]:
    ticket = make_ticket(department=support, requester=CustomerFactory(email=email))
    ticket_change_status(ticket=ticket, status="resolved", actor=agent)
    row = Notification.objects.get(address=email, event_kind="ticket.status_changed")
    assert notification_deliver(row.pk) == NotificationStatus.SENT
    return Ticket.objects.get(pk=ticket.pk), sink.messages[-1]


def _links(mail: Any, host: str) -> dict[str, str]:
    text = mail.get_body(("plain",)).get_content()
    found = {m.group("path").split("/")[1]: m for m in LINK.finditer(text)}
    assert set(found) == {"solved", "reopen"}, text
    assert {m.group("host") for m in found.values()} == {host}  # the tenant's portal host
    html = mail.get_body(("html",)).get_content()
    assert f'href="{found["solved"].group(0)}"' in html
    return {purpose: m.group("path") for purpose, m in found.items()}


def test_yes_solved_closes_the_ticket_on_post_only(
    in_alpha: TenantUnderTest, support: Department, agent: Agent, smtp_sink: Sink
) -> None:
    ticket, mail = _resolved_email(support, agent, smtp_sink, "carla@example.com")
    links = _links(mail, in_alpha.host)
    client = in_alpha.client()  # not signed in

    page = client.get(links["solved"])  # what a mail scanner does
    assert page.status_code == 200
    assert "Yes, this is solved" in page.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"

    done = client.post(links["solved"])
    assert done.status_code == 200
    assert 'data-state="done"' in done.content.decode()
    closed = Ticket.objects.get(pk=ticket.pk)
    assert closed.status == "closed"
    event = TicketEvent.objects.filter(ticket=ticket, after__status="closed").get()
    assert event.note == "The customer confirmed the solution from the email."
    assert event.actor_name == closed.requester.full_name  # type: ignore[union-attr]

    again = client.post(links["solved"])  # a double click changes nothing more
    assert 'data-state="done"' in again.content.decode()
    assert TicketEvent.objects.filter(ticket=ticket, after__status="closed").count() == 1


def test_no_reopen_with_a_comment_reopens_and_the_yes_link_then_no_longer_applies(
    in_alpha: TenantUnderTest, support: Department, agent: Agent, smtp_sink: Sink
) -> None:
    ticket, mail = _resolved_email(support, agent, smtp_sink, "dan@example.com")
    links = _links(mail, in_alpha.host)
    client = in_alpha.client()
    page = client.get(links["reopen"])
    assert page.status_code == 200
    assert 'name="comment"' in page.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"

    response = client.post(links["reopen"], {"comment": "The printer jams again."})
    assert response.status_code == 200
    reopened = Ticket.objects.get(pk=ticket.pk)
    assert reopened.status == "open"
    assert reopened.reopened_count == 1
    assert reopened.messages.filter(body="The printer jams again.", from_staff=False).exists()
    assert TicketEvent.objects.filter(ticket=ticket, kind="ticket.reopened").count() == 1

    stale = client.post(links["solved"])
    assert 'data-state="stale"' in stale.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "open"
    # Already open: a second submit changes nothing and adds no second comment.
    assert client.post(links["reopen"], {"comment": "The printer jams again."}).status_code == 200
    assert reopened.messages.filter(body="The printer jams again.").count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="ticket.reopened").count() == 1


def test_links_are_refused_on_another_tenants_host_and_for_another_purpose(
    in_alpha: TenantUnderTest,
    tenant_b: TenantUnderTest,
    support: Department,
    agent: Agent,
    smtp_sink: Sink,
) -> None:
    ticket, mail = _resolved_email(support, agent, smtp_sink, "erin@example.com")
    links = _links(mail, in_alpha.host)
    other = tenant_b.client()
    assert other.get(links["solved"]).status_code == 404
    assert other.post(links["solved"]).status_code == 404
    assert other.post(links["reopen"]).status_code == 404
    token = links["solved"].split("/")[2]
    assert in_alpha.client().post(f"/reopen/{token}/").status_code == 404  # single-purpose
    assert in_alpha.client().post(f"/solved/{token}x/").status_code == 404  # tampered
    with schema_context(in_alpha.tenant.schema_name):
        assert Ticket.objects.get(pk=ticket.pk).status == "resolved"


def test_reopen_is_refused_after_the_reopen_window_with_a_clear_page(
    in_alpha: TenantUnderTest, support: Department, agent: Agent, smtp_sink: Sink
) -> None:
    ticket, mail = _resolved_email(support, agent, smtp_sink, "fay@example.com")
    links = _links(mail, in_alpha.host)
    client = in_alpha.client()
    client.post(links["solved"])
    # Still inside the window, the customer may change their mind...
    assert client.get(links["reopen"]).status_code == 200
    # ...but not 15 days after closing (the default window is 14 days).
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=timezone.now() - timedelta(days=15))
    refused = client.post(links["reopen"])
    assert refused.status_code == 410
    assert "closed too long ago" in refused.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"


def test_expired_links_are_refused(
    in_alpha: TenantUnderTest, support: Department, agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = make_ticket(department=support, requester=CustomerFactory(email="gus@example.com"))
    ticket = ticket_change_status(ticket=ticket, status="resolved", actor=agent)
    real_time = time.time
    with monkeypatch.context() as past:
        past.setattr(time, "time", lambda: real_time() - 31 * 86400)
        token = resolution_link_token(ticket=ticket, purpose=LinkPurpose.CONFIRM)
    response = in_alpha.client().post(f"/solved/{token}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"


def test_web_addresses_become_links_in_the_html_part_without_quotes_or_punctuation() -> None:
    import html

    from notifications.services import _linked

    text = 'See "https://x.example/a?b=1&c=2". Or (https://x.example/b).'
    assert _linked(html.escape(text)) == (
        'See &quot;<a href="https://x.example/a?b=1&amp;c=2">https://x.example/a?b=1&amp;c=2</a>'
        '&quot;. Or (<a href="https://x.example/b">https://x.example/b</a>).'
    )

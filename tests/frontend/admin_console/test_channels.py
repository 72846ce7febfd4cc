"""The admin console's channels page: support addresses and where to forward them (mail
to a forwarding address lands in its department), the SMS sender line and the tenant's
own Kavenegar key (Kavenegar's HTTPS endpoint faked at the ``requests`` layer)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from notifications import quotas
from notifications.inbound.process import inbound_receive
from notifications.models import Notification, NotificationStatus, SmsChannel
from notifications.services import notification_deliver
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import CustomerFactory, make_ticket
from ticketing.models import Agent, Department, Ticket

pytestmark = pytest.mark.django_db

FACTORY_PASSWORD = "pass-word-123"
OWN_KEY = "AlphaOwnKey0123456789abcdef"


@pytest.fixture
def admin(in_alpha: TenantUnderTest) -> Client:
    return in_alpha.signed_in_client(in_alpha.admin.email)


@pytest.fixture
def kavenegar(monkeypatch: pytest.MonkeyPatch, settings: Any) -> list[tuple[str, dict[str, str]]]:
    settings.SMS_BACKEND = "kavenegar"
    settings.KAVENEGAR_API_KEY = "platform-key-000000000000"
    settings.KAVENEGAR_SENDER = "10000001"
    sent: list[tuple[str, dict[str, str]]] = []

    class FakeResponse:
        content = b'{"return": {"status": 200, "message": "ok"}, "entries": [{"messageid": 5}]}'

    def fake_post(url: str, headers: Any = None, auth: Any = None, data: Any = None) -> Any:
        sent.append((url, data))
        return FakeResponse()

    monkeypatch.setattr("kavenegar.requests.post", fake_post)
    return sent


def _send_sms_to_a_customer(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    customer = CustomerFactory(phone=phone, preferred_channel="sms", email=f"{digits}@sms.example")
    make_ticket(requester=customer)
    sms = Notification.objects.get(channel="sms", address=phone)
    return notification_deliver(sms.pk)


def _mail(to: str, subject: str) -> bytes:
    message = EmailMessage()
    message["From"] = "dana@customer.example"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.replace(' ', '-')}@customer.example>"
    message.set_content("Please help.")
    return message.as_bytes()


def test_the_page_lists_where_to_forward_each_address_and_forwarded_mail_lands_there(
    admin: Client, in_alpha: TenantUnderTest
) -> None:
    Department.objects.create(name="General")  # the first department: the default
    billing = Department.objects.create(name="Billing", email_address="billing@alpha.example")
    billing_de = Department.objects.create(name="Billing DE", email_address="billing@alpha.de")
    Department.objects.create(name="Sales")
    page = admin.get("/admin-console/channels/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "support@alpha.localhost" in html
    assert "billing@alpha.localhost" in html
    assert f"billing-{billing_de.pk}@alpha.localhost" in html  # the same local part twice
    assert "none yet" in html  # Sales has no address of its own

    [result] = inbound_receive(
        raw=_mail("billing@alpha.example", "Invoice twice"),
        recipients=["billing@alpha.localhost"],  # the forwarding address (envelope)
    )
    assert Ticket.objects.get(number=result.ticket_number).department == billing
    [result] = inbound_receive(
        raw=_mail("billing@alpha.de", "Rechnung"),
        recipients=[f"billing-{billing_de.pk}@alpha.localhost"],
    )
    assert Ticket.objects.get(number=result.ticket_number).department == billing_de
    [result] = inbound_receive(
        raw=_mail("hello@alpha.localhost", "Hello"), recipients=["hello@alpha.localhost"]
    )
    assert Ticket.objects.get(number=result.ticket_number).department.name == "General"


def test_own_kavenegar_key_is_stored_encrypted_used_for_sms_and_not_metered(
    admin: Client,
    in_alpha: TenantUnderTest,
    kavenegar: list[tuple[str, dict[str, str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    response = admin.post("/admin-console/channels/", {"sender": "3000 5555", "api_key": OWN_KEY})
    assert response.status_code == 302
    channel = SmsChannel.objects.get(pk=1)
    assert channel.sender == "30005555"
    assert channel.kavenegar_api_key
    assert OWN_KEY not in channel.kavenegar_api_key
    page = admin.get("/admin-console/channels/").content.decode()
    assert OWN_KEY not in page
    assert "your own Kavenegar account, from line 30005555" in page
    entry = AuditEntry.objects.get(action="channels.sms_updated")
    assert entry.changes["api_key"] == ["", "set"]
    assert OWN_KEY not in str(entry.changes)

    # The plan's SMS quota is used up — but these SMS are the tenant's own.
    monkeypatch.setattr(quotas, "_allowed", [lambda schema: False])
    counted: list[str] = []
    monkeypatch.setattr(quotas, "_sent", [counted.append])
    assert _send_sms_to_a_customer("+98 912 111 2222") == NotificationStatus.SENT
    url, data = kavenegar[-1]
    assert url == f"https://api.kavenegar.com/v1/{OWN_KEY}/sms/send.json"
    assert data == {"receptor": "+98 912 111 2222", "message": data["message"],
                    "sender": "30005555"}  # fmt: skip
    assert counted == []

    # Removing the key goes back to the platform's gateway (and its quota).
    admin.post("/admin-console/channels/", {"sender": "30005555", "remove_key": "on"})
    monkeypatch.setattr(quotas, "_allowed", [])
    assert _send_sms_to_a_customer("+98 912 111 3333") == NotificationStatus.SENT
    url, data = kavenegar[-1]
    assert url == "https://api.kavenegar.com/v1/platform-key-000000000000/sms/send.json"
    assert data["sender"] == "30005555"  # the tenant's line on the platform's account
    assert counted == [in_alpha.tenant.schema_name]


def test_invalid_sms_settings_are_field_errors_keeping_what_was_typed(admin: Client) -> None:
    response = admin.post("/admin-console/channels/", {"sender": "", "api_key": OWN_KEY})
    assert response.status_code == 400
    assert response.context["form"].errors["sender"]
    response = admin.post("/admin-console/channels/", {"sender": "12ab", "api_key": "short"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["sender"]
    assert errors["api_key"]
    assert 'value="12ab"' in response.content.decode()
    assert not SmsChannel.objects.filter(kavenegar_api_key__gt="").exists()


def test_agents_cannot_open_the_channels_page(in_alpha: TenantUnderTest, agent: Agent) -> None:
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    assert client.get("/admin-console/channels/").status_code == 403
    assert client.post("/admin-console/channels/", {"sender": "10001"}).status_code == 403
    assert not SmsChannel.objects.exists()


def test_a_tenants_key_and_line_never_serve_another_tenant(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest,
    kavenegar: list[tuple[str, dict[str, str]]],
) -> None:  # fmt: skip
    admin_a = tenant_a.signed_in_client(tenant_a.admin.email)
    assert admin_a.post(
        "/admin-console/channels/", {"sender": "30005555", "api_key": OWN_KEY}
    ).status_code == 302  # fmt: skip
    admin_b = tenant_b.signed_in_client(tenant_b.admin.email)
    page_b = admin_b.get("/admin-console/channels/").content.decode()
    assert "30005555" not in page_b
    assert "support@bravo.localhost" in page_b
    with schema_context(tenant_b.tenant.schema_name):
        assert not SmsChannel.objects.exists()
        assert _send_sms_to_a_customer("+98 912 222 4444") == NotificationStatus.SENT
    url, data = kavenegar[-1]
    assert url == "https://api.kavenegar.com/v1/platform-key-000000000000/sms/send.json"
    assert data["sender"] == "10000001"

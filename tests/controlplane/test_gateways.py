"""Operator gateway settings (/ops/gateways/): SMTP, Kavenegar and file storage saved in
the public schema, secrets encrypted and never shown back, every change audited, and
delivery using them (else the environment) as soon as they are saved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django_tenants.utils import schema_context
from moto import mock_aws

from accounts.models import User
from audit.models import AuditEntry
from controlplane.gateways import gateway_cache_clear, mail_gateway, sms_platform_route
from controlplane.models import GatewaySettings
from controlplane.services import gateway_settings_update
from notifications.models import Notification, NotificationStatus
from notifications.services import notification_deliver
from tests.conftest import PASSWORD, TenantUnderTest
from tests.smtp import Sink
from tests.ticketing.factories import CustomerFactory, make_ticket
from ticketing.models import Attachment, Department

pytestmark = pytest.mark.django_db

KAVENEGAR_URL = "https://api.kavenegar.com/v1/{key}/sms/send.json"


@pytest.fixture(autouse=True)
def _no_cached_gateways() -> Iterator[None]:
    """The platform cache outlives each test's rolled-back transaction."""
    gateway_cache_clear()
    yield
    gateway_cache_clear()


@pytest.fixture
def operator(db: None) -> Client:
    user = User.objects.create_user("gateway-ops@example.com", PASSWORD, is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    client = Client(HTTP_HOST="localhost")
    assert client.login(email="gateway-ops@example.com", password=PASSWORD)
    return client


@pytest.fixture
def kavenegar(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, str]]]:
    """Kavenegar's HTTPS endpoint, faked at the ``requests`` layer."""
    sent: list[tuple[str, dict[str, str]]] = []

    class FakeResponse:
        content = b'{"return": {"status": 200, "message": "ok"}, "entries": [{"messageid": 77}]}'

    def fake_post(url: str, headers: Any = None, auth: Any = None, data: Any = None) -> Any:
        sent.append((url, data))
        return FakeResponse()

    monkeypatch.setattr("kavenegar.requests.post", fake_post)
    return sent


def smtp_form(sink_port: int, **overrides: str) -> dict[str, Any]:
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": str(sink_port),
        "smtp_security": "none",
        "smtp_username": "",
        "smtp_password": "",
        "smtp_from_email": "Caseway Ops <ops@platform.example>",
        "kavenegar_api_key": "",
        "kavenegar_sender": "",
        "storage_backend": "",
        **overrides,
    }


def test_saved_smtp_server_carries_tenant_mail_and_the_test_email(
    operator: Client,
    smtp_sink: Sink,
    settings: Any,
    tenant_a: TenantUnderTest,
) -> None:
    # The environment's mail goes nowhere useful; only the console's server reaches the sink.
    settings.EMAIL_BACKEND = "controlplane.mail.GatewayEmailBackend"
    settings.ENVIRONMENT_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = operator.post("/ops/gateways/", smtp_form(settings.EMAIL_PORT))
    assert response.status_code == 302
    assert mail_gateway() is not None

    response = operator.post("/ops/gateways/test-email/", {"to": "check@example.com"}, follow=True)
    assert "Sent to check@example.com" in response.content.decode()
    [test_mail] = smtp_sink.messages
    assert test_mail["To"] == "check@example.com"
    assert test_mail["From"] == "Caseway Ops <ops@platform.example>"

    with schema_context(tenant_a.tenant.schema_name):
        ticket = make_ticket(requester=CustomerFactory(email="carla@example.com"))
        row = Notification.objects.get(address="carla@example.com")
        assert notification_deliver(row.pk) == NotificationStatus.SENT
    assert smtp_sink.messages[-1]["To"] == "carla@example.com"
    assert ticket.reference in smtp_sink.messages[-1]["Subject"]
    with schema_context("public"):
        assert AuditEntry.objects.filter(action="gateways.updated").exists()
        assert AuditEntry.objects.filter(action="gateways.test_email").exists()


def test_secrets_are_encrypted_never_shown_and_audited_as_set(
    operator: Client, settings: Any
) -> None:
    form = smtp_form(2525, smtp_username="mailer", smtp_password="hunter2-smtp-secret")
    assert operator.post("/ops/gateways/", form).status_code == 302
    stored = GatewaySettings.objects.get(pk=1)
    assert stored.smtp_password
    assert "hunter2" not in stored.smtp_password
    gateway = mail_gateway()
    assert gateway is not None
    assert gateway.password == "hunter2-smtp-secret"

    page = operator.get("/ops/gateways/").content.decode()
    assert "hunter2" not in page
    assert "Set. Leave empty to keep it" in page
    entry = AuditEntry.objects.get(action="gateways.updated")
    assert entry.changes["smtp_password"] == ["", "set"]
    assert "hunter2" not in str(entry.changes)

    # Saving again with the password left empty keeps it.
    assert operator.post("/ops/gateways/", {**form, "smtp_password": ""}).status_code == 302
    assert mail_gateway().password == "hunter2-smtp-secret"  # type: ignore[union-attr]
    # Removing it is explicit, and a user name then needs a password.
    response = operator.post(
        "/ops/gateways/", {**form, "smtp_password": "", "smtp_password_remove": "on"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["smtp_password"]


def test_invalid_settings_are_field_errors_and_keep_what_was_typed(operator: Client) -> None:
    response = operator.post(
        "/ops/gateways/",
        smtp_form(
            25,
            smtp_host="not a host!",
            smtp_from_email="nobody",
            kavenegar_sender="12ab",
            storage_backend="s3",
            s3_bucket="Bad_Bucket",
            s3_access_key_id="AKIAEXAMPLE",
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {
        "smtp_host", "smtp_from_email", "kavenegar_sender", "kavenegar_api_key", "s3_bucket",
        "s3_secret_access_key",
    }  # fmt: skip
    assert 'value="AKIAEXAMPLE"' in response.content.decode()
    assert not GatewaySettings.objects.filter(smtp_host="not a host!").exists()


def test_sms_uses_the_console_key_over_the_environment(
    operator: Client, settings: Any, kavenegar: list[tuple[str, dict[str, str]]],
    tenant_a: TenantUnderTest,
) -> None:  # fmt: skip
    settings.SMS_BACKEND = "kavenegar"
    settings.KAVENEGAR_API_KEY = "environment-key-0000000000"
    settings.KAVENEGAR_SENDER = "10001111"
    assert sms_platform_route().source == "environment"
    form = smtp_form(
        25,
        smtp_host="",
        smtp_port="",
        smtp_from_email="",
        kavenegar_api_key="ConsoleKey1234567890abcdef",
        kavenegar_sender="1000 2222",
    )
    assert operator.post("/ops/gateways/", form).status_code == 302
    assert GatewaySettings.objects.get(pk=1).kavenegar_sender == "10002222"

    response = operator.post("/ops/gateways/test-sms/", {"to": "+98 912 000 1111"}, follow=True)
    assert "Sent to +98 912 000 1111" in response.content.decode()
    url, data = kavenegar[-1]
    assert url == KAVENEGAR_URL.format(key="ConsoleKey1234567890abcdef")
    assert data == {
        "receptor": "+98 912 000 1111",
        "message": data["message"],
        "sender": "10002222",
    }

    with schema_context(tenant_a.tenant.schema_name):
        customer = CustomerFactory(phone="+98 912 000 3333", preferred_channel="sms", email="")
        make_ticket(requester=customer)
        sms = Notification.objects.get(channel="sms", address="+98 912 000 3333")
        assert notification_deliver(sms.pk) == NotificationStatus.SENT
    url, data = kavenegar[-1]
    assert url == KAVENEGAR_URL.format(key="ConsoleKey1234567890abcdef")
    assert data["sender"] == "10002222"
    assert AuditEntry.objects.filter(action="gateways.test_sms", target="+98 912 000 1111").exists()


def test_a_failing_test_sms_is_a_clear_message(
    operator: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway_settings_update(
        actor=None, values={"kavenegar_sender": "10002222"},
        secrets={"kavenegar_api_key": "ConsoleKey1234567890abcdef"},
    )  # fmt: skip

    class Refused:
        content = b'{"return": {"status": 418, "message": "sender is not yours"}, "entries": null}'

    monkeypatch.setattr("kavenegar.requests.post", lambda *a, **k: Refused())
    response = operator.post("/ops/gateways/test-sms/", {"to": "+98 912 000 1111"}, follow=True)
    assert "The test failed" in response.content.decode()
    assert "sender is not yours" in response.content.decode()
    bad = operator.post("/ops/gateways/test-sms/", {"to": "call me"})
    assert bad.status_code == 400
    assert bad.context["test_sms"].errors["to"]


def test_saving_invalidates_the_cached_settings_at_once(operator: Client) -> None:
    assert mail_gateway() is None  # cached: nothing set
    gateway_settings_update(actor=None, values={"smtp_host": "smtp.one.example"}, secrets={})
    assert mail_gateway().host == "smtp.one.example"  # type: ignore[union-attr]
    gateway_settings_update(actor=None, values={"smtp_host": "smtp.two.example"}, secrets={})
    assert mail_gateway().host == "smtp.two.example"  # type: ignore[union-attr]


def test_files_go_to_the_bucket_the_operator_chose(
    operator: Client, monkeypatch: pytest.MonkeyPatch, tenant_a: TenantUnderTest
) -> None:
    bucket = "caseway-console-bucket"
    with mock_aws():
        s3 = boto3.client(
            "s3",
            region_name="eu-central-1",
            aws_access_key_id="AKIACONSOLE",
            aws_secret_access_key="console-secret",
        )
        s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
        )
        form = smtp_form(
            25,
            smtp_host="",
            smtp_port="",
            smtp_from_email="",
            storage_backend="s3",
            s3_bucket=bucket,
            s3_region="eu-central-1",
            s3_access_key_id="AKIACONSOLE",
            s3_secret_access_key="console-secret",
        )
        assert operator.post("/ops/gateways/", form).status_code == 302
        with schema_context(tenant_a.tenant.schema_name):
            support = Department.objects.create(name="Storage desk")
            ticket = make_ticket(department=support, attachments=[("log.txt", b"from the console")])
            key = str(Attachment.objects.get(ticket=ticket).file.name)
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"from the console"


def test_only_operators_reach_the_gateways(tenant_a: TenantUnderTest, db: None) -> None:
    assert Client(HTTP_HOST="localhost").get("/ops/gateways/").status_code == 302  # sign in
    User.objects.create_user("staff-no-2fa@example.com", PASSWORD, is_staff=True)
    client = Client(HTTP_HOST="localhost")
    assert client.login(email="staff-no-2fa@example.com", password=PASSWORD)
    assert client.post("/ops/gateways/", smtp_form(25)).status_code == 302  # 2FA set-up first
    assert not GatewaySettings.objects.filter(smtp_host="127.0.0.1").exists()
    assert tenant_a.client().get("/ops/gateways/").status_code == 404  # not on tenant hosts

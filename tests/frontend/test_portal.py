"""The customer portal through the test client: submit, follow, reply, close, rate,
guests, look-up, and what each person may not see."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from notifications.models import Notification
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import CustomerFactory, make_ticket
from ticketing.models import (
    Contact,
    Department,
    HelpdeskSettings,
    Ticket,
    TicketForm,
    TicketStatus,
)
from ticketing.models.forms import FieldType, FormField
from ticketing.services.tickets import guest_access_token

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def router_form(support: Department) -> TicketForm:
    form = TicketForm.objects.create(name="Router problem", department=support)
    FormField.objects.create(
        form=form,
        key="serial",
        field_type=FieldType.TEXT,
        label={"en": "Serial number", "fa": "شماره سریال"},
        required=True,
        validation={"pattern": "^[A-Z]{2}[0-9]{4}$"},
        position=1,
    )
    FormField.objects.create(
        form=form,
        key="model",
        field_type=FieldType.SELECT,
        label={"en": "Model"},
        options=[{"value": "x1", "label": {"en": "X1"}}, {"value": "x2", "label": {"en": "X2"}}],
        position=2,
    )
    support.default_form = form
    support.save(update_fields=["default_form"])
    return form


@pytest.fixture
def customer(in_alpha: TenantUnderTest) -> Contact:
    return CustomerFactory.create(email="carla@example.com", full_name="Carla Customer")


@pytest.fixture
def carla(in_alpha: TenantUnderTest, customer: Contact) -> Client:
    return in_alpha.signed_in_client("carla@example.com", PASSWORD)


def test_the_form_of_the_chosen_department_is_shown(
    in_alpha: TenantUnderTest, carla: Client, support: Department, router_form: TicketForm
) -> None:
    response = carla.get(f"/tickets/new/?topic=d:{support.pk}")
    assert response.status_code == 200
    assert "Serial number" in response.content.decode()
    partial = carla.get(f"/tickets/new/?topic=d:{support.pk}", HTTP_HX_TARGET="custom-fields")
    assert "Serial number" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    assert "Up to 10 files, each at most 20 MB" in response.content.decode()


def test_customer_submits_a_ticket_with_custom_fields_and_an_attachment(
    in_alpha: TenantUnderTest, carla: Client, support: Department, router_form: TicketForm
) -> None:
    response = carla.post(
        "/tickets/new/",
        {
            "topic": f"d:{support.pk}",
            "subject": "Router keeps rebooting",
            "description": "Every ten minutes.",
            "cf_serial": "AB1234",
            "cf_model": "x2",
            "attachments": [SimpleUploadedFile("photo.png", PNG, content_type="image/png")],
        },
    )
    ticket = Ticket.objects.get(subject="Router keeps rebooting")
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.number}/"
    assert ticket.custom_fields == {"serial": "AB1234", "model": "x2"}
    assert ticket.requester is not None
    assert ticket.requester.email == "carla@example.com"
    assert [a.filename for a in ticket.attachments.all()] == ["photo.png"]
    listing = carla.get("/tickets/?tab=open").content.decode()
    assert "Router keeps rebooting" in listing
    page = carla.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Every ten minutes." in page


def test_wrong_input_shows_errors_beside_the_fields_and_keeps_what_was_typed(
    in_alpha: TenantUnderTest, carla: Client, support: Department, router_form: TicketForm
) -> None:
    response = carla.post(
        "/tickets/new/",
        {"topic": f"d:{support.pk}", "subject": "Keep me", "cf_serial": "bad serial"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="Keep me"' in html
    assert 'value="bad serial"' in html
    assert "Enter a value in the expected format." in html
    assert not Ticket.objects.filter(subject="Keep me").exists()
    missing = carla.post("/tickets/new/", {"topic": f"d:{support.pk}", "subject": "x"})
    assert "This field is required." in missing.content.decode()


def test_a_disallowed_attachment_is_refused_with_a_clear_message(
    in_alpha: TenantUnderTest, carla: Client, support: Department
) -> None:
    response = carla.post(
        "/tickets/new/",
        {
            "topic": f"d:{support.pk}",
            "subject": "With an exe",
            "attachments": [SimpleUploadedFile("tool.exe", b"MZ\x90\x00" + b"\x00" * 100)],
        },
    )
    assert response.status_code == 400
    assert "not accepted" in response.content.decode()
    assert not Ticket.objects.filter(subject="With an exe").exists()


def test_reply_close_and_rate(in_alpha: TenantUnderTest, carla: Client, customer: Contact) -> None:
    ticket = make_ticket(requester=customer, subject="Printer jam")
    base = f"/tickets/{ticket.number}/"
    assert carla.post(base + "reply/", {"body": "Still jammed."}).status_code == 302
    assert ticket.messages.filter(body="Still jammed.", from_staff=False).exists()
    empty = carla.post(base + "reply/", {"body": ""})
    assert empty.status_code == 400
    assert carla.post(base + "close/").status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    page = carla.get(base).content.decode()
    assert "How did we do?" in page
    carla.post(base + "rate/", {"score": "5", "comment": "Quick!"})
    assert ticket.rating.score == 5
    assert "How did we do?" not in carla.get(base).content.decode()
    carla.post(base + "reply/", {"body": "It broke again."})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN  # reopened within the reopen window


def test_customers_see_only_their_own_tickets(
    in_alpha: TenantUnderTest, carla: Client, customer: Contact
) -> None:
    other = CustomerFactory.create(email="dave@example.com")
    theirs = make_ticket(requester=other, subject="Dave's secret")
    assert carla.get(f"/tickets/{theirs.number}/").status_code == 404
    assert carla.post(f"/tickets/{theirs.number}/reply/", {"body": "hi"}).status_code == 404
    assert "Dave's secret" not in carla.get("/tickets/").content.decode()
    assert carla.get("/tickets/999999999/").status_code == 404


def test_a_ticket_of_tenant_a_is_not_reachable_from_tenant_b(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    from django_tenants.utils import schema_context

    with schema_context(tenant_a.tenant.schema_name):
        contact = CustomerFactory.create(email="carla@example.com")
        ticket = make_ticket(requester=contact, subject="Alpha only")
        token = guest_access_token(ticket)
    assert tenant_a.client().get(f"/t/{token}/").status_code == 200
    assert tenant_b.client().get(f"/t/{token}/").status_code == 404
    client = tenant_a.signed_in_client("carla@example.com", PASSWORD)
    client.defaults["HTTP_HOST"] = tenant_b.host
    assert client.get(f"/tickets/{ticket.number}/").status_code == 302  # not signed in on B


def test_guests_submit_and_follow_through_the_signed_link(
    in_alpha: TenantUnderTest, support: Department
) -> None:
    client = in_alpha.client()
    response = client.post(
        "/tickets/new/",
        {
            "topic": f"d:{support.pk}",
            "name": "Gus Guest",
            "email": "gus@example.com",
            "subject": "Guest question",
        },
    )
    assert response.status_code == 302
    link = response["Location"]
    assert link.startswith("/t/")
    ticket = Ticket.objects.get(subject="Guest question")
    assert ticket.requester is not None
    assert ticket.requester.email == "gus@example.com"
    assert "Guest question" in client.get(link).content.decode()
    client.post(link + "reply/", {"body": "More details"})
    assert ticket.messages.filter(body="More details").exists()
    assert in_alpha.client().get("/t/forged-token/").status_code == 404


def test_guests_are_sent_to_sign_in_when_the_tenant_wants_accounts(
    in_alpha: TenantUnderTest,
) -> None:
    HelpdeskSettings.objects.update_or_create(pk=1, defaults={"allow_guest_tickets": False})
    response = in_alpha.client().get("/tickets/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_bots_filling_the_honeypot_open_nothing(
    in_alpha: TenantUnderTest, support: Department
) -> None:
    in_alpha.client().post(
        "/tickets/new/",
        {
            "topic": f"d:{support.pk}",
            "name": "Bot",
            "email": "bot@example.com",
            "subject": "Buy now",
            "website": "http://spam.example",
        },
    )
    assert not Ticket.objects.filter(subject="Buy now").exists()


def test_lookup_emails_the_link_only_to_the_requester(
    in_alpha: TenantUnderTest, customer: Contact
) -> None:
    ticket = make_ticket(requester=customer, subject="Lookup me")
    client = in_alpha.client()
    wrong = client.post("/tickets/lookup/", {"number": ticket.number, "email": "x@example.com"})
    right = client.post("/tickets/lookup/", {"number": ticket.number, "email": customer.email})
    # The same answer either way: the page does not reveal which tickets exist.
    assert wrong.status_code == right.status_code == 200
    assert "If a ticket with that number" in wrong.content.decode()
    assert "If a ticket with that number" in right.content.decode()
    sent = Notification.objects.filter(event_kind="ticket.access_link")
    assert [n.address for n in sent] == [customer.email]
    token = re.search(r"/t/([^/]+)/", sent[0].body)
    assert token is not None
    assert "Lookup me" in client.get(f"/t/{token.group(1)}/").content.decode()


def test_registering_creates_a_contact_that_can_open_tickets(
    in_alpha: TenantUnderTest, mailoutbox: list[object]
) -> None:
    client = in_alpha.client()
    response = client.post(
        "/accounts/signup/",
        {
            "full_name": "Nora New",
            "email": "nora@example.com",
            "phone": "",
            "preferred_channel": "email",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.get(email="nora@example.com")
    assert contact.user is not None
    assert contact.ticket_access_enabled
    assert len(mailoutbox) == 1  # the verification email
    assert client.get("/tickets/new/").status_code == 200


def test_approval_required_accounts_see_a_clear_message(in_alpha: TenantUnderTest) -> None:
    HelpdeskSettings.objects.update_or_create(
        pk=1, defaults={"require_registration_approval": True}
    )
    client = in_alpha.client()
    client.post(
        "/accounts/signup/",
        {
            "full_name": "Wanda Waiting",
            "email": "wanda@example.com",
            "preferred_channel": "email",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    page = client.get("/tickets/new/")
    assert page.status_code == 403
    assert "waiting for approval" in page.content.decode()


def test_suspended_and_expired_customers_are_told_why(
    in_alpha: TenantUnderTest, carla: Client, customer: Contact
) -> None:
    customer.is_suspended = True
    customer.save()
    assert "suspended" in carla.get("/tickets/").content.decode()
    customer.is_suspended = False
    customer.account_expires_on = timezone.localdate() - timedelta(days=1)
    customer.save()
    assert "expired" in carla.get("/tickets/").content.decode()


def test_sms_preference_needs_a_phone_number(
    in_alpha: TenantUnderTest, carla: Client, customer: Contact
) -> None:
    data = {
        "full_name": "Carla C",
        "phone": "",
        "preferred_channel": "sms",
        "language": "pl",
        "timezone": "Europe/Warsaw",
        "calendar": "gregorian",
    }
    refused = carla.post("/account/", data)
    assert refused.status_code == 400
    assert "Enter a mobile number" in refused.content.decode()
    saved = carla.post("/account/", {**data, "phone": "+48 600 100 200"})
    assert saved.status_code == 302
    customer.refresh_from_db()
    assert customer.preferred_channel == "sms"
    assert customer.phone == "+48 600 100 200"
    page = carla.get("/tickets/")
    assert page["Content-Language"] == "pl"  # the saved language wins


def test_no_ticket_can_be_submitted_in_maintenance_mode(
    in_alpha: TenantUnderTest, carla: Client, support: Department
) -> None:
    from tenants.models import TenantSettings
    from tenants.routing import router

    TenantSettings.objects.filter(tenant=in_alpha.tenant).update(maintenance_mode=True)
    router.clear()
    try:
        response = carla.post("/tickets/new/", {"topic": f"d:{support.pk}", "subject": "Now"})
        assert response.status_code == 503
        assert not Ticket.objects.filter(subject="Now").exists()
    finally:
        router.clear()


def test_the_subject_asks_the_help_centre_for_suggestions(
    in_alpha: TenantUnderTest, carla: Client
) -> None:
    html = carla.get("/tickets/new/").content.decode()
    assert 'hx-get="/help/suggest"' in html
    assert 'hx-target="#kb-suggestions"' in html

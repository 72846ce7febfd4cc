"""Template preview for the admin console, the welcome link for customers who wrote in
by email, and SMS alerts for agents who asked for them."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from notifications.inbound.process import inbound_receive
from notifications.models import AgentSmsAlerts, Notification, NotificationTemplate
from notifications.preview import template_preview, template_save, template_variables
from notifications.services import agent_sms_alerts_set
from tests.conftest import TenantUnderTest
from tests.notifications.helpers import fan_out_department_alerts
from tests.ticketing.factories import AgentFactory, CustomerFactory, make_ticket
from ticketing.errors import InvalidInput, PermissionDenied
from ticketing.models import Agent, Contact, Department

ALPHA = "support@alpha.localhost"

# --- template preview ------------------------------------------------------------------


def test_preview_renders_the_default_wording_with_sample_data(admin_agent: Agent) -> None:
    preview = template_preview(
        actor=admin_agent, event_kind="ticket.created", channel="email", language="en"
    )
    assert not preview.custom
    assert preview.subject == "[#1042] The printer on floor 3 is offline"
    assert "Hello Alex," in preview.body
    sms = template_preview(
        actor=admin_agent, event_kind="ticket.created", channel="sms", language="pl"
    )
    assert sms.subject == ""
    assert "#1042" in sms.body
    assert "otrzymaliśmy" in sms.body.lower() or "zgłoszenie" in sms.body.lower()


def test_preview_of_a_saved_template_and_of_a_draft(admin_agent: Agent) -> None:
    template_save(
        actor=admin_agent, event_kind="ticket.created", channel="email", language="en",
        subject="We got {{ ticket.number }}", body="Hi {{ customer.first_name }}!",
    )  # fmt: skip
    saved = template_preview(
        actor=admin_agent, event_kind="ticket.created", channel="email", language="en"
    )
    assert (saved.subject, saved.body, saved.custom) == ("We got #1042", "Hi Alex!", True)
    draft = template_preview(
        actor=admin_agent, event_kind="ticket.created", channel="email", language="en",
        subject="Draft", body="{{ tenant.name }} / {{ ticket.status }}",
    )  # fmt: skip
    assert draft.body == "Your help desk / Open"


def test_templates_reach_nothing_but_the_documented_values(admin_agent: Agent) -> None:
    for body in ("{{ settings.SECRET_KEY }}", "{{ ticket.requester.user.password }}",
                 "{% load static %}{{ ticket.subject|upper }}"):  # fmt: skip
        with pytest.raises(InvalidInput):
            template_preview(
                actor=admin_agent, event_kind="ticket.created", channel="email",
                language="en", body=body,
            )  # fmt: skip
    with pytest.raises(InvalidInput):
        template_save(
            actor=admin_agent, event_kind="ticket.created", channel="email", language="en",
            subject="", body="{{ settings.SECRET_KEY }}",
        )  # fmt: skip
    assert not NotificationTemplate.objects.exists()
    names = [name for name, _description in template_variables()]
    assert "{{ ticket.number }}" in names
    assert "{{ account.link }}" in names


def test_preview_refuses_unknown_choices_and_non_admins(admin_agent: Agent, agent: Agent) -> None:
    with pytest.raises(InvalidInput) as error:
        template_preview(actor=admin_agent, event_kind="nope", channel="fax", language="xx")
    assert set(error.value.field_errors) == {"event_kind", "channel", "language"}
    with pytest.raises(PermissionDenied):
        template_preview(actor=agent, event_kind="ticket.created", channel="email", language="en")


def test_a_broken_saved_template_never_stops_a_ticket(support: Department) -> None:
    NotificationTemplate.objects.create(
        event_kind="ticket.created", channel="email", language="en",
        subject="{{ nope.nothing }}", body="x",
    )  # fmt: skip
    ticket = make_ticket(department=support, requester=CustomerFactory(email="k@example.com"))
    [ack] = Notification.objects.filter(address="k@example.com")
    assert ack.subject == f"[{ticket.reference}] {ticket.subject}"  # the default went out


def test_previews_show_only_the_own_tenants_templates(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    with schema_context(tenant_b.tenant.schema_name):
        NotificationTemplate.objects.create(
            event_kind="ticket.created", channel="email", language="en",
            subject="Bravo only", body="Bravo only",
        )  # fmt: skip
    with schema_context(tenant_a.tenant.schema_name):
        admin = Agent.objects.get(user__email=tenant_a.admin.email)
        preview = template_preview(
            actor=admin, event_kind="ticket.created", channel="email", language="en"
        )
        assert not preview.custom
        assert "Bravo" not in preview.subject


# --- welcome link ----------------------------------------------------------------------


def _mail_from(sender: str, subject: str = "My laptop will not start") -> bytes:
    message = EmailMessage()
    message["From"] = f"Nadia Stranger <{sender}>"
    message["To"] = ALPHA
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.replace(' ', '-')}@{sender.split('@')[1]}>"
    message.set_content("It beeps three times and stops.")
    return message.as_bytes()


def test_a_stranger_who_writes_in_gets_an_account_and_a_welcome_link(
    support: Department, tenant_a: TenantUnderTest
) -> None:
    [result] = inbound_receive(raw=_mail_from("nadia@stranger.example"), recipients=[ALPHA])
    contact = Contact.objects.get(email="nadia@stranger.example")
    assert contact.user is not None
    assert not contact.user.has_usable_password()
    [welcome] = Notification.objects.filter(event_kind="account.welcome")
    assert welcome.address == "nadia@stranger.example"
    assert welcome.ticket is not None
    assert welcome.ticket.number == result.ticket_number
    link = re.search(r"https?://\S+", welcome.body)
    assert link is not None
    path = link.group(0).split(tenant_a.host, 1)[1]
    assert path.startswith("/accounts/password/reset/key/")

    client = tenant_a.client()
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    done = client.post(
        set_password_url,
        {"password1": "a-brand-new-secret-42", "password2": "a-brand-new-secret-42"},
    )
    assert done.status_code in (200, 302)
    assert tenant_a.can_sign_in("nadia@stranger.example", "a-brand-new-secret-42")
    # The link works once.
    assert "password1" not in tenant_a.client().get(path, follow=True).content.decode()


def test_known_customers_and_repeat_mail_get_no_second_welcome(support: Department) -> None:
    CustomerFactory(email="known@example.com")
    inbound_receive(raw=_mail_from("known@example.com"), recipients=[ALPHA])
    inbound_receive(raw=_mail_from("new@example.com", "First"), recipients=[ALPHA])
    inbound_receive(raw=_mail_from("new@example.com", "Second"), recipients=[ALPHA])
    welcomes = Notification.objects.filter(event_kind="account.welcome")
    assert [w.address for w in welcomes] == ["new@example.com"]
    assert User.objects.filter(email="new@example.com").count() == 1


# --- SMS alerts for agents -------------------------------------------------------------


def test_agents_who_opted_in_get_new_and_assigned_tickets_by_sms(
    support: Department, agent: Agent, colleague: Agent, admin_agent: Agent
) -> None:
    agent_sms_alerts_set(actor=agent, agent=agent, phone="+98 912 345 6789")
    make_ticket(department=support, requester=CustomerFactory())
    fan_out_department_alerts()
    [sms] = Notification.objects.filter(channel="sms", event_kind="ticket.created")
    assert sms.address == "+98 912 345 6789"
    assert sms.recipient == agent.user
    assert not Notification.objects.filter(channel="sms", recipient=colleague.user).exists()

    agent_sms_alerts_set(
        actor=admin_agent, agent=agent, phone="+98 912 345 6789", ticket_created=False
    )
    make_ticket(department=support, requester=CustomerFactory(), assignee=agent,
                created_by=admin_agent)  # fmt: skip
    kinds = list(
        Notification.objects.filter(channel="sms")
        .order_by("id")
        .values_list("event_kind", flat=True)
    )
    assert kinds == ["ticket.created", "ticket.assigned"]


def test_sms_alert_settings_are_checked(agent: Agent, colleague: Agent) -> None:
    with pytest.raises(InvalidInput):
        agent_sms_alerts_set(actor=agent, agent=agent, phone="call me")
    with pytest.raises(PermissionDenied):
        agent_sms_alerts_set(actor=colleague, agent=agent, phone="+48 600 100 200")
    agent_sms_alerts_set(actor=agent, agent=agent, phone="+48 600 100 200")
    assert (
        agent_sms_alerts_set(
            actor=agent, agent=agent, phone="", ticket_created=False, ticket_assigned=False
        )
        is None
    )
    assert not AgentSmsAlerts.objects.exists()


def test_sms_alerts_stay_in_their_tenant(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest, settings: Any
) -> None:
    with schema_context(tenant_b.tenant.schema_name):
        department = Department.objects.create(name="Bravo desk")
        bravo_agent = AgentFactory(departments=[department])
        agent_sms_alerts_set(actor=bravo_agent, agent=bravo_agent, phone="+1 555 010 0100")
    with schema_context(tenant_a.tenant.schema_name):
        assert not AgentSmsAlerts.objects.exists()
        make_ticket(requester=CustomerFactory())
        assert not Notification.objects.filter(channel="sms").exists()


# --- what admins see -------------------------------------------------------------------


def test_admins_see_dead_letters_and_refused_mail_of_their_tenant_only(
    support: Department, tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    from notifications.models import InboundEmail, InboundStatus, NotificationStatus
    from notifications.selectors import inbound_needing_attention, notifications_dead

    make_ticket(department=support, requester=CustomerFactory(email="dead@example.com"))
    Notification.objects.filter(address="dead@example.com").update(status=NotificationStatus.DEAD)
    InboundEmail.objects.create(raw=b"x", sender="s@example.com", status=InboundStatus.REFUSED)
    InboundEmail.objects.create(raw=b"y", sender="ok@example.com", status=InboundStatus.PROCESSED)
    assert [n.address for n in notifications_dead()] == ["dead@example.com"]
    assert [m.sender for m in inbound_needing_attention()] == ["s@example.com"]
    with schema_context(tenant_b.tenant.schema_name):
        assert not list(notifications_dead())
        assert not list(inbound_needing_attention())

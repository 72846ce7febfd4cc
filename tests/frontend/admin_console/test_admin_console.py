"""The tenant admin console: sections, the form builder, agents, settings, maintenance
mode, the audit log, and who may open it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from tests.conftest import TenantUnderTest
from ticketing.models import Agent, Department, Priority
from ticketing.models.forms import FormField, TicketForm

pytestmark = pytest.mark.django_db

FACTORY_PASSWORD = "pass-word-123"


@pytest.fixture
def admin(in_alpha: TenantUnderTest) -> Client:
    return in_alpha.signed_in_client(in_alpha.admin.email)


@pytest.mark.parametrize(
    "url",
    [
        "/admin-console/departments/",
        "/admin-console/departments/new/",
        "/admin-console/agents/",
        "/admin-console/services/",
        "/admin-console/products/",
        "/admin-console/priorities/",
        "/admin-console/forms/",
        "/admin-console/sla-policies/new/",
        "/admin-console/canned-responses/new/",
        "/admin-console/announcements/new/",
        "/admin-console/branding/",
        "/admin-console/limits/",
        "/admin-console/maintenance/",
        "/admin-console/security/",
        "/admin-console/audit/",
        "/admin-console/api/",
        "/admin-console/notification-templates/",
    ],
)
def test_every_section_opens_for_admins_and_not_for_agents(
    in_alpha: TenantUnderTest, admin: Client, agent: Agent, url: str
) -> None:
    assert admin.get(url).status_code == 200
    other = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    assert other.get(url).status_code == 403


def test_unknown_section_is_404(admin: Client) -> None:
    assert admin.get("/admin-console/nothing-here/").status_code == 404


def test_department_create_validates_keeps_input_and_is_audited(
    admin: Client, support: Department
) -> None:
    response = admin.post(
        "/admin-console/departments/new/",
        {"name": "support", "description": "dup", "assignment_strategy": "manual"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert 'value="support"' in response.content.decode()
    response = admin.post(
        "/admin-console/departments/new/",
        {
            "name": "Field service",
            "assignment_strategy": "best_fit",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    department = Department.objects.get(name="Field service")
    assert department.assignment_strategy == "best_fit"
    entry = AuditEntry.objects.get(action="department.created")
    assert entry.target == "Field service"
    assert "audit" in admin.get("/admin-console/audit/").content.decode() or entry.actor_label


def test_priority_level_clash_is_a_form_error(admin: Client) -> None:
    level = Priority.objects.order_by("level").first()
    assert level is not None
    response = admin.post(
        "/admin-console/priorities/new/", {"name": "Dup", "level": level.level, "colour": "#000000"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors


def test_form_builder_fields_translations_and_preview(admin: Client, support: Department) -> None:
    response = admin.post(
        "/admin-console/forms/new/",
        {"name": "Repair request", "department": support.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    ticket_form = TicketForm.objects.get(name="Repair request")
    assert response["Location"] == f"/admin-console/forms/{ticket_form.pk}/"
    url = f"/admin-console/forms/{ticket_form.pk}/fields/new/"
    bad = admin.post(url, {"key": "Bad Key", "field_type": "select", "position": 0})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) >= {"key", "options", "label_en"}
    good = admin.post(
        url,
        {
            "key": "device",
            "field_type": "select",
            "position": 1,
            "required": "on",
            "options": "router|Router\nmodem|Modem",
            "label_en": "Device",
            "label_pl": "Urządzenie",
        },
    )
    assert good.status_code == 302
    field = FormField.objects.get(form=ticket_form, key="device")
    assert field.label == {"en": "Device", "pl": "Urządzenie"}
    assert field.options[0] == {"value": "router", "label": {"en": "Router"}}
    clash = admin.post(
        url, {"key": "device", "field_type": "text", "position": 2, "label_en": "Again"}
    )
    assert clash.context["form"].errors["key"]
    page = admin.get(f"/admin-console/forms/{ticket_form.pk}/")
    assert "Modem" in page.content.decode()  # the preview renders the select


def test_sla_policy_needs_a_target(admin: Client, support: Department) -> None:
    response = admin.post("/admin-console/sla-policies/new/", {"name": "Gold", "position": 0})
    assert response.status_code == 400
    response = admin.post(
        "/admin-console/sla-policies/new/",
        {
            "name": "Gold",
            "position": 0,
            "is_active": "on",
            "departments": [support.pk],
            "first_response_minutes": 60,
            "resolution_minutes": 480,
        },
    )
    assert response.status_code == 302


def test_invite_and_edit_an_agent(
    admin: Client,
    support: Department,
    mailoutbox: list,
) -> None:
    response = admin.post(
        "/admin-console/agents/",
        {
            "email": "new.agent@example.com",
            "full_name": "New Agent",
            "role": "agent",
            "departments": [support.pk],
        },
    )
    assert response.status_code == 302
    agent = Agent.objects.get(user__email="new.agent@example.com")
    assert list(agent.departments.all()) == [support]
    assert any("new.agent@example.com" in m.to for m in mailoutbox)
    response = admin.post(
        f"/admin-console/agents/{agent.pk}/",
        {
            "role": "supervisor",
            "departments": [support.pk],
            "skills": "fibre, routers",
            "languages": "en, pl",
            "timezone": "Europe/Warsaw",
            "max_open_tickets": 10,
            "signature": "Ava",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.skills == ["fibre", "routers"]
    assert agent.is_active is False  # the box was not ticked: deactivated
    response = admin.post(
        f"/admin-console/agents/{agent.pk}/",
        {
            "role": "agent",
            "timezone": "UTC",
            "max_open_tickets": 10,
            "out_of_office_from": "2026-12-24T00:00",
            "out_of_office_until": "2026-12-20T00:00",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["out_of_office_until"]


def test_admin_cannot_deactivate_themselves(admin: Client, admin_agent: Agent) -> None:
    response = admin.post(
        f"/admin-console/agents/{admin_agent.pk}/", {"role": "agent", "max_open_tickets": 5}
    )
    assert response.status_code == 400


def test_branding_validates_colour_and_logo_and_keeps_input(
    in_alpha: TenantUnderTest, admin: Client
) -> None:
    response = admin.post(
        "/admin-console/branding/",
        {
            "portal_title": "Alpha help",
            "primary_colour": "red",
            "accent_colour": "#00ff00",
            "logo": SimpleUploadedFile("logo.txt", b"hello", content_type="text/plain"),
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "primary_colour" in errors
    assert "logo" in errors
    assert 'value="Alpha help"' in response.content.decode()
    response = admin.post(
        "/admin-console/branding/",
        {"portal_title": "Alpha help", "primary_colour": "#112233", "accent_colour": "#00ff00"},
    )
    assert response.status_code == 302
    in_alpha.tenant.settings.refresh_from_db()
    assert in_alpha.tenant.settings.portal_title == "Alpha help"


def test_maintenance_mode_notice_on_portal_and_503_from_the_api(
    in_alpha: TenantUnderTest, admin: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the router re-reads settings
        response = admin.post(
            "/admin-console/maintenance/",
            {"maintenance_mode": "on", "maintenance_message": "Back at noon."},
        )
    assert response.status_code == 302
    try:
        assert "Back at noon." in in_alpha.client().get("/").content.decode()
        api = in_alpha.client().get("/api/v1/tickets/")
        assert api.status_code == 503
        assert api["Content-Type"].startswith("application/problem+json")
    finally:
        with schema_context("public"):
            from tenants.services import tenant_settings_update

            with django_capture_on_commit_callbacks(execute=True):
                tenant_settings_update(tenant_id=in_alpha.tenant.pk, maintenance_mode=False)
    assert in_alpha.client().get("/api/v1/tickets/").status_code != 503
    assert AuditEntry.objects.filter(action="settings.maintenance").exists()


def test_admin_of_a_cannot_reach_b_rows(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    from tests.ticketing.factories import DepartmentFactory

    with schema_context(tenant_b.tenant.schema_name):
        secret = DepartmentFactory.create(name="Bravo only")
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    assert client.get(f"/admin-console/departments/{secret.pk}/").status_code == 404
    assert "Bravo only" not in client.get("/admin-console/departments/").content.decode()


def test_notification_template_previews_and_refuses_unknown_placeholders(admin: Client) -> None:
    url = "/admin-console/notification-templates/new/"
    data = {
        "event_kind": "ticket.created",
        "channel": "email",
        "language": "en",
        "subject": "[{{ ticket.number }}] received",
        "body": "Hello {{ customer.first_name }} {{ ticket.secret_sauce }}",
    }
    response = admin.post(url, data)
    assert response.status_code == 400
    assert "ticket.secret_sauce" in str(response.context["form"].errors["body"])
    data["body"] = "Hello {{ customer.first_name }}, we have {{ ticket.number }}."
    assert admin.post(url, data).status_code == 302
    from notifications.models import NotificationTemplate

    template = NotificationTemplate.objects.get(event_kind="ticket.created")
    page = admin.get(f"/admin-console/notification-templates/{template.pk}/")
    assert "Hello Carla, we have #1042." in page.content.decode()


def test_api_key_secret_is_shown_once_and_keys_can_be_revoked(admin: Client) -> None:
    from api.models import ApiKey

    response = admin.post("/admin-console/api/", {"name": "CRM", "scopes": ["read"]})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret
    assert secret not in admin.get("/admin-console/api/").content.decode()
    key = ApiKey.objects.get(name="CRM")
    admin.post("/admin-console/api/", {"revoke": key.pk})
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert admin.post("/admin-console/api/", {"name": "x"}).status_code == 400

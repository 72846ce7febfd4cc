"""The operator console: MFA required, tenant actions, every action audited."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from audit.models import AuditEntry
from tenants.models import Tenant
from tests.conftest import PASSWORD, TenantUnderTest

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db: None) -> Client:
    user = User.objects.create_user("ops@example.com", PASSWORD, is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    client = Client(HTTP_HOST="localhost")
    assert client.login(email="ops@example.com", password=PASSWORD)
    return client


def test_operator_without_two_factor_is_sent_to_set_it_up(db: None) -> None:
    User.objects.create_user("new-ops@example.com", PASSWORD, is_staff=True)
    client = Client(HTTP_HOST="localhost")
    assert client.login(email="new-ops@example.com", password=PASSWORD)
    response = client.get("/ops/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    # allauth asks for the password again before setup; that page is reachable too
    assert client.get(response["Location"], follow=True).status_code == 200


def test_suspend_and_resume_are_audited_and_the_portal_answers_503_meanwhile(
    operator: Client, tenant_a: TenantUnderTest, django_capture_on_commit_callbacks: Any
) -> None:
    detail = operator.get("/ops/tenants/alpha/")
    assert detail.status_code == 200
    assert detail.context["usage"]["agents"] >= 1
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post("/ops/tenants/alpha/suspend/", {"reason": "unpaid"})
    assert response.status_code == 302
    try:
        assert tenant_a.client().get("/").status_code == 503
        with schema_context("public"):  # operator actions are audited in the public schema
            assert AuditEntry.objects.filter(action="tenant.suspended", target="alpha").exists()
    finally:
        with django_capture_on_commit_callbacks(execute=True):
            operator.post("/ops/tenants/alpha/resume/")
    assert tenant_a.client().get("/").status_code == 200
    with schema_context("public"):
        assert AuditEntry.objects.filter(action="tenant.resumed").exists()
    assert "tenant.suspended" in operator.get("/ops/audit/").content.decode()


def test_resume_of_an_active_tenant_is_a_clear_message(
    operator: Client, tenant_a: TenantUnderTest
) -> None:
    response = operator.post("/ops/tenants/alpha/resume/", follow=True)
    assert response.status_code == 200
    assert "Only a suspended tenant can be resumed" in response.content.decode()


def test_delete_needs_the_slug_typed(operator: Client, tenant_a: TenantUnderTest) -> None:
    response = operator.post("/ops/tenants/alpha/delete/", {"confirm": "bravo"})
    assert response.status_code == 400
    assert Tenant.objects.get(slug="alpha").status == "active"


def test_provision_validates_and_keeps_input(operator: Client, tenant_a: TenantUnderTest) -> None:
    response = operator.post(
        "/ops/tenants/new/",
        {
            "name": "Another",
            "slug": "alpha",
            "admin_email": "boss@another.example",
            "language": "en",
            "timezone_name": "UTC",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["slug"]
    assert 'value="Another"' in response.content.decode()


def test_tenant_staff_can_be_required_to_use_two_factor(
    in_alpha: TenantUnderTest, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tenants.services import tenant_settings_update

    client = in_alpha.signed_in_client(agent.user.email, "pass-word-123")
    assert client.get("/console/").status_code == 200
    with schema_context("public"), django_capture_on_commit_callbacks(execute=True):
        tenant_settings_update(tenant_id=in_alpha.tenant.pk, require_staff_mfa=True)
    try:
        response = client.get("/console/tickets/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/totp/activate/")
        TOTP.activate(agent.user, generate_totp_secret())
        assert client.get("/console/tickets/").status_code == 200
    finally:
        with schema_context("public"), django_capture_on_commit_callbacks(execute=True):
            tenant_settings_update(tenant_id=in_alpha.tenant.pk, require_staff_mfa=False)

"""Who may open which area: one base class per area, and no way around it."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client

from frontend.base_views import StaffView
from tests.conftest import PASSWORD, TenantUnderTest
from tests.ticketing.factories import AgentFactory, CustomerFactory
from ticketing.models import Agent, AgentRole, Department

pytestmark = pytest.mark.django_db

FACTORY_PASSWORD = "pass-word-123"


def test_a_page_cannot_override_the_access_check() -> None:
    with pytest.raises(TypeError, match="cannot be bypassed"):

        class Sneaky(StaffView):
            def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
                return HttpResponse("in")


def test_console_sends_anonymous_visitors_to_sign_in(tenant_a: TenantUnderTest) -> None:
    response = tenant_a.client().get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/console/")


def test_customer_cannot_open_the_console(in_alpha: TenantUnderTest) -> None:
    CustomerFactory.create(email="cust@example.com")
    client = in_alpha.signed_in_client("cust@example.com", FACTORY_PASSWORD)
    assert client.get("/console/").status_code == 403


def test_agent_opens_the_console_but_not_the_admin_console(
    in_alpha: TenantUnderTest, agent: Agent
) -> None:
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    assert client.get("/console/").status_code == 200
    assert client.get("/admin-console/").status_code == 403


def test_supervisor_is_not_an_admin(in_alpha: TenantUnderTest, supervisor: Agent) -> None:
    client = in_alpha.signed_in_client(supervisor.user.email, FACTORY_PASSWORD)
    assert client.get("/admin-console/").status_code == 403


def test_admin_opens_the_admin_console_with_the_checklist(
    in_alpha: TenantUnderTest, support: Department
) -> None:
    client = in_alpha.signed_in_client(in_alpha.admin.email)
    response = client.get("/admin-console/?welcome=1")
    assert response.status_code == 200
    checklist = response.context["checklist"]
    assert checklist[0].done is True  # a department exists
    assert response.context["checklist_done"] >= 1


def test_deactivated_agent_is_refused(in_alpha: TenantUnderTest, support: Department) -> None:
    former = AgentFactory.create(departments=[support], is_active=False)
    client = in_alpha.signed_in_client(former.user.email, FACTORY_PASSWORD)
    assert client.get("/console/").status_code == 403


def test_admin_of_a_is_a_stranger_on_b(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    assert client.get("/admin-console/").status_code == 200
    # The same browser, tenant B's host: the session cookie is not valid there.
    client.defaults["HTTP_HOST"] = tenant_b.host
    response = client.get("/admin-console/")
    assert response.status_code == 302


def test_tenant_pages_do_not_exist_on_the_platform_host(tenant_a: TenantUnderTest) -> None:
    assert Client(HTTP_HOST="localhost").get("/console/").status_code == 404


def test_operator_console_is_for_operators_only(db: None) -> None:
    from accounts.models import User

    User.objects.create_user("someone@example.com", PASSWORD)
    User.objects.create_user("ops@example.com", PASSWORD, is_staff=True)
    outsider = Client(HTTP_HOST="localhost")
    assert outsider.get("/ops/").status_code == 302
    assert outsider.login(email="someone@example.com", password=PASSWORD)
    assert outsider.get("/ops/").status_code == 403
    operator = Client(HTTP_HOST="localhost")
    assert operator.login(email="ops@example.com", password=PASSWORD)
    response = operator.get("/ops/?q=alp")
    assert response.status_code == 200
    assert [t.slug for t in response.context["tenants"]] == ["alpha"]


def test_pages_carry_a_content_security_policy(tenant_a: TenantUnderTest) -> None:
    response = tenant_a.client().get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
    assert AgentRole.ADMIN  # the roles enum is what the base views rank

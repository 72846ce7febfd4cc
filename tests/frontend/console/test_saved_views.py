"""Saved views of the console's ticket list: built-ins with counts, saving the current
filters, sharing rules, rename/delete by the owner only, validation, tenant isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from sla.models import ClockKind, SlaClock
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import AgentFactory, ContactFactory
from ticketing.errors import InvalidInput, PermissionDenied
from ticketing.models import Agent, Department, SavedView, Ticket
from ticketing.selectors import saved_views_visible
from ticketing.services.saved_views import (
    saved_view_clean_filters,
    saved_view_create,
    saved_view_delete,
    saved_view_update,
)
from ticketing.services.tickets import ticket_create

pytestmark = pytest.mark.django_db

FACTORY_PASSWORD = "pass-word-123"


def _client(tenant: TenantUnderTest, agent: Agent) -> Client:
    return tenant.signed_in_client(agent.user.email, FACTORY_PASSWORD)


def _ticket(department: Department, subject: str) -> Ticket:
    requester = ContactFactory.create()
    return ticket_create(
        subject=subject, channel="portal", requester=requester, department=department
    )


def _counts(response: object) -> dict[str, int]:
    return {link.name: link.count for link in response.context["views"]}  # type: ignore[attr-defined]


def test_builtin_views_are_listed_with_counts_and_filter_the_list(
    in_alpha: TenantUnderTest, agent: Agent, support: Department, engineering: Department
) -> None:
    mine = _ticket(support, "Mine to fix")
    Ticket.objects.filter(pk=mine.pk).update(assignee=agent)
    waiting = _ticket(support, "Nobody has it")
    Ticket.objects.filter(pk=waiting.pk).update(assignee=None)
    _ticket(engineering, "Not my department")
    risky = _ticket(support, "Due very soon")
    Ticket.objects.filter(pk=risky.pk).update(assignee=agent)
    SlaClock.objects.create(
        ticket=risky,
        kind=ClockKind.RESOLUTION,
        target_seconds=3600,
        started_at=timezone.now(),
        due_at=timezone.now() + timedelta(minutes=30),
    )
    client = _client(in_alpha, agent)
    response = client.get("/console/tickets/")
    assert response.status_code == 200
    counts = _counts(response)
    assert counts["My open tickets"] == 2
    assert counts["Unassigned in my departments"] == 1
    assert counts["At SLA risk"] == 1
    page = client.get("/console/tickets/?preset=unassigned&view=unassigned")
    assert [t.subject for t in page.context["tickets"]] == ["Nobody has it"]
    assert 'aria-current="page"' in page.content.decode()
    page = client.get("/console/tickets/?preset=at_risk")
    assert [t.subject for t in page.context["tickets"]] == ["Due very soon"]


def test_agent_saves_the_current_filters_and_sees_the_view_with_its_count(
    in_alpha: TenantUnderTest, agent: Agent, support: Department
) -> None:
    _ticket(support, "Printer jam")
    _ticket(support, "Printer on fire")
    _ticket(support, "Password reset")
    client = _client(in_alpha, agent)
    page = client.get("/console/tickets/?q=printer&sort=newest&page=1")
    assert page.context["save_form"].initial["filters"] == "q=printer&sort=newest"
    response = client.post(
        "/console/views/",
        {"name": "Printers", "visibility": "private", "filters": "q=printer&sort=newest"},
    )
    assert response.status_code == 302
    view = SavedView.objects.get(owner=agent)
    assert view.filters == {"q": "printer", "sort": "newest"}
    assert response["Location"].startswith("/console/tickets/?")
    listed = client.get("/console/tickets/")
    assert _counts(listed)["Printers"] == 2
    shown = client.get(response["Location"])
    assert {t.subject for t in shown.context["tickets"]} == {"Printer jam", "Printer on fire"}


def test_bad_filters_and_names_are_field_errors_not_500(
    in_alpha: TenantUnderTest, agent: Agent, support: Department
) -> None:
    client = _client(in_alpha, agent)
    response = client.post(
        "/console/views/",
        {
            "name": "Broken",
            "visibility": "private",
            "filters": "status=exploded&department=999999&colour=red&created_after=soon",
        },
    )
    assert response.status_code == 400
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Unknown filter: colour" in errors
    assert "status" in errors
    assert "department" in errors
    assert "created_after" in errors
    assert 'value="Broken"' in response.content.decode()
    assert not SavedView.objects.exists()
    client.post("/console/views/", {"name": "Mine", "visibility": "private", "filters": ""})
    response = client.post("/console/views/", {"name": "mine", "visibility": "private"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    response = client.post("/console/views/", {"name": "", "visibility": "nonsense"})
    assert response.status_code == 400


def test_clean_filters_refuses_unknown_keys_and_bad_values(support: Department) -> None:
    assert saved_view_clean_filters({"status": "all", "department": str(support.pk), "q": ""}) == {
        "status": "all",
        "department": str(support.pk),
    }
    for bad in (
        {"nope": "1"},
        {"sort": "random"},
        {"assignee": "someone"},
        {"q": ["list"]},
        {"created_after": "2026-02-01", "created_before": "2026-01-01"},
        {"tag": "x" * 51},
    ):
        with pytest.raises(InvalidInput) as refused:
            saved_view_clean_filters(bad)
        assert refused.value.field_errors
    with pytest.raises(InvalidInput):
        saved_view_clean_filters(["not", "a", "dict"])


def test_only_supervisors_and_admins_share_and_only_where_they_may(
    agent: Agent, supervisor: Agent, support: Department, engineering: Department
) -> None:
    with pytest.raises(PermissionDenied):
        saved_view_create(owner=agent, name="Shared", filters={}, visibility="everyone")
    with pytest.raises(PermissionDenied):
        saved_view_create(
            owner=supervisor,
            name="Eng",
            filters={},
            visibility="department",
            department=engineering,
        )
    with pytest.raises(InvalidInput):
        saved_view_create(owner=supervisor, name="Nowhere", filters={}, visibility="department")
    view = saved_view_create(
        owner=supervisor,
        name="Support queue",
        filters={},
        visibility="department",
        department=support,
    )
    assert view.department == support
    assert saved_view_create(owner=supervisor, name="All", filters={}, visibility="everyone")


def test_private_views_stay_private_and_shared_ones_reach_the_right_agents(
    in_alpha: TenantUnderTest,
    agent: Agent,
    colleague: Agent,
    engineer: Agent,
    supervisor: Agent,
    support: Department,
) -> None:
    private = saved_view_create(owner=agent, name="Ava's own", filters={})
    support_view = saved_view_create(
        owner=supervisor,
        name="Support board",
        filters={},
        visibility="department",
        department=support,
    )
    everyone = saved_view_create(
        owner=supervisor, name="Everyone", filters={}, visibility="everyone"
    )
    assert set(saved_views_visible(agent=colleague)) == {support_view, everyone}
    assert set(saved_views_visible(agent=engineer)) == {everyone}
    assert set(saved_views_visible(agent=agent)) == {private, support_view, everyone}

    other = _client(in_alpha, colleague)
    assert "Ava&#x27;s own" not in other.get("/console/views/").content.decode()
    assert "Ava's own" not in [
        link.name for link in other.get("/console/tickets/").context["views"]
    ]
    # Another agent's private view: not found; a shared one they do not own: forbidden.
    response = other.post(f"/console/views/{private.pk}/", {"delete": "1"})
    assert response.status_code == 404
    response = other.post(
        f"/console/views/{support_view.pk}/", {"name": "Hijacked", "visibility": "private"}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        saved_view_update(view=support_view, actor=colleague, name="x", visibility="private")
    with pytest.raises(PermissionDenied):
        saved_view_delete(view=private, actor=colleague)
    support_view.refresh_from_db()
    assert support_view.name == "Support board"
    assert SavedView.objects.filter(pk=private.pk).exists()


def test_owner_renames_reshares_and_deletes(
    in_alpha: TenantUnderTest, agent: Agent, supervisor: Agent, support: Department
) -> None:
    view = saved_view_create(owner=supervisor, name="Old name", filters={"status": "all"})
    client = _client(in_alpha, supervisor)
    page = client.get("/console/views/")
    assert page.status_code == 200
    assert "Old name" in page.content.decode()
    response = client.post(
        f"/console/views/{view.pk}/",
        {"name": "New name", "visibility": "department", "department": support.pk},
    )
    assert response.status_code == 302
    view.refresh_from_db()
    assert (view.name, view.visibility, view.department_id) == (
        "New name",
        "department",
        support.pk,
    )
    assert view.filters == {"status": "all"}
    response = client.post(f"/console/views/{view.pk}/", {"name": "", "visibility": "private"})
    assert response.status_code == 400
    response = client.post(f"/console/views/{view.pk}/", {"delete": "1"})
    assert response.status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()
    # a plain agent cannot share by editing either
    own = saved_view_create(owner=agent, name="Mine", filters={})
    response = _client(in_alpha, agent).post(
        f"/console/views/{own.pk}/", {"name": "Mine", "visibility": "everyone"}
    )
    assert response.status_code == 400
    assert response.context["views"][0][1].errors["visibility"]


def test_views_of_tenant_b_are_unreachable_from_tenant_a(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    with schema_context(tenant_b.tenant.schema_name):
        bravo_admin = Agent.objects.get(user__email=tenant_b.admin.email)
        secret = saved_view_create(
            owner=bravo_admin, name="Bravo secret view", filters={}, visibility="everyone"
        )
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    assert "Bravo secret view" not in client.get("/console/views/").content.decode()
    assert "Bravo secret view" not in client.get("/console/tickets/").content.decode()
    assert client.post(f"/console/views/{secret.pk}/", {"delete": "1"}).status_code == 404
    with schema_context(tenant_b.tenant.schema_name):
        assert SavedView.objects.filter(pk=secret.pk).exists()


def test_view_counts_take_one_query_whatever_the_number_of_views(
    in_alpha: TenantUnderTest, agent: Agent, support: Department
) -> None:
    _ticket(support, "One")
    client = _client(in_alpha, agent)
    client.get("/console/tickets/")
    with CaptureQueriesContext(connection) as few:
        client.get("/console/tickets/")
    for number in range(12):
        saved_view_create(owner=agent, name=f"View {number}", filters={"q": f"x{number}"})
    extra = AgentFactory.create(departments=[support])
    saved_view_create(owner=extra, name="Private elsewhere", filters={})
    with CaptureQueriesContext(connection) as many:
        response = client.get("/console/tickets/")
    assert len(response.context["views"]) == 15
    assert len(many) == len(few)

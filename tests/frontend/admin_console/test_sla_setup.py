"""The admin console's SLA set-up: business calendars (weekly hours, default, the
departments using them), holidays (days and ranges) and escalation rules (validation,
plan limit), audited, admins only, tenants apart."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from sla.calendars import calendar_for_department
from sla.models import BusinessCalendar, DepartmentCalendar, EscalationRule, Holiday, SlaPolicy
from tests.conftest import TenantUnderTest
from ticketing.models import Agent, Department

pytestmark = pytest.mark.django_db
FACTORY_PASSWORD = "pass-word-123"


@pytest.fixture
def admin(in_alpha: TenantUnderTest) -> Client:
    return in_alpha.signed_in_client(in_alpha.admin.email)


def _calendar_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Warsaw office",
        "timezone": "Europe/Warsaw",
        "hours_mon": "08:00-12:00, 13:00-17:00",
        "hours_tue": "08:00-16:00",
        "hours_wed": "",
        "hours_thu": "",
        "hours_fri": "8:00-14:00",
        "hours_sat": "22:00-06:00",
        "hours_sun": "",
        "holiday_country": "pl",
    }
    data.update(overrides)
    return data


@pytest.fixture
def policy(in_alpha: TenantUnderTest) -> SlaPolicy:
    return SlaPolicy.objects.create(name="Standard", resolution_minutes=480)


def test_calendar_created_with_hours_departments_and_default(
    admin: Client, support: Department, engineering: Department
) -> None:
    response = admin.post(
        "/admin-console/business-calendars/new/",
        _calendar_data(departments=[support.pk], is_default="on"),
    )
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get(name="Warsaw office")
    assert response["Location"] == f"/admin-console/business-calendars/{calendar.pk}/"
    assert calendar.weekly_hours == {
        "mon": [["08:00", "12:00"], ["13:00", "17:00"]],
        "tue": [["08:00", "16:00"]],
        "fri": [["08:00", "14:00"]],
        "sat": [["22:00", "06:00"]],
    }
    assert calendar.holiday_country == "PL"
    assert calendar.is_default
    assert DepartmentCalendar.objects.get(department=support).calendar == calendar
    assert AuditEntry.objects.filter(action="businesscalendar.created").exists()
    # the SLA engine now computes Support's deadlines in this calendar
    assert str(calendar_for_department(support.pk, today=date(2026, 1, 5)).zone) == "Europe/Warsaw"
    page = admin.get(f"/admin-console/business-calendars/{calendar.pk}/").content.decode()
    assert 'value="08:00-12:00, 13:00-17:00"' in page
    # a second default takes the mark; Support moves to the new calendar
    response = admin.post(
        "/admin-console/business-calendars/new/",
        _calendar_data(
            name="Tehran",
            timezone="Asia/Tehran",
            holiday_country="IR",
            departments=[support.pk, engineering.pk],
            is_default="on",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    calendar.refresh_from_db()
    assert not calendar.is_default
    assert BusinessCalendar.objects.get(name="Tehran").is_default
    assert DepartmentCalendar.objects.filter(calendar__name="Tehran").count() == 2
    # and un-assigning works from the calendar's page
    tehran = BusinessCalendar.objects.get(name="Tehran")
    admin.post(
        f"/admin-console/business-calendars/{tehran.pk}/",
        _calendar_data(
            name="Tehran",
            timezone="Asia/Tehran",
            holiday_country="IR",
            departments=[engineering.pk],
            is_default="on",
        ),
    )
    assert list(DepartmentCalendar.objects.values_list("department_id", flat=True)) == [
        engineering.pk
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hours_mon": "9-17"}, "hours_mon"),
        ({"hours_mon": "09:00-09:00"}, "hours_mon"),
        ({"hours_mon": "25:00-26:00"}, "hours_mon"),
        ({"hours_tue": "08:00-12:00, 11:00-15:00"}, "hours_tue"),
        ({"hours_sat": "22:00-09:00", "hours_sun": "08:00-12:00"}, "hours_sat"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"holiday_country": "XX"}, "holiday_country"),
        (
            {f"hours_{day}": "" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
            "hours_mon",
        ),
    ],
)
def test_calendar_validation_is_per_field_and_keeps_input(
    admin: Client, overrides: dict[str, str], field: str
) -> None:
    data = _calendar_data(**overrides)
    response = admin.post("/admin-console/business-calendars/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert 'value="Warsaw office"' in response.content.decode()
    assert not BusinessCalendar.objects.exists()


def test_holidays_single_day_range_and_removal(admin: Client) -> None:
    calendar = BusinessCalendar.objects.create(name="Office")
    url = f"/admin-console/business-calendars/{calendar.pk}/holidays/"
    before = calendar.updated_at
    response = admin.post(
        url, {"name": "Nowruz", "first_day": "2027-03-21", "last_day": "2027-03-24"}
    )
    assert response.status_code == 302
    assert Holiday.objects.filter(calendar=calendar).count() == 4
    calendar.refresh_from_db()
    assert calendar.updated_at > before  # cached calendars are rebuilt
    response = admin.post(url, {"name": "Christmas", "first_day": "2026-12-25", "recurring": "on"})
    assert response.status_code == 302
    assert Holiday.objects.get(name="Christmas").recurring
    page = admin.get(f"/admin-console/business-calendars/{calendar.pk}/").content.decode()
    assert "Nowruz" in page
    assert "Christmas" in page
    # bad ranges: backwards, too long, already there, not a date
    for data, field in (
        ({"first_day": "2027-01-10", "last_day": "2027-01-01"}, "last_day"),
        ({"first_day": "2027-01-01", "last_day": "2029-01-01"}, "last_day"),
        ({"first_day": "2027-03-21"}, "first_day"),
        ({"first_day": "someday"}, "first_day"),
    ):
        response = admin.post(url, data)
        assert response.status_code == 400
        assert response.context["holiday_form"].errors[field]
    christmas = Holiday.objects.get(name="Christmas")
    assert admin.post(url, {"delete": christmas.pk}).status_code == 302
    assert not Holiday.objects.filter(pk=christmas.pk).exists()
    assert admin.post(url, {"delete": "999999"}).status_code == 404
    assert AuditEntry.objects.filter(action="holiday.added").count() == 2
    assert AuditEntry.objects.filter(action="holiday.deleted").exists()


def test_escalation_rules_validate_and_are_audited(
    admin: Client, policy: SlaPolicy, support: Department, engineer: Agent
) -> None:
    new = f"/admin-console/sla-policies/{policy.pk}/escalations/new/"
    assert admin.get(new).status_code == 200
    response = admin.post(
        new,
        {"clock": "resolution", "kind": "warning", "warn_at_percent": "75", "notify": ["assignee"]},
    )
    assert response.status_code == 302
    rule = EscalationRule.objects.get(policy=policy)
    assert (rule.warn_at_percent, rule.after_breach_minutes, rule.notify) == (
        75,
        None,
        ["assignee"],
    )
    response = admin.post(
        new,
        {
            "clock": "resolution",
            "kind": "breach",
            "after_breach_minutes": "0",
            "notify": ["supervisors"],
            "raise_priority": "on",
        },
    )
    assert response.status_code == 302
    page = admin.get(f"/admin-console/sla-policies/{policy.pk}/").content.decode()
    assert "warning at 75% of the target" in page
    assert "at the breach" in page
    bad: list[tuple[dict[str, Any], str]] = [
        (
            {
                "clock": "resolution",
                "kind": "warning",
                "warn_at_percent": "100",
                "notify": ["assignee"],
            },
            "warn_at_percent",
        ),
        ({"clock": "resolution", "kind": "warning", "notify": ["assignee"]}, "warn_at_percent"),
        (
            {
                "clock": "resolution",
                "kind": "breach",
                "after_breach_minutes": "-5",
                "notify": ["assignee"],
            },
            "after_breach_minutes",
        ),
        ({"clock": "resolution", "kind": "breach", "after_breach_minutes": "30"}, "notify"),
        (
            {
                "clock": "resolution",
                "kind": "warning",
                "warn_at_percent": "75",
                "notify": ["department"],
            },
            "warn_at_percent",
        ),
        (
            {
                "clock": "resolution",
                "kind": "breach",
                "after_breach_minutes": "30",
                "transfer_to_department": support.pk,
                "transfer_to_agent": engineer.pk,
            },
            "transfer_to_agent",
        ),
        (
            {
                "clock": "whenever",
                "kind": "breach",
                "after_breach_minutes": "30",
                "notify": ["assignee"],
            },
            "clock",
        ),
    ]
    for data, field in bad:
        response = admin.post(new, data)
        assert response.status_code == 400, data
        assert response.context["form"].errors[field], (data, response.context["form"].errors)
        assert f'value="{data["kind"]}"' in response.content.decode()
    assert EscalationRule.objects.filter(policy=policy).count() == 2
    # change and remove
    edit = f"/admin-console/sla-policies/{policy.pk}/escalations/{rule.pk}/"
    response = admin.post(
        edit,
        {"clock": "resolution", "kind": "warning", "warn_at_percent": "50", "notify": ["assignee"]},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.warn_at_percent == 50
    assert admin.post(edit, {"delete": "1"}).status_code == 302
    assert not EscalationRule.objects.filter(pk=rule.pk).exists()
    assert AuditEntry.objects.filter(action="escalationrule.saved").count() == 3
    assert AuditEntry.objects.filter(action="escalationrule.deleted").exists()


def test_escalation_levels_respect_the_plan_limit(
    in_alpha: TenantUnderTest, admin: Client, policy: SlaPolicy
) -> None:
    tenant = in_alpha.tenant
    tenant.plan_limits = {"sla_escalation_levels": 1, "plan_name": "Basic"}
    tenant.save(update_fields=["plan_limits"])
    new = f"/admin-console/sla-policies/{policy.pk}/escalations/new/"
    first = {
        "clock": "resolution",
        "kind": "breach",
        "after_breach_minutes": "0",
        "notify": ["assignee"],
    }
    assert admin.post(new, first).status_code == 302
    response = admin.post(new, {**first, "after_breach_minutes": "60"})
    assert response.status_code == 400
    assert "allows 1 escalation level" in " ".join(response.context["form"].errors["clock"])
    # another clock has its own levels
    assert admin.post(new, {**first, "clock": "first_response"}).status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        "/admin-console/business-calendars/",
        "/admin-console/business-calendars/new/",
        "/admin-console/sla-policies/{policy}/escalations/new/",
    ],
)
def test_agents_and_supervisors_cannot_open_sla_setup(
    in_alpha: TenantUnderTest, agent: Agent, supervisor: Agent, policy: SlaPolicy, url: str
) -> None:
    url = url.format(policy=policy.pk)
    for person in (agent, supervisor):
        client = in_alpha.signed_in_client(person.user.email, FACTORY_PASSWORD)
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "x"}).status_code == 403


def test_tenant_b_calendars_and_rules_are_unreachable(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    with schema_context(tenant_b.tenant.schema_name):
        calendar = BusinessCalendar.objects.create(name="Bravo hours")
        bravo_policy = SlaPolicy.objects.create(name="Bravo policy", resolution_minutes=60)
        rule = EscalationRule.objects.create(
            policy=bravo_policy, clock="resolution", after_breach_minutes=0, notify=["assignee"]
        )
    client = tenant_a.signed_in_client(tenant_a.admin.email)
    assert "Bravo hours" not in client.get("/admin-console/business-calendars/").content.decode()
    assert client.get(f"/admin-console/business-calendars/{calendar.pk}/").status_code == 404
    holidays = f"/admin-console/business-calendars/{calendar.pk}/holidays/"
    assert client.post(holidays, {"first_day": "2027-01-01"}).status_code == 404
    escalation = f"/admin-console/sla-policies/{bravo_policy.pk}/escalations/{rule.pk}/"
    assert client.post(escalation, {"delete": "1"}).status_code == 404
    with schema_context(tenant_b.tenant.schema_name):
        assert EscalationRule.objects.filter(pk=rule.pk).exists()
        assert not Holiday.objects.filter(calendar=calendar).exists()

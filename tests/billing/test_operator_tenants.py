"""The operators' tenant list: plan, status, agents, tickets, storage and SMS this month
from the public schema's counters; search and filters; a bounded number of queries at
200 tenants (never one query per tenant schema)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context

from billing.models import AccountStatus, BillingAccount, Plan, SmsUsage, TenantUsage
from billing.services import seats_sync
from billing.tasks import usage_refresh
from billing.usage import usage_count
from tenants.models import Tenant, TenantStatus
from tests.billing.test_pages import _operator
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import AgentFactory, DepartmentFactory, make_ticket


def _bulk_tenants(count: int) -> None:
    """Rows only (the list reads the public schema): no schema is built for them."""
    plans = list(Plan.objects.order_by("code"))
    tenants = Tenant.objects.bulk_create(
        Tenant(
            schema_name=f"t_list_{number}",
            slug=f"list-{number:03d}",
            name=f"List {number}",
            admin_email=f"admin{number}@example.com",
            status=TenantStatus.SUSPENDED if number % 10 == 0 else TenantStatus.ACTIVE,
        )
        for number in range(count)
    )
    month = timezone.now().date().replace(day=1)
    BillingAccount.objects.bulk_create(
        BillingAccount(
            tenant=tenant,
            plan=plans[number % len(plans)],
            status=AccountStatus.ACTIVE if number % 2 else AccountStatus.TRIALING,
        )
        for number, tenant in enumerate(tenants)
    )
    TenantUsage.objects.bulk_create(
        TenantUsage(tenant=tenant, agents=number % 7, tickets=number * 3, storage_bytes=number)
        for number, tenant in enumerate(tenants)
    )
    SmsUsage.objects.bulk_create(
        SmsUsage(tenant=tenant, month=month, sent=number) for number, tenant in enumerate(tenants)
    )


def test_the_tenant_list_has_usage_columns_in_bounded_queries(
    db: None, django_assert_max_num_queries: Any
) -> None:
    _bulk_tenants(200)
    operator = _operator()
    operator.get("/ops/")  # session, MFA and translations warmed up
    with django_assert_max_num_queries(12):
        response = operator.get("/ops/?q=list-")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('href="/ops/tenants/list-') == 50  # first page
    assert "page=2" in page
    with django_assert_max_num_queries(12):
        last = operator.get("/ops/?q=list-&page=4").content.decode()
    assert "List 199" in last


def test_usage_is_counted_in_the_schema_and_read_from_the_public_counters(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    with schema_context(tenant_a.tenant.schema_name):
        desk = DepartmentFactory.create(name="Desk")
        AgentFactory.create(departments=[desk])
        AgentFactory.create(departments=[desk], is_active=False)
        for _ in range(3):
            make_ticket(department=desk)
    SmsUsage.objects.create(
        tenant=tenant_a.tenant, month=timezone.now().date().replace(day=1), sent=17
    )
    SmsUsage.objects.create(
        tenant=tenant_a.tenant, month=timezone.now().date().replace(day=1, year=2001), sent=999
    )
    assert usage_refresh() >= 2
    usage = TenantUsage.objects.get(tenant=tenant_a.tenant)
    assert (usage.agents, usage.tickets) == (2, 3)  # the admin and the active agent
    other = TenantUsage.objects.get(tenant=tenant_b.tenant)
    assert (other.agents, other.tickets) == (1, 0)  # A's work is not counted for B

    operator = _operator()
    page = operator.get("/ops/?q=alpha").content.decode()
    assert "Team" in page
    assert "Trial" in page
    assert ">17<" in page  # SMS this month, not the old month's 999
    assert "999" not in page
    assert "Bravo" not in page


def test_seat_changes_keep_the_agent_count_current(tenant_a: TenantUnderTest) -> None:
    usage_count(tenant=tenant_a.tenant)
    with schema_context(tenant_a.tenant.schema_name):
        AgentFactory.create()
    seats_sync(tenant_id=tenant_a.tenant.pk, change_id="test")
    assert TenantUsage.objects.get(tenant=tenant_a.tenant).agents == 2


def test_filters_by_plan_status_and_billing_status(db: None) -> None:
    _bulk_tenants(40)
    operator = _operator()

    def slugs(query: str) -> set[str]:
        response = operator.get(f"/ops/?{query}")
        assert response.status_code == 200
        return {tenant.slug for tenant in response.context["tenants"]}

    business = slugs("plan=business")
    assert business
    assert all(
        BillingAccount.objects.get(tenant__slug=slug).plan.code == "business" for slug in business
    )
    suspended = slugs("status=suspended")
    assert suspended == {f"list-{n:03d}" for n in range(0, 40, 10)}
    trialing = slugs("billing=trialing") - {"alpha", "bravo"}  # the session tenants' trials
    assert trialing == {f"list-{n:03d}" for n in range(0, 40, 2)}
    assert slugs("q=list-007") == {"list-007"}
    # Nonsense filters are ignored, never a 500.
    live = Tenant.objects.exclude(schema_name="public").exclude(status=TenantStatus.DELETED)
    assert len(slugs("status=zzz&billing=%00")) == live.count()  # ignored: every live tenant
    assert slugs("plan=%00nope") == set()
    assert operator.get("/ops/?status=zzz&billing=nope&plan=x%00y").status_code == 200

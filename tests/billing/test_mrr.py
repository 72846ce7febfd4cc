"""MRR on the operators' overview: per currency (EUR is never added to USD), yearly
plans as a twelfth per month, trials, complimentary, free and cancelled accounts left
out."""

from __future__ import annotations

import pytest
from django.utils import timezone

from billing.models import AccountStatus, BillingAccount, Plan
from billing.selectors import mrr_by_currency, operator_overview
from tenants.models import Tenant, TenantStatus

_counter = iter(range(10_000))


def _tenant(status: str = TenantStatus.ACTIVE) -> Tenant:
    number = next(_counter)
    # Rows only: the overview reads the public schema, no tenant schema is needed.
    return Tenant.objects.create(
        schema_name=f"t_mrr_{number}",
        slug=f"mrr-{number}",
        name=f"MRR {number}",
        admin_email=f"admin{number}@example.com",
        status=status,
    )


def _plan(code: str, *, amount: int, currency: str, interval: str = "month") -> Plan:
    return Plan.objects.create(
        code=code,
        name=code.title(),
        stripe_price_id=f"price_{code}",
        unit_amount=amount,
        currency=currency,
        interval=interval,
    )


def _account(plan: Plan, status: str, seats: int, tenant_status: str = "active") -> None:
    BillingAccount.objects.create(
        tenant=_tenant(tenant_status),
        plan=plan,
        status=status,
        seats=seats,
        trial_ends_at=timezone.now(),
    )


@pytest.fixture
def accounts(db: None) -> None:
    usd_month = _plan("usd-month", amount=1500, currency="usd")
    eur_month = _plan("eur-month", amount=1000, currency="eur")
    eur_year = _plan("eur-year", amount=12_000, currency="EUR", interval="year")
    _account(usd_month, AccountStatus.ACTIVE, 3)  # 45.00 USD
    _account(usd_month, AccountStatus.PAST_DUE, 1)  # still owed: 15.00 USD
    _account(eur_month, AccountStatus.ACTIVE, 2)  # 20.00 EUR
    _account(eur_year, AccountStatus.ACTIVE, 1)  # 120.00 EUR a year = 10.00 EUR a month
    _account(eur_year, AccountStatus.ACTIVE, 1)  # another 10.00 EUR
    # None of these bring revenue:
    _account(usd_month, AccountStatus.TRIALING, 10)
    _account(usd_month, AccountStatus.COMPED, 10)
    _account(usd_month, AccountStatus.CANCELED, 10)
    _account(usd_month, AccountStatus.FREE, 10)
    _account(usd_month, AccountStatus.INCOMPLETE, 10)
    _account(usd_month, AccountStatus.ACTIVE, 10, tenant_status=TenantStatus.DELETED)


def test_mrr_is_grouped_by_currency_with_yearly_plans_per_month(accounts: None) -> None:
    revenue = {row.currency: row for row in mrr_by_currency()}
    assert set(revenue) == {"usd", "eur"}
    assert revenue["usd"].cents == 6000
    assert revenue["usd"].accounts == 2
    assert revenue["eur"].cents == 4000
    assert revenue["eur"].accounts == 3
    assert revenue["eur"].display == "40.00 EUR"
    overview = operator_overview()
    assert overview.mrr_in("USD") == 6000
    assert overview.mrr_in("gbp") == 0


def test_yearly_twelfths_are_summed_before_rounding(db: None) -> None:
    yearly = _plan("odd-year", amount=1000, currency="usd", interval="year")
    for _ in range(3):
        _account(yearly, AccountStatus.ACTIVE, 1)  # 3 × 10.00 / 12 = 2.50, not 3 × 0.83
    [usd] = mrr_by_currency()
    assert usd.cents == 250


def test_the_operator_page_shows_each_currency(accounts: None) -> None:
    from tests.billing.test_pages import _operator

    page = _operator().get("/ops/billing/").content.decode()
    assert "60.00 USD" in page
    assert "40.00 EUR" in page
    assert "100.00" not in page  # never one sum across currencies

"""The plans a fresh platform starts with. Operators change them afterwards (operator
console, ``/ops/billing/plans/``); seeding never overwrites an existing plan. The Stripe
price ids are the ids to create in Stripe (a legacy Plan object may carry a chosen id
and is accepted wherever a price is), or replace them with the ``price_…`` ids of your
own prices."""

from __future__ import annotations

from typing import Any

DEFAULT_PLANS: list[dict[str, Any]] = [
    {
        "code": "free",
        "name": "Free",
        "stripe_price_id": "",
        "unit_amount": 0,
        "trial_days": 0,
        "max_agents": 1,
        "max_departments": 1,
        "storage_mb": 500,
        "sms_per_month": 0,
        "features": [],
        "sla_escalation_levels": 1,
        "position": 0,
    },
    {
        "code": "team",
        "name": "Team",
        "stripe_price_id": "caseway-team-monthly",
        "unit_amount": 1500,
        "trial_days": 14,
        "max_agents": 25,
        "max_departments": 10,
        "storage_mb": 20_000,
        "sms_per_month": 500,
        "features": ["api_access"],
        "sla_escalation_levels": 2,
        "position": 1,
    },
    {
        "code": "business",
        "name": "Business",
        "stripe_price_id": "caseway-business-monthly",
        "unit_amount": 3900,
        "trial_days": 14,
        "max_agents": None,
        "max_departments": None,
        "storage_mb": 200_000,
        "sms_per_month": 5000,
        "features": ["api_access", "custom_domain", "branding_removal"],
        "sla_escalation_levels": 5,
        "position": 2,
    },
]

"""Plans shown on the landing page: billing's public plans, or the defaults in settings
(PRICING_DEFAULT_PLANS) while no plan is defined."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from billing.selectors import plan_list_public


def pricing_plans() -> list[dict[str, Any]]:
    plans = plan_list_public()
    if not plans:
        return [dict(plan) for plan in settings.PRICING_DEFAULT_PLANS]
    shown = []
    for plan in plans:
        features = set(plan["features"])
        if plan["limits"].get("sla_escalation_levels"):
            features.add("sla")
        if "branding_removal" in features:
            features.add("branding")
        price = plan["price"]
        shown.append(
            {
                "name": plan["name"],
                "price": f"{price:g}",
                "currency": str(plan["currency"]).upper(),
                "agents": plan["limits"]["agents"],
                "sms": plan["limits"]["sms_per_month"],
                "features": sorted(features),
                "trial_days": plan["trial_days"],
            }
        )
    return shown

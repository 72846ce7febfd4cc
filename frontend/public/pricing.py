"""Plans shown on the landing page."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def pricing_plans() -> list[dict[str, Any]]:
    """The plans to show: billing's plans once they exist; until then the defaults in
    settings (PRICING_DEFAULT_PLANS)."""
    return [dict(plan) for plan in settings.PRICING_DEFAULT_PLANS]

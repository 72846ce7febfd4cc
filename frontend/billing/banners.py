"""The staff banner about billing trouble (payment overdue, trial ending)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from billing.selectors import billing_banner_for
from frontend.banners import Banner
from frontend.base_views import is_platform_request
from ticketing.permissions import active_agent


def billing_banners(request: HttpRequest) -> list[Banner]:
    if is_platform_request(request) or not request.path.startswith(
        ("/console/", "/admin-console/")
    ):
        return []
    user = getattr(request, "user", None)  # None on API pages (DRF's anonymous user)
    if user is None or not user.is_authenticated:
        return []
    agent = getattr(request, "agent", None) or active_agent(user)
    if agent is None:
        return []
    banner = billing_banner_for(request.tenant)  # type: ignore[attr-defined]
    if banner is None:
        return []
    level = "error" if banner.level == "danger" else "warning"
    if agent.is_admin:
        return [Banner(banner.message, level, "/admin-console/billing/", _("Billing"))]
    return [Banner(banner.message, level)]

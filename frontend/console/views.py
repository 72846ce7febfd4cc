"""The agent console's entry page."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.views.generic import TemplateView

from frontend.base_views import StaffView
from notifications.services import announcements_for, unread_count
from sla.selectors import tickets_at_risk
from ticketing.selectors import tickets_mine, tickets_open, tickets_unassigned

DASHBOARD_ROWS = 10


class DashboardView(StaffView, TemplateView):
    template_name = "console/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        counts = (
            tickets_open(agent=self.agent).order_by().values("status").annotate(total=Count("pk"))
        )
        context.update(
            mine=list(tickets_mine(agent=self.agent)[:DASHBOARD_ROWS]),
            unassigned=list(tickets_unassigned(agent=self.agent)[:DASHBOARD_ROWS]),
            at_risk=list(tickets_at_risk(agent=self.agent, at=now)[:DASHBOARD_ROWS]),
            status_counts={row["status"]: row["total"] for row in counts},
            unread=unread_count(user_id=self.agent.user_id),
            announcements=announcements_for(staff=True, at=now),
        )
        return context

"""The tenant admin console's entry page: a first-run checklist and the sections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from frontend.base_views import TenantAdminView
from notifications.models import NotificationTemplate
from sla.models import SlaPolicy
from ticketing.models import Agent, Department


@dataclass(frozen=True)
class ChecklistItem:
    title: str
    hint: str
    done: bool


def first_run_checklist(*, tenant: Any) -> list[ChecklistItem]:
    """What a new help desk still needs, in the order an admin usually does it."""
    branding = tenant.settings
    return [
        ChecklistItem(
            str(_("Create your departments")),
            str(_("Queues such as Support or Billing, each with its own agents.")),
            Department.objects.exists(),
        ),
        ChecklistItem(
            str(_("Invite your agents")),
            str(_("Colleagues who answer tickets, with their roles and departments.")),
            Agent.objects.filter(is_active=True).count() > 1,
        ),
        ChecklistItem(
            str(_("Brand your portal")),
            str(_("Logo, colours and a welcome text your customers recognise.")),
            bool(branding.logo or branding.welcome_text or branding.portal_title),
        ),
        ChecklistItem(
            str(_("Set up an SLA policy")),
            str(_("Response and resolution targets, with business hours.")),
            SlaPolicy.objects.exists(),
        ),
        ChecklistItem(
            str(_("Connect your channels")),
            str(_("Point your support address at Caseway and adjust the notification texts.")),
            Department.objects.exclude(email_address="").exists()
            or NotificationTemplate.objects.exists(),
        ),
    ]


class OverviewView(TenantAdminView, TemplateView):
    template_name = "admin_console/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        checklist = first_run_checklist(tenant=self.request.tenant)  # type: ignore[attr-defined]
        context.update(
            checklist=checklist,
            checklist_done=sum(item.done for item in checklist),
            welcome=self.request.GET.get("welcome") == "1",
        )
        return context

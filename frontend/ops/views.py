"""The platform operator console's entry page: every tenant, searchable."""

from __future__ import annotations

from typing import Any

from django.views.generic import ListView

from frontend.base_views import OperatorView
from tenants.models import Tenant, TenantStatus
from tenants.selectors import tenant_list


class TenantListView(OperatorView, ListView):
    template_name = "ops/tenant_list.html"
    context_object_name = "tenants"
    paginate_by = 50

    def get_queryset(self) -> Any:
        status = self.request.GET.get("status", "")
        if status not in TenantStatus.values:
            status = ""
        return tenant_list(status=status or None, search=self.request.GET.get("q", "")[:100])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            statuses=TenantStatus.choices,
            status=self.request.GET.get("status", ""),
            query=self.request.GET.get("q", ""),
            total=Tenant.objects.exclude(schema_name="public").count(),
        )
        return context

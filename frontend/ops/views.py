"""The platform operator console (public schema): tenants, searchable, and the actions
on them — provision, suspend, resume, delete. Every action is audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.generic import ListView, View
from django_tenants.utils import schema_context

from audit.selectors import audit_list
from audit.services import audit_record
from billing.models import AccountStatus, Plan
from billing.selectors import tenants_with_usage
from frontend.base_views import OperatorView
from frontend.domain_errors import search_text
from frontend.ops.forms import DeleteForm, ProvisionForm, SuspendForm
from tenants.errors import TenantError
from tenants.models import Tenant, TenantStatus
from tenants.selectors import tenant_get
from tenants.services import tenant_create, tenant_delete, tenant_resume, tenant_suspend


class TenantListView(OperatorView, ListView):
    """Tenants with plan, status and usage, searchable and filtered by status, plan and
    billing status. Usage comes from the public schema's counters: one query per page
    whatever the number of tenants (never one per schema)."""

    template_name = "ops/tenant_list.html"
    context_object_name = "tenants"
    paginate_by = 50

    def _filters(self) -> dict[str, str]:
        get = self.request.GET
        status = get.get("status", "")
        billing_status = get.get("billing", "")
        return {
            "status": status if status in TenantStatus.values else "",
            "plan_code": search_text(self.request, "plan", limit=40),
            "billing_status": billing_status if billing_status in AccountStatus.values else "",
            "search": search_text(self.request, limit=100),
        }

    def get_queryset(self) -> Any:
        return tenants_with_usage(**self._filters())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = self._filters()
        context.update(
            statuses=TenantStatus.choices,
            status=filters["status"],
            plans=list(Plan.objects.values_list("code", "name")),
            plan=filters["plan_code"],
            billing_statuses=AccountStatus.choices,
            billing_status=filters["billing_status"],
            query=self.request.GET.get("q", ""),
            filter_query=urlencode(
                {
                    "q": filters["search"],
                    "status": filters["status"],
                    "plan": filters["plan_code"],
                    "billing": filters["billing_status"],
                }
            ),
            total=Tenant.objects.exclude(schema_name="public").count(),
        )
        return context


def tenant_usage(tenant: Tenant) -> dict[str, int]:
    """Agents, tickets and stored attachment bytes of one tenant (its own schema)."""
    from django.db.models import Sum

    from ticketing.models import Agent, Attachment, Ticket

    if tenant.status == TenantStatus.DELETED:
        return {}
    with schema_context(tenant.schema_name):
        return {
            "agents": Agent.objects.filter(is_active=True).count(),
            "tickets": Ticket.objects.count(),
            "storage": Attachment.objects.aggregate(total=Sum("size"))["total"] or 0,
        }


class ProvisionView(OperatorView, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "ops/provision.html", {"form": ProvisionForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ProvisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = tenant_create(
                    slug=data["slug"],
                    name=data["name"],
                    admin_email=data["admin_email"],
                    language=data["language"],
                    timezone_name=data["timezone_name"],
                    domain=data["domain"] or None,
                )
            except TenantError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                audit_record(
                    actor=request.user,
                    action="tenant.provisioned",
                    target=created.tenant.slug,
                    changes={"admin_email": ("", data["admin_email"])},
                )
                messages.success(request, _("Tenant provisioned."))
                return HttpResponseRedirect(f"/ops/tenants/{created.tenant.slug}/")
        return render(request, "ops/provision.html", {"form": form}, status=400)


class TenantDetailView(OperatorView, View):
    def _tenant(self, slug: str) -> Tenant:
        tenant = tenant_get(slug=slug)
        if tenant is None:
            raise Http404
        return tenant

    def get(self, request: HttpRequest, slug: str, action: str = "") -> HttpResponse:
        if action:
            return HttpResponseRedirect(f"/ops/tenants/{slug}/")
        return self._page(request, self._tenant(slug))

    def post(self, request: HttpRequest, slug: str, action: str = "") -> HttpResponse:
        tenant = self._tenant(slug)
        forms: dict[str, Any] = {}
        try:
            if action == "suspend":
                form = SuspendForm(request.POST)
                forms["suspend"] = form
                if not form.is_valid():
                    return self._page(request, tenant, forms, status=400)
                with transaction.atomic():
                    tenant_suspend(slug=slug, reason=form.cleaned_data["reason"])
                    audit_record(
                        actor=request.user,
                        action="tenant.suspended",
                        target=slug,
                        changes={"reason": ("", form.cleaned_data["reason"])},
                    )
                messages.success(request, _("Tenant suspended: its hosts answer 503."))
            elif action == "resume":
                with transaction.atomic():
                    tenant_resume(slug=slug)
                    audit_record(actor=request.user, action="tenant.resumed", target=slug)
                messages.success(request, _("Tenant resumed."))
            elif action == "delete":
                confirm = DeleteForm(request.POST)
                forms["delete"] = confirm
                if confirm.is_valid() and confirm.cleaned_data["confirm"].strip() != slug:
                    confirm.add_error("confirm", _("This is not the tenant's slug."))
                if not confirm.is_valid():
                    return self._page(request, tenant, forms, status=400)
                with transaction.atomic():
                    tenant_delete(slug=slug)
                    audit_record(actor=request.user, action="tenant.deleted", target=slug)
                messages.success(
                    request, _("Tenant deleted: offline now, data dropped after the grace period.")
                )
            else:
                raise Http404
        except TenantError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(f"/ops/tenants/{slug}/")

    def _page(
        self,
        request: HttpRequest,
        tenant: Tenant,
        forms: dict[str, Any] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        forms = {"suspend": SuspendForm(), "delete": DeleteForm(), **(forms or {})}
        return render(
            request,
            "ops/tenant_detail.html",
            {
                "tenant": tenant,
                "usage": tenant_usage(tenant),
                "forms": forms,
                "history": list(audit_list(search=tenant.slug)[:20]),
            },
            status=status,
        )


class OperatorAuditView(OperatorView, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        from django.core.paginator import Paginator

        query = search_text(request, limit=100)
        page = Paginator(audit_list(search=query), 50).get_page(request.GET.get("page"))
        return render(request, "ops/audit.html", {"page": page, "query": query})

"""Billing pages: the tenant admin's billing page and the operators' overview. They
parse the form, call one billing service, and redirect with a message."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from audit.services import audit_record
from billing import plan_editing, selectors, services
from billing.errors import BillingError, PlanInvalid, StripeNotConfigured, StripeUnavailable
from billing.models import Plan
from billing.plan_editing import EDITABLE_FIELDS
from frontend.base_views import OperatorView, TenantAdminView
from frontend.billing.forms import CompForm, ExtendTrialForm, PlanChoiceForm, PlanForm
from tenants.models import Tenant

ADMIN_PAGE = "/admin-console/billing/"
OPS_PAGE = "/ops/billing/"


def _stripe_error_message(error: BillingError) -> str:
    if isinstance(error, StripeNotConfigured):
        return _("Online payment is not set up on this platform yet.")
    if isinstance(error, StripeUnavailable):
        return _("The payment provider could not be reached. Please try again in a minute.")
    return error.message


class BillingView(TenantAdminView, TemplateView):
    """Plan, status, trial end, next invoice, invoice history; subscribe, change plan,
    cancel at period end, resume, manage cards. Only this tenant's data: the tenant
    is the request's host."""

    template_name = "billing/admin_billing.html"

    @property
    def tenant(self) -> Tenant:
        return self.request.tenant  # type: ignore[attr-defined]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        account = services.account_for(tenant=self.tenant)
        context.update(
            account=account,
            plans=selectors.plans_choosable(),
            invoices=selectors.invoices_for(tenant=self.tenant),
            stripe_configured=selectors.stripe_configured(),
            grace_deadline=selectors.grace_deadline(account),
            has_subscription=services.has_live_subscription(account),
            limits=self.tenant.limits,
            sms_used=selectors.sms_used_this_month(tenant=self.tenant),
            # One per page view: a double-submitted form repeats the same Stripe request
            # (same idempotency key); a later, deliberate action gets a new one.
            nonce=uuid.uuid4().hex,
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action", "")
        page = request.build_absolute_uri(ADMIN_PAGE)
        try:
            if action in ("subscribe", "change_plan"):
                form = PlanChoiceForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("Choose one of the plans."))
                    return redirect(ADMIN_PAGE)
                plan: Plan = form.cleaned_data["plan"]
                if action == "subscribe":
                    url = services.checkout_start(
                        tenant=self.tenant,
                        plan=plan,
                        success_url=page + "?checkout=done",
                        cancel_url=page + "?checkout=cancelled",
                        nonce=request.POST.get("nonce", ""),
                    )
                    return HttpResponseRedirect(url)
                services.subscription_change_plan(
                    tenant=self.tenant, plan=plan, nonce=request.POST.get("nonce", "")
                )
                messages.success(request, _("The plan is now %(plan)s.") % {"plan": plan.name})
            elif action in ("cancel", "resume"):
                services.subscription_set_cancel(
                    tenant=self.tenant,
                    cancel=action == "cancel",
                    nonce=request.POST.get("nonce", ""),
                )
                messages.success(
                    request,
                    _("The subscription ends at the end of the period.")
                    if action == "cancel"
                    else _("The subscription continues."),
                )
            elif action == "portal":
                return HttpResponseRedirect(
                    services.billing_portal_url(tenant=self.tenant, return_url=page)
                )
            else:
                messages.error(request, _("Unknown action."))
        except BillingError as error:
            messages.error(request, _stripe_error_message(error))
        return redirect(ADMIN_PAGE)


class OperatorBillingView(OperatorView, TemplateView):
    """MRR, tenants by plan and status, failed payments; extend a trial, comp a plan."""

    template_name = "billing/ops_billing.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            overview=selectors.operator_overview(),
            plans=Plan.objects.filter(is_active=True),
            extend_form=kwargs.get("extend_form") or ExtendTrialForm(),
            comp_form=kwargs.get("comp_form") or CompForm(),
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action", "")
        form: ExtendTrialForm | CompForm
        if action == "extend_trial":
            form = ExtendTrialForm(request.POST)
            if form.is_valid():
                try:
                    with transaction.atomic():
                        services.trial_extend(
                            tenant=form.cleaned_data["tenant"], days=form.cleaned_data["days"]
                        )
                        audit_record(
                            actor=request.user,
                            action="billing.trial_extended",
                            target=form.cleaned_data["tenant"].slug,
                            changes={"days": ("", form.cleaned_data["days"])},
                        )
                except BillingError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, _("The trial was extended."))
                    return redirect(OPS_PAGE)
            return self.render_to_response(self.get_context_data(extend_form=form), status=400)
        if action == "comp":
            form = CompForm(request.POST)
            if form.is_valid():
                with transaction.atomic():
                    services.plan_comp(
                        tenant=form.cleaned_data["tenant"],
                        plan=form.cleaned_data["plan"],
                        until=form.cleaned_data["until"],
                    )
                    audit_record(
                        actor=request.user,
                        action="billing.plan_comped",
                        target=form.cleaned_data["tenant"].slug,
                        changes={
                            "plan": ("", form.cleaned_data["plan"].code),
                            "until": ("", form.cleaned_data["until"] or ""),
                        },
                    )
                messages.success(request, _("The plan was given free of charge."))
                return redirect(OPS_PAGE)
            return self.render_to_response(self.get_context_data(comp_form=form), status=400)
        messages.error(request, _("Unknown action."))
        return redirect(OPS_PAGE)


PLANS_PAGE = "/ops/billing/plans/"


class PlanListView(OperatorView, TemplateView):
    """Every plan with its price, limits, features and how many tenants are on it."""

    template_name = "billing/ops_plans.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["plans"] = selectors.plans_for_operators()
        return context


class PlanEditView(OperatorView, View):
    """Create a plan (no ``code`` in the URL) or change one; retiring a plan deletes it
    when nobody is on it and deactivates it otherwise. Every change is audited."""

    def _plan(self, code: str) -> Plan | None:
        if not code:
            return None
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            raise Http404
        return plan

    def get(self, request: HttpRequest, code: str = "") -> HttpResponse:
        plan = self._plan(code)
        return self._page(request, plan, PlanForm(instance=plan))

    def post(self, request: HttpRequest, code: str = "") -> HttpResponse:
        plan = self._plan(code)
        if plan is not None and request.POST.get("action") == "retire":
            return self._retire(request, plan)
        form = PlanForm(request.POST, instance=Plan.objects.get(pk=plan.pk) if plan else None)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS}
            try:
                with transaction.atomic():
                    if plan is None:
                        saved = plan_editing.plan_create(fields=fields)
                        changes = {name: ("", value) for name, value in fields.items()}
                        action = "plan.created"
                    else:
                        changes = plan_editing.plan_update(plan=plan, fields=fields)
                        saved = plan
                        action = "plan.updated"
                    audit_record(
                        actor=request.user, action=action, target=saved.code, changes=changes
                    )
            except PlanInvalid as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Plan %(name)s saved.") % {"name": saved.name})
                return HttpResponseRedirect(PLANS_PAGE)
        return self._page(request, plan, form, status=400)

    def _retire(self, request: HttpRequest, plan: Plan) -> HttpResponse:
        try:
            with transaction.atomic():
                deleted = plan_editing.plan_retire(plan=plan)
                audit_record(
                    actor=request.user,
                    action="plan.deleted" if deleted else "plan.deactivated",
                    target=plan.code,
                )
        except PlanInvalid as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(f"{PLANS_PAGE}{plan.code}/")
        if deleted:
            messages.success(request, _("Plan %(name)s deleted.") % {"name": plan.name})
        else:
            messages.success(
                request,
                _(
                    "Tenants are on plan %(name)s, so it was deactivated and hidden from the "
                    "pricing page instead of deleted. They keep it until they change plan."
                )
                % {"name": plan.name},
            )
        return HttpResponseRedirect(PLANS_PAGE)

    def _page(
        self, request: HttpRequest, plan: Plan | None, form: PlanForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "billing/ops_plan_edit.html",
            {
                "plan": plan,
                "form": form,
                "tenants_on_plan": selectors.plan_tenant_count(plan=plan) if plan else 0,
            },
            status=status,
        )

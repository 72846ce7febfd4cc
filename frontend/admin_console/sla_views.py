"""Admin console pages under a business calendar (its holidays) and under an SLA
policy (its escalation rules). Each change goes through ``sla.configuration`` in one
transaction with its audit entry; a refusal comes back as form errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.generic import View

from audit.services import audit_record
from frontend.admin_console.sections import SECTIONS
from frontend.admin_console.sla_forms import BusinessCalendarForm, EscalationRuleForm, HolidayForm
from frontend.base_views import TenantAdminView
from frontend.domain_errors import add_domain_error
from sla import configuration
from sla.models import BusinessCalendar, EscalationRule, NotifyWhom, SlaPolicy
from ticketing.errors import TicketingError


def calendar_context(calendar: BusinessCalendar, form: forms.Form | None = None) -> dict[str, Any]:
    return {
        "holidays": list(calendar.holidays.order_by("date")),
        "holiday_form": form or HolidayForm(auto_id="id_holiday_%s"),
    }


def policy_context(policy: SlaPolicy) -> dict[str, Any]:
    rules = list(
        policy.escalations.select_related(
            "transfer_to_department", "transfer_to_agent__user"
        ).order_by("clock", "after_breach_minutes", "warn_at_percent")
    )
    whom = dict(NotifyWhom.choices)
    for rule in rules:
        rule.notify_labels = [str(whom.get(key, key)) for key in rule.notify]  # type: ignore[attr-defined]
    return {
        "escalations": rules,
        "escalation_limit": configuration.escalation_levels_allowed(),
    }


class HolidayView(TenantAdminView, View):
    """POST …/business-calendars/<pk>/holidays/ adds a day or a range; with ``delete``
    (a holiday id) removes one."""

    def post(self, request: HttpRequest, calendar_pk: int) -> HttpResponse:
        calendar = BusinessCalendar.objects.filter(pk=calendar_pk).first()
        if calendar is None:
            raise Http404
        back = f"/admin-console/business-calendars/{calendar.pk}/"
        delete = request.POST.get("delete", "")
        if delete:
            holiday = calendar.holidays.filter(pk=int(delete)).first() if delete.isdigit() else None
            if holiday is None:
                raise Http404
            with transaction.atomic():
                configuration.holiday_delete(holiday=holiday)
                audit_record(
                    actor=request.user, action="holiday.deleted", target=f"{calendar}: {holiday}"
                )
            messages.success(request, _("Holiday removed."))
            return HttpResponseRedirect(back)
        form = HolidayForm(request.POST, auto_id="id_holiday_%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    added = configuration.holidays_add(
                        calendar=calendar,
                        first_day=data["first_day"],
                        last_day=data.get("last_day"),
                        name=data.get("name") or "",
                        recurring=bool(data.get("recurring")),
                    )
                    audit_record(
                        actor=request.user,
                        action="holiday.added",
                        target=calendar,
                        changes={
                            "dates": ("", f"{added[0].date} – {added[-1].date}"),
                            "name": ("", data.get("name") or ""),
                        },
                    )
            except TicketingError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Holidays saved."))
                return HttpResponseRedirect(back)
        context = {
            "section": SECTIONS["business-calendars"],
            "form": BusinessCalendarForm(instance=calendar),
            "object": calendar,
            **calendar_context(calendar, form),
        }
        return render(request, "admin_console/section_edit.html", context, status=400)


def _rule_initial(rule: EscalationRule) -> dict[str, Any]:
    return {
        "clock": rule.clock,
        "kind": "warning" if rule.warn_at_percent is not None else "breach",
        "warn_at_percent": rule.warn_at_percent,
        "after_breach_minutes": rule.after_breach_minutes,
        "notify": list(rule.notify),
        "raise_priority": rule.raise_priority,
        "transfer_to_department": rule.transfer_to_department_id,
        "transfer_to_agent": rule.transfer_to_agent_id,
    }


class EscalationRuleView(TenantAdminView, View):
    """Add (no pk), change or remove one escalation rule of an SLA policy."""

    def _objects(self, policy_pk: int, pk: int | None) -> tuple[SlaPolicy, EscalationRule | None]:
        policy = SlaPolicy.objects.filter(pk=policy_pk).first()
        if policy is None:
            raise Http404
        rule = None
        if pk is not None:
            rule = policy.escalations.filter(pk=pk).first()
            if rule is None:
                raise Http404
        return policy, rule

    def get(self, request: HttpRequest, policy_pk: int, pk: int | None = None) -> HttpResponse:
        policy, rule = self._objects(policy_pk, pk)
        form = EscalationRuleForm(
            initial=_rule_initial(rule) if rule else {"kind": "breach", "after_breach_minutes": 0}
        )
        return self._page(request, policy, rule, form)

    def post(self, request: HttpRequest, policy_pk: int, pk: int | None = None) -> HttpResponse:
        policy, rule = self._objects(policy_pk, pk)
        back = f"/admin-console/sla-policies/{policy.pk}/"
        if rule is not None and request.POST.get("delete"):
            with transaction.atomic():
                configuration.escalation_rule_delete(rule=rule)
                audit_record(
                    actor=request.user, action="escalationrule.deleted", target=f"{policy}: {rule}"
                )
            messages.success(request, _("Escalation rule removed."))
            return HttpResponseRedirect(back)
        form = EscalationRuleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    saved = configuration.escalation_rule_save(
                        rule=rule,
                        policy=policy,
                        clock=data["clock"],
                        warn_at_percent=data.get("warn_at_percent"),
                        after_breach_minutes=data.get("after_breach_minutes"),
                        notify=data.get("notify") or [],
                        raise_priority=bool(data.get("raise_priority")),
                        transfer_to_department=data.get("transfer_to_department"),
                        transfer_to_agent=data.get("transfer_to_agent"),
                    )
                    audit_record(
                        actor=request.user,
                        action="escalationrule.saved",
                        target=f"{policy}: {saved}",
                        changes={
                            name: ("", value)
                            for name, value in data.items()
                            if value not in (None, "", [], False)
                        },
                    )
            except TicketingError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Escalation rule saved."))
                return HttpResponseRedirect(back)
        return self._page(request, policy, rule, form, status=400)

    def _page(
        self,
        request: HttpRequest,
        policy: SlaPolicy,
        rule: EscalationRule | None,
        form: forms.Form,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "admin_console/escalation_rule.html",
            {"policy": policy, "rule": rule, "form": form},
            status=status,
        )

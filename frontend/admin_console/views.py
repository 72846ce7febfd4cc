"""The tenant admin console. Every page derives from ``TenantAdminView`` (admins only);
every change goes through a service or the section's save, in one transaction with its
audit entry; a rejected change comes back as form errors with what was typed kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from api.models import ApiKey, WebhookDelivery, WebhookSubscription
from api.services import api_key_create, api_key_revoke
from audit.selectors import audit_list
from audit.services import audit_record
from frontend.admin_console import forms as admin_forms
from frontend.admin_console.audit_helpers import form_changes
from frontend.admin_console.sections import SECTIONS, Section, cell
from frontend.admin_console.sla_views import calendar_context, policy_context
from frontend.base_views import TenantAdminView
from frontend.custom_fields import add_custom_fields
from frontend.domain_errors import add_domain_error, search_text
from notifications.models import NotificationTemplate
from sla.models import BusinessCalendar, SlaPolicy
from tenants.errors import TenantError
from tenants.models import TenantSettings
from tenants.selectors import tenant_custom_domains
from tenants.services import custom_domain_add, custom_domain_remove, tenant_settings_update
from ticketing.errors import TicketingError
from ticketing.models import Agent, Department, HelpdeskSettings
from ticketing.models.forms import FormField, TicketForm
from ticketing.services.people import agent_create


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
            str(gettext_lazy("Create your departments")),
            str(gettext_lazy("Queues such as Support or Billing, each with its own agents.")),
            Department.objects.exists(),
        ),
        ChecklistItem(
            str(gettext_lazy("Invite your agents")),
            str(gettext_lazy("Colleagues who answer tickets, with their roles and departments.")),
            Agent.objects.filter(is_active=True).count() > 1,
        ),
        ChecklistItem(
            str(gettext_lazy("Brand your portal")),
            str(gettext_lazy("Logo, colours and a welcome text your customers recognise.")),
            bool(branding.logo or branding.welcome_text or branding.portal_title),
        ),
        ChecklistItem(
            str(gettext_lazy("Set up an SLA policy")),
            str(gettext_lazy("Response and resolution targets, with business hours.")),
            SlaPolicy.objects.exists(),
        ),
        ChecklistItem(
            str(gettext_lazy("Connect your channels")),
            str(
                gettext_lazy(
                    "Point your support address at Caseway and adjust the notification texts."
                )
            ),
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


def _save_errors(form: forms.BaseForm, error: Exception) -> None:
    if isinstance(error, TicketingError):
        add_domain_error(form, error)
    elif isinstance(error, TenantError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    elif isinstance(error, ValidationError):
        form.add_error(None, error)
    else:
        form.add_error(None, _("This name or value is already in use."))


def _section(key: str) -> Section:
    section = SECTIONS.get(key)
    if section is None:
        raise Http404
    return section


class SectionListView(TenantAdminView, View):
    def get(self, request: HttpRequest, section: str) -> HttpResponse:
        current = _section(section)
        rows = current.model._default_manager.all()
        if current.related:
            rows = rows.select_related(*current.related)
        page = Paginator(rows.order_by(*(current.model._meta.ordering or ["pk"])), 100).get_page(
            request.GET.get("page")
        )
        table = [(obj.pk, [cell(obj, attr) for attr, _label in current.columns]) for obj in page]
        return render(
            request,
            "admin_console/section_list.html",
            {"section": current, "page": page, "table": table},
        )


class SectionEditView(TenantAdminView, View):
    def _object(self, section: Section, pk: int | None) -> Any:
        if pk is None:
            return None
        obj = section.model._default_manager.filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

    def get(self, request: HttpRequest, section: str, pk: int | None = None) -> HttpResponse:
        current = _section(section)
        obj = self._object(current, pk)
        return self._page(request, current, current.form(instance=obj), obj)

    def post(self, request: HttpRequest, section: str, pk: int | None = None) -> HttpResponse:
        current = _section(section)
        obj = self._object(current, pk)
        if request.POST.get("delete") and obj is not None:
            return self._delete(request, current, obj)
        form = current.form(request.POST, request.FILES, instance=obj)
        if form.is_valid():
            changes = form_changes(form)
            verb = "updated" if obj else "created"
            try:
                with transaction.atomic():
                    saved = current.save(form, self.agent)
                    audit_record(
                        actor=request.user,
                        action=f"{current.model._meta.model_name}.{verb}",
                        target=saved,
                        changes=changes,
                    )
            except (TicketingError, IntegrityError, ValidationError) as error:
                _save_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                if obj is None and current.stay_after_create:
                    return HttpResponseRedirect(f"/admin-console/{current.key}/{saved.pk}/")
                return HttpResponseRedirect(f"/admin-console/{current.key}/")
        return self._page(request, current, form, obj, status=400)

    def _delete(self, request: HttpRequest, section: Section, obj: Any) -> HttpResponse:
        label = str(obj)
        try:
            with transaction.atomic():
                obj.delete()
                audit_record(
                    actor=request.user,
                    action=f"{section.model._meta.model_name}.deleted",
                    target=label,
                )
        except IntegrityError:
            messages.error(request, _("It is still in use; deactivate it instead."))
            return HttpResponseRedirect(f"/admin-console/{section.key}/{obj.pk}/")
        except Exception as error:  # ProtectedError and friends
            if error.__class__.__name__ not in ("ProtectedError", "RestrictedError"):
                raise
            messages.error(request, _("It is still in use; deactivate it instead."))
            return HttpResponseRedirect(f"/admin-console/{section.key}/{obj.pk}/")
        messages.success(request, _("Deleted."))
        return HttpResponseRedirect(f"/admin-console/{section.key}/")

    def _page(
        self,
        request: HttpRequest,
        section: Section,
        form: forms.BaseForm,
        obj: Any,
        status: int = 200,
    ) -> HttpResponse:
        context: dict[str, Any] = {"section": section, "form": form, "object": obj}
        if isinstance(obj, TicketForm):
            context.update(form_builder_context(obj))
        if isinstance(obj, BusinessCalendar):
            context.update(calendar_context(obj))
        if isinstance(obj, SlaPolicy):
            context.update(policy_context(obj))
        if isinstance(obj, NotificationTemplate) and not form.errors:
            context["template_preview"] = admin_forms.template_preview(obj.subject, obj.body)
        return render(request, "admin_console/section_edit.html", context, status=status)


# --- the ticket-form builder -----------------------------------------------------------


def form_builder_context(ticket_form: TicketForm) -> dict[str, Any]:
    preview = forms.Form(prefix="preview")
    add_custom_fields(preview, ticket_form)
    return {
        "fields": list(ticket_form.fields.all()),
        "field_form": admin_forms.FormFieldForm(auto_id="id_field_%s"),
        "preview": preview,
    }


def _field_initial(field: FormField) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "key": field.key,
        "field_type": field.field_type,
        "required": field.required,
        "position": field.position,
        "options": "\n".join(
            f"{option.get('value', '')}|{(option.get('label') or {}).get('en', '')}"
            for option in field.options or []
        ),
        **(field.validation or {}),
    }
    for code, text in (field.label or {}).items():
        initial[f"label_{code}"] = text
    for code, text in (field.help_text or {}).items():
        initial[f"help_{code}"] = text
    return initial


class FormFieldView(TenantAdminView, View):
    """Add (no pk), change or remove one field of a ticket form."""

    def _objects(self, form_pk: int, pk: int | None) -> tuple[TicketForm, FormField | None]:
        ticket_form = TicketForm.objects.filter(pk=form_pk).first()
        if ticket_form is None:
            raise Http404
        field = None
        if pk is not None:
            field = ticket_form.fields.filter(pk=pk).first()
            if field is None:
                raise Http404
        return ticket_form, field

    def get(self, request: HttpRequest, form_pk: int, pk: int | None = None) -> HttpResponse:
        ticket_form, field = self._objects(form_pk, pk)
        form = admin_forms.FormFieldForm(initial=_field_initial(field) if field else None)
        return self._page(request, ticket_form, field, form)

    def post(self, request: HttpRequest, form_pk: int, pk: int | None = None) -> HttpResponse:
        ticket_form, field = self._objects(form_pk, pk)
        back = f"/admin-console/forms/{ticket_form.pk}/"
        if field is not None and request.POST.get("delete"):
            with transaction.atomic():
                field.delete()
                audit_record(
                    actor=request.user, action="formfield.deleted", target=f"{ticket_form}: {field}"
                )
            messages.success(request, _("Field removed."))
            return HttpResponseRedirect(back)
        form = admin_forms.FormFieldForm(request.POST)
        if form.is_valid():
            definition = form.definition()
            clash = ticket_form.fields.filter(key=definition["key"])
            if field is not None:
                clash = clash.exclude(pk=field.pk)
            if clash.exists():
                form.add_error("key", _("This form already has a field with this key."))
            else:
                with transaction.atomic():
                    if field is None:
                        field = FormField.objects.create(form=ticket_form, **definition)
                    else:
                        for name, value in definition.items():
                            setattr(field, name, value)
                        field.save()
                    audit_record(
                        actor=request.user,
                        action="formfield.saved",
                        target=f"{ticket_form}: {field}",
                        changes={name: ("", value) for name, value in definition.items()},
                    )
                messages.success(request, _("Field saved."))
                return HttpResponseRedirect(back)
        return self._page(request, ticket_form, field, form, status=400)

    def _page(
        self,
        request: HttpRequest,
        ticket_form: TicketForm,
        field: FormField | None,
        form: forms.Form,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "admin_console/form_field.html",
            {"ticket_form": ticket_form, "field": field, "form": form},
            status=status,
        )


# --- agents --------------------------------------------------------------------------


class AgentListView(TenantAdminView, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        agents = (
            Agent.objects.select_related("user")
            .prefetch_related("departments")
            .order_by("-is_active", "user__full_name")
        )
        return render(
            request,
            "admin_console/agents.html",
            {"agents": agents, "invite": admin_forms.AgentInviteForm()},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = admin_forms.AgentInviteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if Agent.objects.filter(user__email__iexact=data["email"]).exists():
                form.add_error("email", _("This person is already an agent."))
            else:
                with transaction.atomic():
                    agent = agent_create(
                        email=data["email"],
                        full_name=data["full_name"],
                        role=data["role"],
                        departments=list(data["departments"]),
                    )
                    audit_record(
                        actor=request.user,
                        action="agent.invited",
                        target=agent.user.email,
                        changes={"role": ("", data["role"])},
                    )
                # After the commit: mail is never sent from inside a transaction.
                _send_invitation(request, data["email"])
                messages.success(
                    request,
                    _("%(email)s is invited and will receive an email to set a password.")
                    % {"email": data["email"]},
                )
                return HttpResponseRedirect("/admin-console/agents/")
        agents = Agent.objects.select_related("user").order_by("user__full_name")
        return render(
            request, "admin_console/agents.html", {"agents": agents, "invite": form}, status=400
        )


def _send_invitation(request: HttpRequest, email: str) -> None:
    """The invitation is allauth's password-reset mail: the new agent picks a password."""
    from allauth.account.forms import ResetPasswordForm

    form = ResetPasswordForm(data={"email": email})
    if form.is_valid():
        form.save(request)


class AgentEditView(TenantAdminView, View):
    def _agent(self, pk: int) -> Agent:
        agent = Agent.objects.select_related("user").filter(pk=pk).first()
        if agent is None:
            raise Http404
        return agent

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        agent = self._agent(pk)
        return self._page(request, agent, admin_forms.AgentForm(instance=agent))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        agent = self._agent(pk)
        form = admin_forms.AgentForm(request.POST, instance=agent)
        if form.is_valid():
            if agent.pk == self.agent.pk and (
                not form.cleaned_data["is_active"] or form.cleaned_data["role"] != "admin"
            ):
                form.add_error(None, _("You cannot demote or deactivate yourself."))
            else:
                changes = form_changes(form)
                with transaction.atomic():
                    saved = form.save()
                    user = saved.user
                    user.is_staff = saved.role == "admin"
                    user.save(update_fields=["is_staff"])
                    audit_record(
                        actor=request.user,
                        action="agent.updated",
                        target=user.email,
                        changes=changes,
                    )
                messages.success(request, _("Saved."))
                return HttpResponseRedirect("/admin-console/agents/")
        return self._page(request, agent, form, status=400)

    def _page(
        self, request: HttpRequest, agent: Agent, form: forms.BaseForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request, "admin_console/agent_edit.html", {"agent": agent, "form": form}, status=status
        )


# --- single settings pages -----------------------------------------------------------


class TenantSettingsView(TenantAdminView, View):
    """Branding, limits, maintenance mode and security: one form over TenantSettings,
    saved by ``tenant_settings_update`` (which makes every process re-read them)."""

    form_class: type[forms.ModelForm] = admin_forms.BrandingForm
    template_name = "admin_console/settings.html"
    title: Any = gettext_lazy("Branding")
    action = "settings.branding"
    with_helpdesk = False

    def _settings(self) -> TenantSettings:
        # A fresh row, not the router's cached one: a model form writes what was typed
        # onto its instance, and the cached instance is shared by every request.
        return TenantSettings.objects.get(pk=self.request.tenant.pk)  # type: ignore[attr-defined]

    def get(self, request: HttpRequest) -> HttpResponse:
        helpdesk = (
            admin_forms.HelpdeskSettingsForm(instance=HelpdeskSettings.current(), prefix="helpdesk")
            if self.with_helpdesk
            else None
        )
        return self._page(request, self.form_class(instance=self._settings()), helpdesk)

    def post(self, request: HttpRequest) -> HttpResponse:
        current = self._settings()
        form = self.form_class(request.POST, request.FILES, instance=current)
        helpdesk = (
            admin_forms.HelpdeskSettingsForm(
                request.POST, instance=HelpdeskSettings.current(), prefix="helpdesk"
            )
            if self.with_helpdesk
            else None
        )
        valid = form.is_valid() and (helpdesk is None or helpdesk.is_valid())
        if valid:
            changes = form_changes(form)
            values = {name: form.cleaned_data[name] for name in form.changed_data}
            try:
                with transaction.atomic():
                    tenant_settings_update(tenant_id=current.tenant_id, **values)
                    if helpdesk is not None:
                        changes.update(form_changes(helpdesk))
                        helpdesk.save()
                    audit_record(
                        actor=request.user, action=self.action, target=self.title, changes=changes
                    )
            except TenantError as error:
                _save_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(request.path)
        return self._page(request, form, helpdesk, status=400)

    def _page(
        self,
        request: HttpRequest,
        form: forms.BaseForm,
        helpdesk: forms.BaseForm | None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "helpdesk": helpdesk,
                "title": self.title,
                "page_key": self.action,
                **self.extra_context_data(),
            },
            status=status,
        )

    def extra_context_data(self) -> dict[str, Any]:
        return {}


class BrandingView(TenantSettingsView):
    """Branding, and the tenant's custom domains (plans with ``custom_domain`` only)."""

    domain_form: forms.Form | None = None

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action", "")
        if action == "domain_add":
            return self._domain_add(request)
        if action == "domain_remove":
            domain = request.POST.get("domain", "")[:253]
            with transaction.atomic():
                removed = custom_domain_remove(tenant_id=self._tenant_id(), domain=domain)
                if removed:
                    audit_record(actor=request.user, action="domain.removed", target=domain)
            if removed:
                messages.success(request, _("Domain removed."))
            return HttpResponseRedirect(request.path)
        return super().post(request)

    def _tenant_id(self) -> int:
        return int(self.request.tenant.pk)  # type: ignore[attr-defined]

    def _domain_add(self, request: HttpRequest) -> HttpResponse:
        form = admin_forms.CustomDomainForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    added = custom_domain_add(
                        tenant_id=self._tenant_id(), domain=form.cleaned_data["domain"]
                    )
                    audit_record(actor=request.user, action="domain.added", target=added.domain)
            except TenantError as error:
                form.add_error("domain", error.message)
            else:
                messages.success(
                    request,
                    _("Domain %(domain)s added. Point its CNAME record at %(host)s.")
                    % {"domain": added.domain, "host": request.tenant.subdomain_host},  # type: ignore[attr-defined]
                )
                return HttpResponseRedirect(request.path)
        self.domain_form = form
        return self._page(request, self.form_class(instance=self._settings()), None, status=400)

    def extra_context_data(self) -> dict[str, Any]:
        tenant = self.request.tenant  # type: ignore[attr-defined]
        return {
            "domains": tenant_custom_domains(tenant_id=tenant.pk),
            "domain_form": self.domain_form or admin_forms.CustomDomainForm(),
            "custom_domain_allowed": tenant.limits.has_feature("custom_domain"),
            "branding_removal_allowed": tenant.limits.has_feature("branding_removal"),
        }


class LimitsView(TenantSettingsView):
    form_class = admin_forms.LimitsForm
    title = gettext_lazy("Limits")
    action = "settings.limits"
    with_helpdesk = True


class MaintenanceView(TenantSettingsView):
    form_class = admin_forms.MaintenanceForm
    title = gettext_lazy("Maintenance mode")
    action = "settings.maintenance"


class SecurityView(TenantSettingsView):
    form_class = admin_forms.SecurityForm
    title = gettext_lazy("Security")
    action = "settings.security"


class AuditLogView(TenantAdminView, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        query = search_text(request, limit=100)
        page = Paginator(audit_list(search=query), 50).get_page(request.GET.get("page"))
        return render(request, "admin_console/audit.html", {"page": page, "query": query})


# --- API keys and webhooks -------------------------------------------------------------


class ApiKeysView(TenantAdminView, View):
    """API keys (the secret is shown once, after creation) and the webhook subscriptions
    with their latest deliveries."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, admin_forms.ApiKeyForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        revoke = request.POST.get("revoke", "")
        if revoke.isdigit():
            key = ApiKey.objects.filter(pk=int(revoke)).first()
            if key is None:
                raise Http404
            with transaction.atomic():
                api_key_revoke(actor=self.agent, key=key)
                audit_record(actor=request.user, action="api_key.revoked", target=key.name)
            messages.success(request, _("Key revoked."))
            return HttpResponseRedirect("/admin-console/api/")
        form = admin_forms.ApiKeyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    created = api_key_create(
                        actor=self.agent,
                        name=data["name"],
                        scopes=list(data["scopes"]),
                        expires_at=data.get("expires_at"),
                    )
                    audit_record(
                        actor=request.user,
                        action="api_key.created",
                        target=created.key.name,
                        changes={"scopes": ("", created.key.scopes)},
                    )
            except TicketingError as error:
                add_domain_error(form, error)
            else:
                return self._page(request, admin_forms.ApiKeyForm(), secret=created.secret)
        return self._page(request, form, status=400)

    def _page(
        self, request: HttpRequest, form: forms.Form, secret: str = "", status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "admin_console/api.html",
            {
                "form": form,
                "secret": secret,
                "keys": ApiKey.objects.select_related("agent__user").order_by("-created_at"),
                "webhooks": WebhookSubscription.objects.order_by("url"),
                "deliveries": WebhookDelivery.objects.select_related("subscription").order_by(
                    "-pk"
                )[:50],
            },
            status=status,
        )

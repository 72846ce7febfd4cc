"""Forms of the tenant admin console. They parse; rules live in the services and the
models' validators, and their errors come back onto these forms."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from api.models import ApiScope
from notifications.models import Announcement, NotificationTemplate
from sla.models import SlaPolicy
from tenants.models import TenantSettings
from ticketing.errors import InvalidInput
from ticketing.models import (
    Agent,
    AgentRole,
    CannedResponse,
    Category,
    Department,
    HelpdeskSettings,
    Priority,
    Product,
)
from ticketing.models.forms import FieldType, TicketForm
from ticketing.services.canned import fill_placeholders


class AgentChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def _agents() -> Any:
    return Agent.objects.filter(is_active=True).select_related("user").order_by("user__full_name")


class CommaListField(forms.CharField):
    """``a, b, c`` ↔ ``["a", "b", "c"]`` for array columns."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part.strip() for part in str(text).split(",") if part.strip()]


class ParseOnly:
    """Model forms here only parse: the row is written by a service or by the section's
    save, and uniqueness errors come back as form errors."""

    def validate_unique(self) -> None:
        return None


class DepartmentForm(ParseOnly, forms.ModelForm):
    supervisors = AgentChoices(
        label=_("Supervisors"), required=False, queryset=_agents(), widget=forms.SelectMultiple
    )

    class Meta:
        model = Department
        fields: ClassVar[list[str]] = [
            "name",
            "description",
            "email_address",
            "assignment_strategy",
            "default_priority",
            "default_form",
            "supervisors",
            "is_active",
        ]
        widgets: ClassVar[dict[str, Any]] = {"description": forms.Textarea(attrs={"rows": 2})}


class CategoryForm(ParseOnly, forms.ModelForm):
    skills = CommaListField(label=_("Skills needed"), required=False)

    class Meta:
        model = Category
        fields: ClassVar[list[str]] = [
            "name",
            "description",
            "default_department",
            "skills",
            "position",
            "is_active",
        ]
        widgets: ClassVar[dict[str, Any]] = {"description": forms.Textarea(attrs={"rows": 2})}


class ProductForm(ParseOnly, forms.ModelForm):
    class Meta:
        model = Product
        fields: ClassVar[list[str]] = [
            "name",
            "sku",
            "description",
            "requires_support_plan",
            "is_active",
        ]
        widgets: ClassVar[dict[str, Any]] = {"description": forms.Textarea(attrs={"rows": 2})}


class PriorityForm(ParseOnly, forms.ModelForm):
    class Meta:
        model = Priority
        fields: ClassVar[list[str]] = ["name", "level", "description", "colour"]
        widgets: ClassVar[dict[str, Any]] = {"colour": forms.TextInput(attrs={"type": "color"})}


class CannedResponseForm(ParseOnly, forms.ModelForm):
    class Meta:
        model = CannedResponse
        fields: ClassVar[list[str]] = ["title", "body", "department"]
        widgets: ClassVar[dict[str, Any]] = {"body": forms.Textarea(attrs={"rows": 6})}
        help_texts: ClassVar[dict[str, Any]] = {
            "body": _(
                "Placeholders: {{ customer.first_name }}, {{ customer.name }}, "
                "{{ ticket.reference }}, {{ ticket.subject }}, {{ agent.name }}."
            ),
            "department": _("Leave empty to offer it in every department."),
        }


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields: ClassVar[list[str]] = ["title", "body", "audience", "starts_at", "ends_at"]
        widgets: ClassVar[dict[str, Any]] = {
            "body": forms.Textarea(attrs={"rows": 3}),
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }


class TicketFormForm(ParseOnly, forms.ModelForm):
    class Meta:
        model = TicketForm
        fields: ClassVar[list[str]] = ["name", "department", "category", "is_active"]


class SlaPolicyForm(ParseOnly, forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields: ClassVar[list[str]] = [
            "name",
            "position",
            "is_active",
            "departments",
            "priorities",
            "categories",
            "products",
            "first_response_minutes",
            "first_response_business",
            "next_response_minutes",
            "next_response_business",
            "resolution_minutes",
            "resolution_business",
            "pause_on_hold",
        ]
        labels: ClassVar[dict[str, Any]] = {
            "departments": _("Departments (empty: all)"),
            "priorities": _("Priorities (empty: all)"),
            "categories": _("Services (empty: all)"),
            "products": _("Products (empty: all)"),
            "first_response_minutes": _("First response within (minutes)"),
            "first_response_business": _("First response in business hours"),
            "next_response_minutes": _("Next response within (minutes)"),
            "next_response_business": _("Next response in business hours"),
            "resolution_minutes": _("Resolution within (minutes)"),
            "resolution_business": _("Resolution in business hours"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        targets = ("first_response_minutes", "next_response_minutes", "resolution_minutes")
        if not any(data.get(name) for name in targets):
            raise forms.ValidationError(_("Set at least one target."))
        return data


LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class FormFieldForm(forms.Form):
    """One custom field, with its label and help text in every language."""

    key = forms.RegexField(
        label=_("Key"),
        regex=r"^[a-z][a-z0-9_]{0,49}$",
        error_messages={"invalid": _("Use lowercase letters, digits and underscores.")},
    )
    field_type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For select fields: one per line, as value|label."),
    )
    min_length = forms.IntegerField(label=_("Minimum length"), required=False, min_value=0)
    max_length = forms.IntegerField(label=_("Maximum length"), required=False, min_value=1)
    min = forms.FloatField(label=_("Minimum"), required=False)
    max = forms.FloatField(label=_("Maximum"), required=False)
    pattern = forms.CharField(label=_("Pattern (regular expression)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[f"label_{code}"] = forms.CharField(
                label=_("Label (%(language)s)") % {"language": name},
                required=code == "en",
                max_length=200,
            )
            self.fields[f"help_{code}"] = forms.CharField(
                label=_("Help text (%(language)s)") % {"language": name},
                required=False,
                max_length=500,
            )

    def clean_pattern(self) -> str:
        import re

        pattern = self.cleaned_data.get("pattern") or ""
        if pattern:
            try:
                re.compile(pattern)
            except re.error:
                raise forms.ValidationError(_("This is not a valid regular expression.")) from None
        return pattern

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("field_type") in (FieldType.SELECT, FieldType.MULTI_SELECT)
            and not (data.get("options") or "").strip()
        ):
            self.add_error("options", _("A select field needs at least one option."))
        return data

    def definition(self) -> dict[str, Any]:
        """The FormField columns from the cleaned data."""
        data = self.cleaned_data
        options = []
        for line in (data.get("options") or "").splitlines():
            if not line.strip():
                continue
            value, _sep, label = line.partition("|")
            options.append({"value": value.strip(), "label": {"en": (label or value).strip()}})
        validation = {
            name: data[name]
            for name in ("min_length", "max_length", "min", "max", "pattern")
            if data.get(name) not in (None, "")
        }
        return {
            "key": data["key"],
            "field_type": data["field_type"],
            "required": data["required"],
            "position": data["position"],
            "options": options,
            "validation": validation,
            "label": {c: data[f"label_{c}"] for c in LANGUAGE_CODES if data.get(f"label_{c}")},
            "help_text": {c: data[f"help_{c}"] for c in LANGUAGE_CODES if data.get(f"help_{c}")},
        }


class AgentInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=AgentRole.choices)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"), required=False, queryset=Department.objects.order_by("name")
    )


class AgentForm(forms.ModelForm):
    skills = CommaListField(label=_("Skills"), required=False)
    languages = CommaListField(label=_("Languages"), required=False)

    class Meta:
        model = Agent
        fields: ClassVar[list[str]] = [
            "role",
            "departments",
            "skills",
            "languages",
            "service_area",
            "timezone",
            "max_open_tickets",
            "out_of_office_from",
            "out_of_office_until",
            "signature",
            "is_active",
        ]
        widgets: ClassVar[dict[str, Any]] = {
            "signature": forms.Textarea(attrs={"rows": 3}),
            "out_of_office_from": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "out_of_office_until": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("out_of_office_from"), data.get("out_of_office_until")
        if start and end and end <= start:
            self.add_error("out_of_office_until", _("It must end after it starts."))
        return data


class BrandingForm(forms.ModelForm):
    class Meta:
        model = TenantSettings
        fields: ClassVar[list[str]] = [
            "portal_title",
            "welcome_text",
            "logo",
            "favicon",
            "primary_colour",
            "accent_colour",
            "hide_powered_by",
        ]
        widgets: ClassVar[dict[str, Any]] = {
            "welcome_text": forms.Textarea(attrs={"rows": 3}),
            "primary_colour": forms.TextInput(attrs={"type": "color"}),
            "accent_colour": forms.TextInput(attrs={"type": "color"}),
        }

    def clean_logo(self) -> Any:
        return _image(self.cleaned_data.get("logo"))

    def clean_favicon(self) -> Any:
        return _image(self.cleaned_data.get("favicon"))


MAX_IMAGE_BYTES = 2 * 1024 * 1024


class CustomDomainForm(forms.Form):
    domain = forms.CharField(
        label=_("Custom domain"),
        max_length=253,
        help_text=_("For example support.example.com"),
    )


def _image(upload: Any) -> Any:
    if upload and hasattr(upload, "content_type"):
        if not str(upload.content_type).startswith("image/"):
            raise forms.ValidationError(_("Upload an image (PNG, JPEG, SVG, GIF or WebP)."))
        if upload.size > MAX_IMAGE_BYTES:
            raise forms.ValidationError(_("Keep the image under 2 MB."))
    return upload


class LimitsForm(forms.ModelForm):
    allowed_attachment_types = CommaListField(
        label=_("Allowed attachment types"),
        required=False,
        help_text=_("MIME types, separated by commas, e.g. image/png, application/pdf."),
    )

    class Meta:
        model = TenantSettings
        fields: ClassVar[list[str]] = [
            "max_attachment_mb",
            "allowed_attachment_types",
            "open_tickets_per_customer",
            "idle_logout_minutes",
        ]


class HelpdeskSettingsForm(forms.ModelForm):
    class Meta:
        model = HelpdeskSettings
        fields: ClassVar[list[str]] = [
            "reopen_window_days",
            "auto_close_resolved_days",
            "auto_close_pending_days",
            "lock_minutes",
            "customers_can_set_priority",
            "require_registration_approval",
            "allow_guest_tickets",
        ]


class MaintenanceForm(forms.ModelForm):
    class Meta:
        model = TenantSettings
        fields: ClassVar[list[str]] = ["maintenance_mode", "maintenance_message"]
        widgets: ClassVar[dict[str, Any]] = {
            "maintenance_message": forms.Textarea(attrs={"rows": 3})
        }
        help_texts: ClassVar[dict[str, Any]] = {
            "maintenance_mode": _(
                "Suspends the ticketing system: the portal shows the notice and takes no "
                "tickets, and the API answers 503 until you switch it off."
            )
        }


class SecurityForm(forms.ModelForm):
    class Meta:
        model = TenantSettings
        fields: ClassVar[list[str]] = ["require_staff_mfa"]
        help_texts: ClassVar[dict[str, Any]] = {
            "require_staff_mfa": _(
                "Agents and admins must set up an authenticator app before they can use the "
                "console."
            )
        }


TEMPLATE_EVENTS = [
    ("ticket.created", _("Ticket opened")),
    ("message.created", _("Reply")),
    ("ticket.assigned", _("Assigned")),
    ("ticket.transferred", _("Transferred")),
    ("ticket.status_changed", _("Status changed")),
    ("ticket.reopened", _("Reopened")),
    ("note.mentioned", _("Mentioned in a note")),
    ("sla.warned", _("SLA warning")),
    ("sla.breached", _("SLA breach")),
    ("sla.escalated", _("SLA escalation")),
]


class NotificationTemplateForm(ParseOnly, forms.ModelForm):
    event_kind = forms.ChoiceField(label=_("Event"), choices=TEMPLATE_EVENTS)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    class Meta:
        model = NotificationTemplate
        fields: ClassVar[list[str]] = ["event_kind", "channel", "language", "subject", "body"]
        widgets: ClassVar[dict[str, Any]] = {"body": forms.Textarea(attrs={"rows": 8})}
        help_texts: ClassVar[dict[str, Any]] = {
            "body": _(
                "Placeholders: {{ customer.first_name }}, {{ ticket.number }}, "
                "{{ ticket.subject }}, {{ ticket.link }}, {{ agent.name }}, {{ tenant.name }}."
            )
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            template_preview(data.get("subject") or "", data.get("body") or "")
        except InvalidInput as error:
            self.add_error("body", error.message)
        return data


#: What a template preview shows in place of a real ticket's values.
SAMPLE_VALUES = {
    "ticket": {
        "number": "#1042",
        "subject": "Printer does not print",
        "status": "Open",
        "link": "https://example.com/t/1042",
    },
    "customer": {"name": "Carla Customer", "first_name": "Carla"},
    "message": {"body": "It prints blank pages.", "author": "Carla Customer"},
    "tenant": {"name": "Example Ltd"},
    "sla": {"clock": "First response", "event": "warning"},
    "agent": {"name": "Ava Agent", "first_name": "Ava"},
}


def template_preview(subject: str, body: str) -> tuple[str, str]:
    """The template filled with sample values; raises InvalidInput on unknown placeholders."""
    return fill_placeholders(subject, SAMPLE_VALUES), fill_placeholders(body, SAMPLE_VALUES)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

"""Forms of the customer portal. They check the shape of the input; the rules (who may
open a ticket, custom-field validation, attachment limits) live in the services, whose
errors are put back beside the fields by ``add_service_errors``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ticketing.errors import TicketingError
from ticketing.models import Category, Department, Priority, TicketForm
from ticketing.models.forms import FieldType
from ticketing.models.people import PreferredChannel

CUSTOM_PREFIX = "cf_"
MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(count)d files.") % {"count": MAX_FILES})
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def topic_choices() -> list[tuple[Any, Any]]:
    """Departments and services a customer can pick, grouped."""
    departments = [
        (f"d:{d.pk}", d.name) for d in Department.objects.filter(is_active=True).order_by("name")
    ]
    categories = [
        (f"c:{c.pk}", c.name)
        for c in Category.objects.filter(is_active=True, default_department__is_active=True)
    ]
    choices: list[tuple[Any, Any]] = [("", _("Choose…"))]
    if categories:
        choices.append((_("What is it about?"), categories))
    if departments:
        choices.append((_("Departments"), departments))
    return choices


def resolve_topic(value: str) -> tuple[Department | None, Category | None]:
    kind, _sep, raw_id = (value or "").partition(":")
    if not raw_id.isdigit() or len(raw_id) > 12:
        return None, None
    if kind == "c":
        category = (
            Category.objects.select_related("default_department")
            .filter(pk=int(raw_id), is_active=True)
            .first()
        )
        return (category.default_department, category) if category else (None, None)
    if kind == "d":
        return Department.objects.filter(pk=int(raw_id), is_active=True).first(), None
    return None, None


def _custom_field(field: Any, language: str) -> forms.Field:
    common: dict[str, Any] = {
        "label": field.label_in(language),
        "help_text": field.help_text_in(language),
        "required": False,  # the service decides; the label shows the asterisk
    }
    options = [
        (str(option.get("value")), _option_label(option, language))
        for option in field.options or []
    ]
    kind = field.field_type
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == FieldType.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if kind == FieldType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldType.SELECT:
        return forms.ChoiceField(choices=[("", "—"), *options], **common)
    if kind == FieldType.MULTI_SELECT:
        return forms.MultipleChoiceField(
            choices=options, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == FieldType.CHECKBOX:
        return forms.BooleanField(**common)
    if kind == FieldType.EMAIL:
        return forms.CharField(widget=forms.EmailInput(), **common)
    if kind == FieldType.PHONE:
        return forms.CharField(widget=forms.TextInput(attrs={"type": "tel"}), **common)
    if kind == FieldType.FILE:
        return forms.FileField(**common)
    return forms.CharField(**common)


def _option_label(option: dict[str, Any], language: str) -> str:
    label = option.get("label") or {}
    if isinstance(label, str):
        return label
    base = language.split("-")[0]
    return str(label.get(language) or label.get(base) or label.get("en") or option.get("value"))


class TicketSubmitForm(forms.Form):
    topic = forms.ChoiceField(label=_("What do you need help with?"))
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email address"))
    subject = forms.CharField(label=_("Subject"), max_length=250)
    description = forms.CharField(
        label=_("Describe the problem"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    priority = forms.ModelChoiceField(
        label=_("Priority"), queryset=Priority.objects.order_by("level"), required=False
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    # Bots fill every field; people never see this one.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(
        self,
        *args: Any,
        guest: bool,
        ticket_form: TicketForm | None,
        allow_priority: bool,
        attachment_help: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = topic_choices()  # type: ignore[attr-defined]
        # Choosing a topic swaps in that form's own fields without a reload.
        self.fields["topic"].widget.attrs.update(
            {
                "hx-get": reverse("portal:ticket_new"),
                "hx-target": "#custom-fields",
                "hx-trigger": "change",
            }
        )
        # While the subject is typed, the help centre suggests matching articles.
        self.fields["subject"].widget.attrs.update(
            {
                "autocomplete": "off",
                "hx-get": reverse("kb_portal:suggest"),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#kb-suggestions",
            }
        )
        self.fields["attachments"].help_text = attachment_help
        if not guest:
            del self.fields["name"], self.fields["email"]
        if not allow_priority:
            del self.fields["priority"]
        self.custom_keys: list[str] = []
        self.required_custom: set[str] = set()
        if ticket_form is not None:
            language = get_language() or settings.LANGUAGE_CODE
            for field in ticket_form.fields.all():
                name = CUSTOM_PREFIX + field.key
                self.fields[name] = _custom_field(field, language)
                self.custom_keys.append(field.key)
                if field.required:
                    self.required_custom.add(name)

    def custom_values(self) -> dict[str, Any]:
        """Custom-field values as the service expects them (files by name)."""
        values: dict[str, Any] = {}
        for key in self.custom_keys:
            value = self.cleaned_data.get(CUSTOM_PREFIX + key)
            if value is not None and hasattr(value, "read"):
                value = value.name  # the file itself travels with the attachments
            if value is not None and value != "" and value != []:
                values[key] = value
        return values

    def custom_files(self) -> list[Any]:
        return [
            value
            for key in self.custom_keys
            if hasattr(value := self.cleaned_data.get(CUSTOM_PREFIX + key), "read")
        ]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=50_000
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the help you got?"),
        coerce=int,
        choices=[
            (5, _("Very satisfied")),
            (4, _("Satisfied")),
            (3, _("Neutral")),
            (2, _("Dissatisfied")),
            (1, _("Very dissatisfied")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class TicketLookupForm(forms.Form):
    number = forms.IntegerField(label=_("Ticket number"), min_value=1, max_value=10**15)
    email = forms.EmailField(label=_("The email address you used"))


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("Needed if you want updates by SMS."),
    )
    preferred_channel = forms.ChoiceField(
        label=_("Send me updates by"), choices=PreferredChannel.choices
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(label=_("Time zone"))
    calendar = forms.ChoiceField(
        label=_("Calendar"),
        choices=[("gregorian", _("Gregorian")), ("jalali", _("Persian (Jalali)"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from zoneinfo import available_timezones

        zones = sorted(available_timezones())
        self.fields["timezone"].choices = [(zone, zone) for zone in zones]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("preferred_channel") == PreferredChannel.SMS and not cleaned.get("phone"):
            self.add_error("phone", _("Enter a mobile number to receive SMS."))
        return cleaned


def add_service_errors(
    form: forms.Form, error: TicketingError, *, field_map: dict[str, str] | None = None
) -> None:
    """Show a service's error beside the fields it names (or above the form)."""
    field_map = field_map or {}
    placed = False
    for key, messages in error.field_errors.items():
        name = field_map.get(key, key)
        if name not in form.fields and CUSTOM_PREFIX + key in form.fields:
            name = CUSTOM_PREFIX + key
        for message in messages:
            form.add_error(name if name in form.fields else None, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(error.message))

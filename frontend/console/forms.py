"""Forms of the agent console. They parse and label input; the rules live in the
ticketing services, whose errors come back onto these forms."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ticketing.models import (
    Agent,
    Category,
    Contact,
    Department,
    Organization,
    Priority,
    Product,
    SavedViewVisibility,
    TicketStatus,
)

REPLY_STATUSES = [
    TicketStatus.OPEN,
    TicketStatus.PENDING,
    TicketStatus.ON_HOLD,
    TicketStatus.RESOLVED,
]

PRESETS = [
    ("mine", _("My open tickets")),
    ("unassigned", _("Unassigned in my departments")),
    ("at_risk", _("At SLA risk")),
]

SORTS = [
    ("priority", _("Priority, then age")),
    ("sla", _("SLA due first")),
    ("waiting", _("Waiting longest")),
    ("updated", _("Recently updated")),
    ("newest", _("Newest")),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


def _agents() -> Any:
    return Agent.objects.filter(is_active=True).select_related("user").order_by("user__full_name")


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class TicketFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open (any)")), ("all", _("Any status")), *TicketStatus.choices],
    )
    department = forms.ModelChoiceField(
        label=_("Department"), required=False, queryset=Department.objects.order_by("name")
    )
    assignee = forms.CharField(label=_("Assignee"), required=False, max_length=20)
    priority = forms.ModelChoiceField(
        label=_("Priority"), required=False, queryset=Priority.objects.order_by("-level")
    )
    category = forms.ModelChoiceField(
        label=_("Service"), required=False, queryset=Category.objects.order_by("name")
    )
    product = forms.ModelChoiceField(
        label=_("Product"), required=False, queryset=Product.objects.order_by("name")
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    created_after = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_before = forms.DateField(
        label=_("Created until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)
    preset = forms.ChoiceField(
        label=_("View"), required=False, choices=[("", "—"), *PRESETS], widget=forms.HiddenInput
    )

    @cached_property
    def assignee_choices(self) -> list[tuple[str, Any]]:
        """Read when the page renders the select, not for every form (saved views
        build one per view)."""
        return [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Unassigned")),
            *[(str(agent.pk), agent.display_name) for agent in _agents()],
        ]

    def params(self) -> dict[str, str]:
        """The valid filters as query parameters (what a saved view stores)."""
        if not self.is_valid():
            return {}
        params = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            if hasattr(value, "pk"):
                value = value.pk
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            params[name] = str(value)
        return params


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    visibility = forms.ChoiceField(
        label=_("Shared with"),
        choices=SavedViewVisibility.choices,
        initial=SavedViewVisibility.PRIVATE,
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.order_by("name"),
        help_text=_("When shared with a department."),
    )
    #: The list's query string when the view was saved.
    filters = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"), widget=forms.Textarea(attrs={"rows": 6}), max_length=50000
    )
    next_status = forms.ChoiceField(
        label=_("Then set the ticket to"),
        required=False,
        choices=[("", _("Keep the status")), *[(s.value, s.label) for s in REPLY_STATUSES]],
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    last_seen = forms.IntegerField(required=False, widget=forms.HiddenInput)
    send_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=50000,
        help_text=_("Only agents see notes. Mention a colleague with @name or @email."),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    last_seen = forms.IntegerField(required=False, widget=forms.HiddenInput)
    send_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)


class TransferForm(forms.Form):
    to_department = forms.ModelChoiceField(
        label=_("To department"),
        required=False,
        queryset=Department.objects.filter(is_active=True).order_by("name"),
    )
    to_agent = AgentChoiceField(label=_("To agent"), required=False, queryset=_agents())
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class AssignForm(forms.Form):
    assignee = AgentChoiceField(
        label=_("Assignee"), required=False, queryset=_agents(), empty_label=_("Nobody")
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TicketStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class PriorityForm(forms.Form):
    priority = forms.ModelChoiceField(
        label=_("Priority"), queryset=Priority.objects.order_by("-level"), empty_label=None
    )


class TicketNumberForm(forms.Form):
    number = forms.IntegerField(label=_("Ticket number"), min_value=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ForwardForm(forms.Form):
    to_email = forms.EmailField(label=_("Send to"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


BULK_ACTIONS = [
    ("assign", _("Assign")),
    ("transfer", _("Transfer")),
    ("status", _("Change status")),
    ("merge", _("Merge into the oldest")),
]


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTIONS)
    tickets = forms.TypedMultipleChoiceField(coerce=int, choices=())
    assignee = AgentChoiceField(
        label=_("Assignee"), required=False, queryset=_agents(), empty_label=_("Nobody")
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.filter(is_active=True).order_by("name"),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *TicketStatus.choices]
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    def __init__(self, *args: Any, ticket_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tickets"].choices = [(pk, pk) for pk in ticket_ids]  # type: ignore[attr-defined]


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields: ClassVar[list[str]] = [
            "full_name",
            "email",
            "phone",
            "employee_number",
            "organization",
            "language",
            "service_area",
            "address",
            "preferred_channel",
            "is_vip",
        ]
        widgets: ClassVar[dict[str, Any]] = {"address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.order_by("name")  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        """The model form only parses: uniqueness (case-insensitive emails) and the rest
        are the service's rules, and the service writes the row."""


class TicketOnBehalfForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(is_active=True).order_by("name"),
        widget=forms.HiddenInput,
    )
    subject = forms.CharField(label=_("Subject"), max_length=250)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=50000,
    )
    category = forms.ModelChoiceField(
        label=_("Service"), required=False, queryset=Category.objects.filter(is_active=True)
    )
    priority = forms.ModelChoiceField(
        label=_("Priority"), required=False, queryset=Priority.objects.order_by("-level")
    )
    product = forms.ModelChoiceField(
        label=_("Product"), required=False, queryset=Product.objects.filter(is_active=True)
    )
    assignee = AgentChoiceField(
        label=_("Assignee"),
        required=False,
        queryset=_agents(),
        empty_label=_("Automatic (department's strategy)"),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class InternalTicketForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(is_active=True).order_by("name")
    )
    subject = forms.CharField(label=_("Subject"), max_length=250)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), max_length=50000
    )
    assignee = AgentChoiceField(
        label=_("Assignee"), required=False, queryset=_agents(), empty_label=_("Nobody yet")
    )

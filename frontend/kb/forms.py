"""Forms of the knowledge-base pages: parse and type-check only; rules are in kb.services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kb.models import ArticleStatus, KbCategory


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
        help_text=_("HTML is allowed; scripts, styles and event handlers are removed on save."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    status = forms.ChoiceField(label=_("Status"), choices=ArticleStatus.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=KbCategory.objects.none(), required=False
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    attachment = forms.FileField(label=_("Attach a file"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["category"].queryset = KbCategory.objects.order_by("position", "name")  # type: ignore[attr-defined]

    def tag_list(self) -> list[str]:
        return [t for t in (self.cleaned_data.get("tags") or "").split(",") if t.strip()]


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    parent = forms.ModelChoiceField(
        label=_("Parent category"), queryset=KbCategory.objects.none(), required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["parent"].queryset = KbCategory.objects.order_by("position", "name")  # type: ignore[attr-defined]


class TicketSearchForm(forms.Form):
    q = forms.CharField(label=_("Keywords"), required=False, max_length=200)
    customer = forms.CharField(
        label=_("Customer"),
        required=False,
        max_length=200,
        help_text=_("Name, employee number or email"),
    )
    agent = forms.IntegerField(label=_("Agent"), required=False, min_value=1, widget=forms.Select)
    status = forms.CharField(label=_("Status"), required=False, max_length=20)
    department = forms.IntegerField(label=_("Department"), required=False, min_value=1)
    created_after = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_before = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

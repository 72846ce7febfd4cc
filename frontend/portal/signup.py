"""What a customer gives when registering on a tenant's portal (allauth adds email and
password); the account becomes a contact of the tenant."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ticketing.models.people import PreferredChannel
from ticketing.services.people import contact_register


class CustomerSignupForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=200)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("Optional; needed if you want updates by SMS."),
    )
    preferred_channel = forms.ChoiceField(
        label=_("Send me updates by"), choices=PreferredChannel.choices
    )
    field_order = ("full_name", "email", "phone", "preferred_channel", "password1", "password2")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("preferred_channel") == PreferredChannel.SMS and not cleaned.get("phone"):
            self.add_error("phone", _("Enter a mobile number to receive SMS."))
        return cleaned

    def signup(self, request: HttpRequest, user: Any) -> None:
        language = translation.get_language() or ""
        user.full_name = self.cleaned_data["full_name"]
        user.language = language
        user.save(update_fields=["full_name", "language"])
        contact = contact_register(
            user=user,
            full_name=self.cleaned_data["full_name"],
            phone=self.cleaned_data.get("phone", ""),
            language=language,
        )
        if contact.preferred_channel != self.cleaned_data["preferred_channel"]:
            contact.preferred_channel = self.cleaned_data["preferred_channel"]
            contact.save(update_fields=["preferred_channel", "updated_at"])

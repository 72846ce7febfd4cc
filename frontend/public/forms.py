"""The platform's signup form: a company opens its help desk."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenants import validators


class SignupForm(forms.Form):
    company = forms.CharField(label=_("Company or brand name"), max_length=100)
    slug = forms.CharField(
        label=_("Help desk address"),
        max_length=validators.SLUG_MAX_LENGTH,
        help_text=_(
            "Lowercase letters, digits and hyphens; your portal will live at this address."
        ),
    )
    admin_name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Work email"))
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    language = forms.ChoiceField(label=_("Language of your help desk"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(label=_("Time zone"))
    # Bots fill every field; people never see this one.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zones = sorted(zoneinfo.available_timezones())
        self.fields["timezone"].choices = [(zone, zone) for zone in zones]  # type: ignore[attr-defined]
        self.fields["slug"].widget.attrs.update(
            {
                "autocomplete": "off",
                "spellcheck": "false",
                "hx-get": reverse("signup_slug_check"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#slug-availability",
                "aria-describedby": "slug-availability id_slug_helptext",
            }
        )

    def clean_slug(self) -> str:
        slug = validators.normalise_slug(self.cleaned_data["slug"])
        validators.validate_slug(slug)
        return slug

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        validators.validate_admin_email(email)
        return email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        validate_password(password)
        return password

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ProvisionForm(forms.Form):
    name = forms.CharField(label=_("Display name"), max_length=200)
    slug = forms.CharField(
        label=_("Address (slug)"),
        max_length=50,
        help_text=_("Lowercase letters, digits and hyphens: <slug>.%(domain)s")
        % {"domain": settings.PLATFORM_DOMAIN},
    )
    admin_email = forms.EmailField(label=_("First admin's email"))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    timezone_name = forms.CharField(label=_("Time zone"), max_length=64, initial="UTC")
    domain = forms.CharField(label=_("Custom domain"), max_length=253, required=False)


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class DeleteForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type the tenant's slug to confirm"),
        max_length=50,
    )

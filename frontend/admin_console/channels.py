"""Admin console: the tenant's channels — support addresses and where to forward them,
and SMS (the sender line, and optionally the tenant's own Kavenegar account)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from audit.services import audit_record
from frontend.base_views import TenantAdminView
from frontend.domain_errors import add_domain_error
from notifications.gateways import sms_route
from notifications.models import SmsChannel
from notifications.selectors import inbound_addresses, sms_channel_current
from notifications.services import sms_channel_update
from ticketing.errors import TicketingError


class SmsChannelForm(forms.Form):
    sender = forms.CharField(
        label=gettext_lazy("SMS sender line"),
        max_length=30,
        required=False,
        help_text=gettext_lazy(
            "The number your SMS come from, e.g. 10004346. Empty: the platform's line."
        ),
    )
    api_key = forms.CharField(
        label=gettext_lazy("Your own Kavenegar API key (optional)"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    remove_key = forms.BooleanField(label=gettext_lazy("Remove the stored API key"), required=False)

    def __init__(self, *args: Any, current: SmsChannel, **kwargs: Any) -> None:
        if not args:
            kwargs.setdefault("initial", {"sender": current.sender})
        super().__init__(*args, **kwargs)
        if current.kavenegar_api_key:
            self.fields["api_key"].help_text = gettext_lazy(
                "Set: your SMS go through your own account. Leave empty to keep it."
            )
        else:
            self.fields["api_key"].help_text = gettext_lazy(
                "Not set: your SMS go through the platform and count towards your plan."
            )
            del self.fields["remove_key"]


class ChannelsView(TenantAdminView, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, SmsChannelForm(current=sms_channel_current()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SmsChannelForm(request.POST, current=sms_channel_current())
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    changes = sms_channel_update(
                        actor=self.agent,
                        sender=data["sender"],
                        api_key=data["api_key"],
                        remove_key=bool(data.get("remove_key")),
                    )
                    if changes:
                        audit_record(
                            actor=request.user,
                            action="channels.sms_updated",
                            target=_("SMS"),
                            changes=changes,
                        )
            except TicketingError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Saved.") if changes else _("Nothing changed."))
                return HttpResponseRedirect("/admin-console/channels/")
        return self._page(request, form, status=400)

    def _page(self, request: HttpRequest, form: SmsChannelForm, status: int = 200) -> HttpResponse:
        route = sms_route()
        return render(
            request,
            "admin_console/channels.html",
            {
                "form": form,
                "addresses": inbound_addresses(tenant=request.tenant),  # type: ignore[attr-defined]
                "sms_own_account": route.source == "tenant",
                "sms_sender": route.sender,
            },
            status=status,
        )

"""A signed-in person's own settings on a tenant host: name, phone, how they hear from
us, language, time zone and calendar."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from frontend.base_views import PortalView
from frontend.portal.forms import ProfileForm, add_service_errors
from ticketing.errors import TicketingError
from ticketing.models.people import PreferredChannel
from ticketing.permissions import contact_of
from ticketing.services.people import contact_update


class ProfileView(PortalView):
    def check_access(self, request: HttpRequest) -> HttpResponse | None:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return None

    def get(self, request: HttpRequest) -> HttpResponse:
        user = cast(User, request.user)
        contact = contact_of(user)
        initial = {
            "full_name": user.full_name,
            "phone": contact.phone if contact else "",
            "preferred_channel": contact.preferred_channel if contact else PreferredChannel.EMAIL,
            "language": user.language or translation.get_language(),
            "timezone": user.timezone or request.tenant.timezone,  # type: ignore[attr-defined]
            "calendar": user.calendar,
        }
        return self._render(request, ProfileForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ProfileForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        data = form.cleaned_data
        contact = contact_of(request.user)
        if contact is not None:
            try:
                contact_update(
                    contact=contact,
                    full_name=data["full_name"],
                    phone=data["phone"],
                    preferred_channel=data["preferred_channel"],
                    language=data["language"],
                )
            except TicketingError as error:
                add_service_errors(form, error)
                return self._render(request, form, status=400)
        user = cast(User, request.user)
        user.full_name = data["full_name"]
        user.language = data["language"]
        user.timezone = data["timezone"]
        user.calendar = data["calendar"]
        user.save(update_fields=["full_name", "language", "timezone", "calendar"])
        translation.activate(data["language"])
        messages.success(request, _("Your settings have been saved."))
        return HttpResponseRedirect(reverse("portal:profile"))

    def _render(self, request: HttpRequest, form: ProfileForm, status: int = 200) -> HttpResponse:
        return render(request, "portal/profile.html", {"form": form}, status=status)

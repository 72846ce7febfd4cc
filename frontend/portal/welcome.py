"""The first page a new tenant admin sees: signed in from the signup hand-off, with a
verification email on its way, landing on the admin console's checklist."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from accounts.models import User
from frontend.base_views import PortalView
from frontend.public.handoff import handoff_redeem


class WelcomeView(PortalView):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        schema = request.tenant.schema_name  # type: ignore[attr-defined]
        user_id = handoff_redeem(token, schema_name=schema)
        user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
        if user is None:
            return render(request, "portal/welcome_expired.html", status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if not EmailAddress.objects.filter(user=user).exists():
            EmailAddress.objects.add_email(request, user, user.email, confirm=True, signup=True)
        return HttpResponseRedirect("/admin-console/?welcome=1")

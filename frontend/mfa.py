"""Two-factor authentication (allauth MFA, TOTP): who must use it. Operators always;
staff of a tenant whose admin requires it."""

from __future__ import annotations

from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

SETUP_URL = "/accounts/2fa/totp/activate/"
#: Pages a user who must set up 2FA can still open (the setup itself, signing out).
ALWAYS_OPEN = ("/accounts/",)


def mfa_setup_required(request: HttpRequest, *, required: bool) -> HttpResponse | None:
    """Send a signed-in user who must use 2FA and has not set it up to the setup page."""
    user: Any = request.user
    if not required or not user.is_authenticated or is_mfa_enabled(user):
        return None
    if request.path.startswith(ALWAYS_OPEN):
        return None
    return HttpResponseRedirect(f"{SETUP_URL}?next={request.get_full_path()}")

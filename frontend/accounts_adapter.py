"""How allauth behaves on our hosts.

- Registration is open on tenant hosts only (customers); the platform host has operators,
  who are created by command.
- After ``LOGIN_LOCK_AFTER_FAILURES`` wrong passwords for one address, that address is
  locked for ``LOGIN_LOCK_MINUTES``; the owner gets one warning email. The lock and the
  counter live in the tenant-scoped cache, so a lock in tenant A never touches B.
- After signing in, staff land in the console, customers on their tickets, operators in
  the operator console.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from frontend.base_views import is_platform_request
from frontend.counters import count_in_window
from ticketing.permissions import active_agent

logger = logging.getLogger(__name__)


def _address(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "").strip().lower()


def _keys(address: str) -> tuple[str, str]:
    return f"login-failures:{address}", f"login-locked:{address}"


def login_locked(address: str) -> bool:
    return bool(address) and cache.get(_keys(address)[1]) is not None


def login_failure_record(address: str) -> bool:
    """Count a wrong password; True when this failure locked the address."""
    if not address:
        return False
    failures_key, locked_key = _keys(address)
    window = settings.LOGIN_LOCK_MINUTES * 60
    failures = count_in_window(cache, failures_key, window)
    if failures < settings.LOGIN_LOCK_AFTER_FAILURES:
        return False
    cache.delete(failures_key)
    return bool(cache.add(locked_key, 1, window))


def login_failures_clear(address: str) -> None:
    cache.delete(_keys(address)[0])


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return not is_platform_request(request)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        super().pre_authenticate(request, **credentials)
        if login_locked(_address(credentials)):
            minutes = settings.LOGIN_LOCK_MINUTES
            raise forms.ValidationError(
                ngettext(
                    "Too many wrong passwords: this account is locked for %(minutes)d minute. "
                    "Please try again later or reset your password.",
                    "Too many wrong passwords: this account is locked for %(minutes)d minutes. "
                    "Please try again later or reset your password.",
                    minutes,
                )
                % {"minutes": minutes},
                code="account_locked",
            )

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        super().authentication_failed(request, **credentials)
        address = _address(credentials)
        if login_failure_record(address):
            self._warn_owner(request, address)

    def login(self, request: HttpRequest, user: Any) -> None:
        login_failures_clear(str(user.email).lower())
        super().login(request, user)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if is_platform_request(request):
            return "/ops/" if request.user.is_staff else "/"
        return "/console/" if active_agent(request.user) else "/tickets/"

    def _warn_owner(self, request: HttpRequest, address: str) -> None:
        user = User.objects.filter(email=address, is_active=True).first()
        if user is None:
            return  # nobody to warn: the address has no account here
        with translation.override(user.language or translation.get_language()):
            subject = _("Your account was locked after failed sign-in attempts")
            body = _(
                "Hello,\n\nsomeone tried to sign in to your account at %(host)s with a wrong "
                "password %(count)d times, so we locked it for %(minutes)d minutes. If it was "
                "you, wait and try again, or reset your password. If it was not you, reset "
                "your password now.\n"
            ) % {
                "host": request.get_host(),
                "count": settings.LOGIN_LOCK_AFTER_FAILURES,
                "minutes": settings.LOGIN_LOCK_MINUTES,
            }
        if is_platform_request(request):
            try:
                send_mail(subject, body, None, [address])
            except OSError:
                logger.warning("could not send the lock warning to %s", address, exc_info=True)
            return
        from notifications.direct import email_queue

        email_queue(to=address, subject=subject, body=body, kind="account.locked")

"""Who is calling: an API key (``Authorization: Bearer cw_…``) or a signed-in agent's
session. Either way the request carries ``request.agent``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api.models import ApiKey, ApiScope
from api.services import api_key_authenticate
from ticketing.permissions import active_agent


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as: Authorization: Bearer <key>.")
            )
        key = api_key_authenticate(parts[1])
        if key is None or active_agent(key.agent.user) is None:
            raise exceptions.AuthenticationFailed(_("This API key is unknown, revoked or expired."))
        limits = getattr(getattr(request, "tenant", None), "limits", None)
        if limits is not None and not limits.has_feature("api_access"):
            raise exceptions.PermissionDenied(
                _("Your plan does not include API access. Upgrade the plan on the billing page."),
                code="plan_without_api_access",
            )
        return key.agent.user, key

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class AgentSessionAuthentication(authentication.SessionAuthentication):
    """Signed-in staff may use the API from the browser (CSRF enforced on writes)."""


def scopes_of(request: Request) -> set[str]:
    if isinstance(request.auth, ApiKey):
        return set(request.auth.scopes)
    return {ApiScope.READ, ApiScope.WRITE, ApiScope.ADMIN}

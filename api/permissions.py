"""API permissions: an active agent behind the request, and the key's scopes for the
method (read for safe methods, write for changes, admin where a view asks for it)."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from api.authentication import scopes_of
from api.models import ApiScope
from ticketing.permissions import active_agent


class AgentWithScope(permissions.BasePermission):
    message = "This key or account may not do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        agent = active_agent(request.user)
        if agent is None:
            return False
        request.agent = agent
        needed = getattr(view, "required_scope", None) or (
            ApiScope.READ if request.method in permissions.SAFE_METHODS else ApiScope.WRITE
        )
        scopes = scopes_of(request)
        return needed in scopes or ApiScope.ADMIN in scopes

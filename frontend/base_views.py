"""The one place where pages decide who may see them.

Every page view derives from one of these classes. Each checks access in ``dispatch``
and subclasses may not override ``dispatch`` (a ``TypeError`` at import time), so a page
cannot forget or skip the check — the same idea as the API's scoped viewset.

- ``PlatformPageView``: the platform host (public schema): landing page, signup.
- ``OperatorView``: the operator console on the platform host; platform operators only.
- ``PortalView``: a tenant host, anyone (branded portal pages).
- ``CustomerView``: a tenant host, a signed-in customer whose account may open tickets.
- ``StaffView``: a tenant host, active staff with at least ``minimum_role``.
- ``TenantAdminView``: a tenant host, tenant admins only.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views import View

from frontend.mfa import mfa_setup_required
from ticketing.models import Agent, AgentRole, Contact
from ticketing.permissions import active_agent, contact_of

ROLE_RANK = {AgentRole.AGENT: 1, AgentRole.SUPERVISOR: 2, AgentRole.ADMIN: 3}


def rank(role: str) -> int:
    return ROLE_RANK[AgentRole(role)]


def is_platform_request(request: HttpRequest) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is None or tenant.schema_name == "public"


class GuardedView(View):
    """Runs ``check_access`` before any handler; refuses subclasses that override dispatch."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "dispatch" in cls.__dict__ and cls.__module__ != __name__:
            raise TypeError(
                f"{cls.__qualname__} overrides dispatch(); access checks live in "
                "frontend.base_views and cannot be bypassed. Override check_access() "
                "to add a stricter rule."
            )

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refusal = self._guard(request)
        if refusal is not None:
            return refusal
        refusal = self.check_access(request)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)

    def _guard(self, request: HttpRequest) -> HttpResponse | None:
        """Who may see the area; an area class that does not say refuses everyone."""
        raise PermissionDenied

    def check_access(self, request: HttpRequest) -> HttpResponse | None:
        """Extra, stricter rules of one page; None lets the request through."""
        return None


class PlatformPageView(GuardedView):
    def _guard(self, request: HttpRequest) -> HttpResponse | None:
        if not is_platform_request(request):
            raise Http404
        return None


class OperatorView(PlatformPageView):
    def _guard(self, request: HttpRequest) -> HttpResponse | None:
        super()._guard(request)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        return mfa_setup_required(request, required=True)


class PortalView(GuardedView):
    def _guard(self, request: HttpRequest) -> HttpResponse | None:
        if is_platform_request(request):
            raise Http404
        return None


class CustomerView(PortalView):
    """A signed-in customer. Staff who are not also customers are sent to the console."""

    contact: Contact

    def _guard(self, request: HttpRequest) -> HttpResponse | None:
        super()._guard(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        contact = contact_of(request.user)
        if contact is None:
            return render(request, "portal/no_customer_account.html", status=403)
        blocked = customer_block_reason(contact)
        if blocked is not None:
            return render(request, "portal/account_blocked.html", {"reason": blocked}, status=403)
        self.contact = contact
        return None


def customer_block_reason(contact: Contact) -> str | None:
    """Why this customer may not use the portal right now, or None."""
    from django.utils import timezone

    if contact.is_suspended:
        return "suspended"
    if contact.account_expires_on and contact.account_expires_on < timezone.localdate():
        return "expired"
    if not contact.ticket_access_enabled:
        return "awaiting_approval"
    return None


class StaffView(PortalView):
    """Active staff of this tenant with at least ``minimum_role``."""

    minimum_role: ClassVar[str] = AgentRole.AGENT
    agent: Agent

    def _guard(self, request: HttpRequest) -> HttpResponse | None:
        super()._guard(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        agent = active_agent(request.user)
        if agent is None or rank(agent.role) < rank(self.minimum_role):
            raise PermissionDenied
        self.agent = agent
        request.agent = agent  # type: ignore[attr-defined]
        tenant_settings = getattr(getattr(request, "tenant", None), "settings", None)
        return mfa_setup_required(
            request, required=bool(getattr(tenant_settings, "require_staff_mfa", False))
        )


class TenantAdminView(StaffView):
    minimum_role: ClassVar[str] = AgentRole.ADMIN

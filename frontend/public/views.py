"""The platform host's public pages: landing page with pricing, and signup."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from frontend.base_views import PlatformPageView
from frontend.counters import count_in_window
from frontend.public.forms import SignupForm
from frontend.public.handoff import handoff_token
from frontend.public.pricing import pricing_plans
from tenants import validators
from tenants.errors import TenantError
from tenants.models import Tenant
from tenants.services import tenant_create

logger = logging.getLogger(__name__)


class LandingView(PlatformPageView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "public/landing.html", {"plans": pricing_plans()})


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def signup_allowed(request: HttpRequest) -> bool:
    """At most SIGNUP_RATE_PER_IP_PER_HOUR signups per address per hour."""
    count = count_in_window(caches["platform"], f"signup-rate:{_client_ip(request)}", 3600)
    return count <= settings.SIGNUP_RATE_PER_IP_PER_HOUR


def tenant_url(request: HttpRequest, slug: str, path: str) -> str:
    port = request.get_port()
    default_port = "443" if request.is_secure() else "80"
    host = f"{slug}.{settings.PLATFORM_DOMAIN}" + (f":{port}" if port != default_port else "")
    return f"{request.scheme}://{host}{path}"


class SignupView(PlatformPageView):
    template_name = "public/signup.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        language = translation.get_language() or "en"
        initial = {"language": language if language in dict(settings.LANGUAGES) else "en"}
        initial["timezone"] = "UTC"
        return self._render(request, SignupForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SignupForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        if form.is_bot:
            form.add_error(None, _("We could not process this signup."))
            return self._render(request, form, status=400)
        if not signup_allowed(request):
            form.add_error(
                None, _("Too many signups from your network. Please try again in an hour.")
            )
            return self._render(request, form, status=429)
        data = form.cleaned_data
        try:
            created = tenant_create(
                slug=data["slug"],
                name=data["company"],
                admin_email=data["email"],
                admin_password=data["password"],
                admin_name=data["admin_name"],
                language=data["language"],
                timezone_name=data["timezone"],
            )
        except TenantError as error:
            field = error.field if error.field in form.fields else None
            field = {"name": "company", "admin_email": "email"}.get(error.field or "", field)
            form.add_error(field, error.message)
            return self._render(request, form, status=400)
        except Exception:
            logger.exception("signup of %s failed", data["slug"])
            form.add_error(
                None,
                _(
                    "We could not finish setting up your help desk. Nothing was created; "
                    "please send the form again."
                ),
            )
            return self._render(request, form, status=503)
        token = handoff_token(schema_name=created.tenant.schema_name, user_id=created.admin.pk)
        target = tenant_url(request, created.tenant.slug, f"/welcome/{token}/")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)

    def _render(self, request: HttpRequest, form: SignupForm, status: int = 200) -> HttpResponse:
        template = "public/_signup_form.html" if request.headers.get("HX-Request") else None
        context = {"form": form, "platform_domain": settings.PLATFORM_DOMAIN}
        return render(request, template or self.template_name, context, status=status)


class SlugCheckView(PlatformPageView):
    """Live answer to "is this address free?" while the slug is typed."""

    def get(self, request: HttpRequest) -> HttpResponse:
        slug = validators.normalise_slug(request.GET.get("slug", ""))[:100]
        context: dict[str, Any] = {"slug": slug, "domain": settings.PLATFORM_DOMAIN}
        if not slug:
            context["state"] = "empty"
        else:
            try:
                validators.validate_slug(slug)
            except ValidationError as error:
                context.update(state="invalid", message=" ".join(error.messages))
            else:
                taken = Tenant.objects.filter(slug=slug).exists()
                context["state"] = "taken" if taken else "free"
        return render(request, "public/_slug_check.html", context)

"""URLs of the platform host (public schema)."""

from django.contrib import admin
from django.urls import include, path

from frontend.preferences import set_language
from frontend.public.views import LandingView, SignupView, SlugCheckView
from notifications.inbound.views import inbound_email

urlpatterns = [
    path("", LandingView.as_view(), name="platform_home"),
    path("signup/", SignupView.as_view(), name="signup"),
    path("signup/check/", SlugCheckView.as_view(), name="signup_slug_check"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("ops/billing/", include("frontend.billing.urls_ops")),
    path("ops/", include("frontend.ops.urls")),
    path("django-admin/", admin.site.urls),
    path("inbound/email/", inbound_email, name="inbound_email"),
    path("billing/", include("billing.urls")),
]

handler400 = "frontend.views.bad_request"
handler403 = "frontend.views.permission_denied"
handler404 = "frontend.views.page_not_found"
handler500 = "frontend.views.server_error"

"""URLs of the platform host (public schema)."""

from django.contrib import admin
from django.urls import include, path

from frontend import views
from notifications.inbound.views import inbound_email

urlpatterns = [
    path("", views.platform_home, name="platform_home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("ops/", include("frontend.ops.urls")),
    path("django-admin/", admin.site.urls),
    path("inbound/email/", inbound_email, name="inbound_email"),
]

handler400 = "frontend.views.bad_request"
handler403 = "frontend.views.permission_denied"
handler404 = "frontend.views.page_not_found"
handler500 = "frontend.views.server_error"

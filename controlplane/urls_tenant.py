"""URLs of a tenant host (the tenant's schema)."""

from django.contrib import admin
from django.urls import include, path

from frontend import views

urlpatterns = [
    path("", views.portal_home, name="portal_home"),
    path("accounts/", include("allauth.urls")),
    path("console/", include("frontend.console.urls")),
    path("admin-console/", include("frontend.admin_console.urls")),
    path("api/v1/", include("api.v1.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]

handler400 = "frontend.views.bad_request"
handler403 = "frontend.views.permission_denied"
handler404 = "frontend.views.page_not_found"
handler500 = "frontend.views.server_error"

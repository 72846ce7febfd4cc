"""URLs of a tenant host (the tenant's schema)."""

from django.contrib import admin
from django.urls import include, path

from frontend.preferences import set_language

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("console/kb/", include("frontend.kb.urls_console")),
    path("console/reports/", include("frontend.reports.urls")),
    path("console/", include("frontend.console.urls")),
    path("admin-console/billing/", include("frontend.billing.urls_admin")),
    path("help/", include("frontend.kb.urls_portal")),
    path("admin-console/", include("frontend.admin_console.urls")),
    path("api/v1/", include("api.v1.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("django-admin/", admin.site.urls),
    path("", include("frontend.portal.urls")),
]

handler400 = "frontend.views.bad_request"
handler403 = "frontend.views.permission_denied"
handler404 = "frontend.views.page_not_found"
handler500 = "frontend.views.server_error"

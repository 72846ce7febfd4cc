"""/console/reports/: report pages for supervisors and admins."""

from django.urls import path

from frontend.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportView.as_view(), name="agents"),
    path("<str:name>/", views.ReportView.as_view(), name="report"),
]

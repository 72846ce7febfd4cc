from django.urls import path

from frontend.admin_console import channels, imports, sla_views, views

app_name = "admin_console"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("agents/", views.AgentListView.as_view(), name="agents"),
    path("agents/<int:pk>/", views.AgentEditView.as_view(), name="agent"),
    path("branding/", views.BrandingView.as_view(), name="branding"),
    path("limits/", views.LimitsView.as_view(), name="limits"),
    path("maintenance/", views.MaintenanceView.as_view(), name="maintenance"),
    path("security/", views.SecurityView.as_view(), name="security"),
    path("audit/", views.AuditLogView.as_view(), name="audit"),
    path("api/", views.ApiKeysView.as_view(), name="api"),
    path("channels/", channels.ChannelsView.as_view(), name="channels"),
    path("forms/<int:form_pk>/fields/new/", views.FormFieldView.as_view(), name="field_new"),
    path("forms/<int:form_pk>/fields/<int:pk>/", views.FormFieldView.as_view(), name="field"),
    path("import/", imports.ImportView.as_view(), name="import"),
    path("import/confirm/", imports.ImportConfirmView.as_view(), name="import_confirm"),
    path(
        "import/<slug:kind>/template.csv",
        imports.ImportTemplateView.as_view(),
        name="import_template",
    ),
    path(
        "business-calendars/<int:calendar_pk>/holidays/",
        sla_views.HolidayView.as_view(),
        name="holidays",
    ),
    path(
        "sla-policies/<int:policy_pk>/escalations/new/",
        sla_views.EscalationRuleView.as_view(),
        name="escalation_new",
    ),
    path(
        "sla-policies/<int:policy_pk>/escalations/<int:pk>/",
        sla_views.EscalationRuleView.as_view(),
        name="escalation",
    ),
    path("<slug:section>/", views.SectionListView.as_view(), name="section"),
    path("<slug:section>/new/", views.SectionEditView.as_view(), name="section_new"),
    path("<slug:section>/<int:pk>/", views.SectionEditView.as_view(), name="section_edit"),
]

from django.urls import path

from frontend.ops import gateways, views

app_name = "ops"

urlpatterns = [
    path("", views.TenantListView.as_view(), name="tenants"),
    path("tenants/new/", views.ProvisionView.as_view(), name="provision"),
    path("tenants/<slug:slug>/", views.TenantDetailView.as_view(), name="tenant"),
    path("tenants/<slug:slug>/<slug:action>/", views.TenantDetailView.as_view(), name="action"),
    path("audit/", views.OperatorAuditView.as_view(), name="audit"),
    path("gateways/", gateways.GatewaysView.as_view(), name="gateways"),
    path("gateways/<slug:channel>/", gateways.GatewayTestView.as_view(), name="gateway_test"),
]

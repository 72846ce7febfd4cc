from django.urls import path

from frontend.ops import views

app_name = "ops"

urlpatterns = [
    path("", views.TenantListView.as_view(), name="tenants"),
]

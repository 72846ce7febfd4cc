from django.urls import path

from frontend.billing import views

app_name = "admin_billing"

urlpatterns = [
    path("", views.BillingView.as_view(), name="billing"),
]

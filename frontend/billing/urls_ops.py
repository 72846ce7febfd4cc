from django.urls import path

from frontend.billing import views

app_name = "ops_billing"

urlpatterns = [
    path("", views.OperatorBillingView.as_view(), name="billing"),
]

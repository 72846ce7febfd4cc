from django.urls import path

from frontend.billing import views

app_name = "ops_billing"

urlpatterns = [
    path("", views.OperatorBillingView.as_view(), name="billing"),
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("plans/new/", views.PlanEditView.as_view(), name="plan_new"),
    path("plans/<slug:code>/", views.PlanEditView.as_view(), name="plan"),
]

from django.urls import path

from frontend.admin_console import views

app_name = "admin_console"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
]

"""/api/v1/ on every tenant host."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api.v1 import kb, views

router = DefaultRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("agents", views.AgentViewSet, basename="agent")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("products", views.ProductViewSet, basename="product")
router.register("forms", views.TicketFormViewSet, basename="form")
router.register("webhooks", views.WebhookViewSet, basename="webhook")
router.register("kb/categories", kb.KbCategoryViewSet, basename="kb-category")
router.register("kb/articles", kb.ArticleViewSet, basename="kb-article")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include(router.urls)),
]

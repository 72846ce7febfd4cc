"""Operators edit tenants in the platform's Django admin; routes follow at once."""

from __future__ import annotations

from django.test import Client

from accounts.models import User
from tenants.routing import router
from tests.conftest import TenantUnderTest


def test_admin_edit_of_a_domain_reaches_routing(
    tenant_a: TenantUnderTest, django_capture_on_commit_callbacks: object
) -> None:
    User.objects.create_superuser("ops@caseway.example", "operator-pass-1")
    client = Client(HTTP_HOST="localhost")
    assert client.login(email="ops@caseway.example", password="operator-pass-1")
    assert router.resolve("help.alpha.example") is None  # cached negative answer
    tenant = tenant_a.tenant
    page = client.get(f"/django-admin/tenants/tenant/{tenant.pk}/change/")
    assert page.status_code == 200
    form = {
        "name": tenant.name, "language": tenant.language, "timezone": tenant.timezone,
        "admin_email": tenant.admin_email, "status_reason": "",
        "settings-TOTAL_FORMS": "1", "settings-INITIAL_FORMS": "1", "settings-MIN_NUM_FORMS": "0",
        "settings-MAX_NUM_FORMS": "1", "settings-0-tenant": str(tenant.pk),
        "settings-0-portal_title": "Alpha Help", "settings-0-primary_colour": "#2f5bea",
        "settings-0-accent_colour": "#0f9d76", "settings-0-max_attachment_mb": "20",
        "settings-0-allowed_attachment_types": "[]", "settings-0-open_tickets_per_customer": "0",
        "settings-0-idle_logout_minutes": "120",
        "domains-TOTAL_FORMS": "1", "domains-INITIAL_FORMS": "0", "domains-MIN_NUM_FORMS": "0",
        "domains-MAX_NUM_FORMS": "1000", "domains-0-domain": "help.alpha.example",
        "domains-0-is_primary": "on",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(f"/django-admin/tenants/tenant/{tenant.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    route = router.resolve("help.alpha.example")
    assert route is not None
    assert route.tenant is not None
    assert route.tenant.settings.portal_title == "Alpha Help"

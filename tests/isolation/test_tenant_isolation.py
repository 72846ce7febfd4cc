"""Nothing of tenant B is reachable from tenant A: not by ORM, not over HTTP."""

from __future__ import annotations

from django.core.cache import cache
from django_tenants.utils import schema_context

from accounts.models import User
from tests.conftest import TenantUnderTest


def test_rows_of_one_tenant_are_invisible_from_another(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    with schema_context(tenant_a.tenant.schema_name):
        User.objects.create_user("shared@example.com", "x", full_name="In Alpha")
    with schema_context(tenant_b.tenant.schema_name):
        assert not User.objects.filter(full_name="In Alpha").exists()
        assert set(User.objects.values_list("email", flat=True)) == {"admin@bravo.example"}
        # the same email is an unrelated account in another tenant
        User.objects.create_user("shared@example.com", "y", full_name="In Bravo")
    with schema_context(tenant_a.tenant.schema_name):
        assert User.objects.get(email="shared@example.com").full_name == "In Alpha"


def test_tenant_admin_sees_only_their_tenant_over_http(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    with schema_context(tenant_b.tenant.schema_name):
        User.objects.create_user("secret-customer@bravo.example", "x")
    client = tenant_a.signed_in_client("admin@alpha.example")
    page = client.get("/django-admin/accounts/user/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "admin@alpha.example" in body
    assert "bravo" not in body


def test_credentials_of_one_tenant_do_not_work_on_another(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    assert tenant_a.can_sign_in("admin@alpha.example")
    assert not tenant_b.can_sign_in("admin@alpha.example")


def test_a_session_of_tenant_a_is_not_accepted_on_tenant_b(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    client_a = tenant_a.signed_in_client("admin@alpha.example")
    session_cookie = client_a.cookies["sessionid"].value
    assert client_a.get("/django-admin/").status_code == 200

    client_b = tenant_b.client()
    client_b.cookies["sessionid"] = session_cookie  # replayed on the other host
    response = client_b.get("/django-admin/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_cache_keys_are_scoped_to_the_tenant(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    with schema_context(tenant_a.tenant.schema_name):
        cache.set("greeting", "hello from alpha")
    with schema_context(tenant_b.tenant.schema_name):
        assert cache.get("greeting") is None
    with schema_context(tenant_a.tenant.schema_name):
        assert cache.get("greeting") == "hello from alpha"
        cache.delete("greeting")

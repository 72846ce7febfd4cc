"""The scoped introspection answers exactly what django-tenants' introspection (Django's,
with the search path narrowed to one schema) answers."""

from __future__ import annotations

from django.db.backends.postgresql.introspection import DatabaseIntrospection
from django_tenants.postgresql_backend.introspection import DatabaseSchemaIntrospection
from django_tenants.utils import schema_context

from tenants.db import connection
from tenants.postgresql_backend.base import ScopedIntrospection, scope_to_current_schemas
from tests.conftest import TenantUnderTest


def _describe(introspection: DatabaseIntrospection) -> dict[str, object]:
    with connection.cursor() as cursor:
        tables = sorted(introspection.get_table_list(cursor))
        details = {}
        for table in tables:
            details[table.name] = (
                [tuple(c) for c in introspection.get_table_description(cursor, table.name)],
                introspection.get_sequences(cursor, table.name),
                introspection.get_constraints(cursor, table.name),
            )
    return {"tables": tables, "details": details}


def test_scoped_introspection_matches_stock(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    with schema_context(tenant_a.tenant.schema_name):
        assert isinstance(connection.introspection, ScopedIntrospection)
        scoped = _describe(connection.introspection)
        stock = _describe(DatabaseSchemaIntrospection(connection))
    assert scoped == stock
    assert any(t.name == "accounts_user" for t in scoped["tables"])  # type: ignore[attr-defined]


def test_scoped_introspection_sees_only_the_current_schema(tenant_a: TenantUnderTest) -> None:
    with schema_context(tenant_a.tenant.schema_name):
        names = {t.name for t in connection.introspection.get_table_list(connection.cursor())}
    assert "accounts_user" in names
    assert "tenants_tenant" not in names  # a public table


def test_rewrite_replaces_every_visibility_check() -> None:
    sql = "WHERE pg_catalog.pg_table_is_visible(c.oid) AND pg_catalog.pg_table_is_visible(cl.oid)"
    rewritten = scope_to_current_schemas(sql)
    assert "pg_table_is_visible" not in rewritten
    assert "c.relnamespace = ANY" in rewritten
    assert "cl.relnamespace = ANY" in rewritten


def test_has_table_looks_only_at_the_current_schema(tenant_a: TenantUnderTest) -> None:
    """The index look-up answers what Django's table listing answers: in a tenant schema
    the table exists; in a schema without it, public's table does not count."""
    from django.db.migrations.recorder import MigrationRecorder

    from tenants.postgresql_backend.base import _stock_has_table

    with schema_context(tenant_a.tenant.schema_name):
        assert MigrationRecorder(connection).has_table() is True
        assert _stock_has_table(MigrationRecorder(connection)) is True
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "empty_schema"')
    connection.set_schema("empty_schema", include_public=True)
    try:
        assert MigrationRecorder(connection).has_table() is False
        assert _stock_has_table(MigrationRecorder(connection)) is False
    finally:
        connection.set_schema_to_public()

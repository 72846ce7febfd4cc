"""django-tenants' PostgreSQL backend with catalog introspection limited to the schemas
on the search path.

Django asks ``pg_table_is_visible(c.oid)`` of every relation in the database when it
introspects tables — a function call per row of ``pg_class``, which with a thousand
tenant schemas holds hundreds of thousands of rows, on each of the introspection calls
``migrate`` makes per schema. django-tenants has already narrowed the search path to the
one schema being migrated, so the same answer comes from ``relnamespace`` being one of
``current_schemas(false)``: still a scan of ``pg_class`` (no catalog index leads with
``relnamespace``), but a cheap comparison per row instead of a namespace search.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.migrations.recorder import MigrationRecorder
from django_tenants.postgresql_backend import base as tenants_base
from django_tenants.postgresql_backend.introspection import DatabaseSchemaIntrospection

VISIBILITY_CHECK = re.compile(r"pg_catalog\.pg_table_is_visible\((\w+)\.oid\)")
SCOPED_CHECK = (
    r"\1.relnamespace = ANY(ARRAY(SELECT oid FROM pg_catalog.pg_namespace"
    r" WHERE nspname = ANY(current_schemas(false))))"
)


def scope_to_current_schemas(sql: str) -> str:
    return VISIBILITY_CHECK.sub(SCOPED_CHECK, sql)


class _ScopedCursor:
    """Wraps an introspection cursor and rewrites the visibility predicate."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Any = None) -> Any:
        return self._cursor.execute(scope_to_current_schemas(sql), params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


class ScopedIntrospection(DatabaseSchemaIntrospection):
    def get_table_list(self, cursor: Any) -> Any:
        return super().get_table_list(_ScopedCursor(cursor))

    def get_table_description(self, cursor: Any, table_name: str) -> Any:
        return super().get_table_description(_ScopedCursor(cursor), table_name)

    def get_sequences(self, cursor: Any, table_name: str, table_fields: Any = ()) -> Any:
        return super().get_sequences(_ScopedCursor(cursor), table_name, table_fields)

    def get_key_columns(self, cursor: Any, table_name: str) -> Any:
        return super().get_key_columns(_ScopedCursor(cursor), table_name)

    def get_constraints(self, cursor: Any, table_name: str) -> Any:
        return super().get_constraints(_ScopedCursor(cursor), table_name)


def _relation_exists(connection: Any, name: str) -> bool:
    """Whether ``name`` exists in the connection's current schema: one look-up through
    the ``(relname, relnamespace)`` catalog index instead of a listing of every table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(quote_ident(%s) || '.' || quote_ident(%s)) IS NOT NULL",
            [connection.schema_name, name],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


_stock_has_table = MigrationRecorder.has_table


def _has_table(self: Any) -> bool:
    """``MigrationRecorder.has_table`` without listing the schema's tables.

    Django answers it with ``introspection.table_names()`` — a scan of ``pg_class`` that
    grows with every tenant — and ``migrate`` asks several times per schema. For this
    backend the answer is the same question asked of the one schema django-tenants
    introspects (the connection's current schema), which an index answers.
    """
    connection = self.connection
    if not isinstance(connection, DatabaseWrapper) or not connection.scoped_introspection:
        return _stock_has_table(self)
    if self._has_table:
        return True
    self._has_table = _relation_exists(connection, self.Migration._meta.db_table)
    return bool(self._has_table)


MigrationRecorder.has_table = _has_table  # type: ignore[method-assign]  # see _has_table


class DatabaseWrapper(tenants_base.DatabaseWrapper):
    #: Set to False (the benchmark does) to measure the stock introspection; it also
    #: turns the ``has_table`` look-up back into Django's table listing.
    scoped_introspection = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.scoped_introspection:
            self.introspection = ScopedIntrospection(self)

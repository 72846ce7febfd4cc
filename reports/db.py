"""Where reports read from: the ``reports`` database alias when ``REPORTS_DATABASE_URL``
is set (a read replica), else the default connection.

A second connection knows nothing of the request's tenant: django-tenants sets the
search_path per connection. ``reports_cursor`` hands the current tenant to the reports
connection before every use, so a replica read can never see another tenant's schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, connections

REPORTS_ALIAS = "reports"


def reports_alias() -> str:
    return REPORTS_ALIAS if REPORTS_ALIAS in connections.settings else "default"


@contextmanager
def reports_cursor() -> Iterator[Any]:
    alias = reports_alias()
    reader = connections[alias]
    if alias != "default":
        tenant = getattr(connection, "tenant", None)
        if tenant is None or getattr(connection, "schema_name", "public") == "public":
            raise RuntimeError("reports are read inside a tenant")
        reader.set_tenant(tenant)  # type: ignore[attr-defined]
    with reader.cursor() as cursor:
        yield cursor


def fetch(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with reports_cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

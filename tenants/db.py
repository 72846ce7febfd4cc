"""``django.db.connection``, typed as the tenant-aware backend it always is here
(``set_tenant``, ``schema_name``, ``set_schema_to_public``)."""

from typing import cast

from django.db import connection as _connection

from tenants.postgresql_backend.base import DatabaseWrapper

connection = cast(DatabaseWrapper, _connection)

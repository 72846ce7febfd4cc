"""Writing one new row of the busiest models (a ticket, a message) with SQL built once
per process.

``Model.objects.create()`` prepares its INSERT anew for every row: for a ticket's thirty
columns that cost more than the database spent storing it. ``row_insert`` sends the row
as one JSON document typed by the table itself (``json_populate_record``), through a
statement whose text never changes, and reads back the id and the columns the database
fills (a ``db_default`` such as the ticket number).

It is ``save()`` minus what these models do not use: no ``pre_save``/``post_save``
signals are sent (none is connected to them; ``tenants.config_cache`` listens to
configuration models only) and no unsaved related object is checked for. Do not use it
for a model that overrides ``save()`` or that something listens to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID

from django.db import models
from django.db.models.expressions import DatabaseDefault

from tenants.db import connection


@dataclass(frozen=True)
class _InsertPlan:
    sql: str
    written: tuple[models.Field[Any, Any], ...]
    returned: tuple[models.Field[Any, Any], ...]


@cache
def _plan(model: type[models.Model]) -> _InsertPlan:
    """The columns written (all but the generated ones, the auto id and the database
    defaults) and read back (the id and the database defaults); no schema in the SQL:
    the connection's search path names the tenant."""
    written, returned = [], []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.GeneratedField):
            continue
        if field.primary_key or field.has_db_default():
            returned.append(field)
        else:
            written.append(field)
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(field.column) for field in written)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(table)} ({columns}) SELECT {columns}"
        f" FROM json_populate_record(NULL::{connection.ops.quote_name(table)}, %s::json)"
        f" RETURNING {', '.join(connection.ops.quote_name(field.column) for field in returned)}"
    )
    return _InsertPlan(sql=sql, written=tuple(written), returned=tuple(returned))


def _json_scalar(value: object) -> object:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def row_insert(instance: models.Model) -> None:
    """Insert ``instance`` as a new row, as ``instance.save(force_insert=True)`` would,
    and set its id and database-filled columns."""
    plan = _plan(type(instance))
    if any(
        not isinstance(getattr(instance, field.attname), DatabaseDefault)
        for field in plan.returned
        if not field.primary_key
    ):  # a value given for a database default: the ORM writes it
        instance.save(force_insert=True)
        return
    document = json.dumps(
        {field.column: field.pre_save(instance, True) for field in plan.written},
        default=_json_scalar,
    )
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, [document])
        row = cursor.fetchone()
    for field, value in zip(plan.returned, row, strict=True):
        setattr(instance, field.attname, value)
    instance._state.adding = False
    instance._state.db = connection.alias

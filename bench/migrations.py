"""One new migration across every tenant schema: scoped against stock introspection.

On a fresh database, ``--tenants`` tenants are provisioned (script replay). A throwaway
tenant app, written to a temporary directory and added to ``INSTALLED_APPS`` and
``TENANT_APPS`` for this process only, has two migrations: ``0001`` creates a table and
``0002`` adds a nullable column to it. Every tenant is first taken back to ``0001``;
then ``migrate_schemas caseway_benchapp 0002 --tenant`` (the real command, one schema
after another, as a deploy runs it) is timed with our scoped catalog introspection
(``tenants.postgresql_backend``) and with django-tenants' stock one, unapplying the
migration between runs. With ``--rounds 2`` (the default) the order is ABBA.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import (
    Stopwatch,
    base_parser,
    bench_database,
    median,
    migrate,
    print_header,
    print_table,
    ratio,
    setup_django,
)

APP = "caseway_benchapp"
FILES = {
    "__init__.py": "",
    "models.py": """
        from django.db import models


        class Note(models.Model):
            title = models.CharField(max_length=100)
            extra = models.CharField(max_length=100, null=True)
    """,
    "migrations/__init__.py": "",
    "migrations/0001_initial.py": """
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name="Note",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("title", models.CharField(max_length=100)),
                    ],
                ),
            ]
    """,
    "migrations/0002_note_extra.py": """
        from django.db import migrations, models


        class Migration(migrations.Migration):
            dependencies = [("caseway_benchapp", "0001_initial")]
            operations = [
                migrations.AddField(
                    model_name="note",
                    name="extra",
                    field=models.CharField(max_length=100, null=True),
                ),
            ]
    """,
}

# What a catalog (introspection) query reads; everything else is migrate's own work.
CATALOG_QUERY = re.compile(
    r"\bpg_(class|namespace|attribute|attrdef|constraint|index|depend|sequence)\b"
)
VISIBILITY_CHECK = "pg_table_is_visible"


def write_app(directory: Path) -> None:
    for name, source in FILES.items():
        path = directory / APP / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())


def add_app(settings: Any) -> None:
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, APP]
    settings.TENANT_APPS = [*settings.TENANT_APPS, APP]


@dataclass
class QueryTally:
    """Catalog queries seen through ``connection.execute_wrapper``."""

    catalog_count: int = 0
    catalog_ns: int = 0
    visibility_checks: int = 0
    all_count: int = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        with Stopwatch() as watch:
            result = execute(sql, params, many, context)
        self.all_count += 1
        if CATALOG_QUERY.search(sql):
            self.catalog_count += 1
            self.catalog_ns += watch.ns
        if VISIBILITY_CHECK in sql:
            self.visibility_checks += 1
        return result


class SchemaClock:
    """Times each schema's migration from django-tenants' per-schema signals, so that a
    median per schema can be taken: it shrugs off bursts of load from other processes."""

    def __init__(self) -> None:
        self.ms: list[float] = []
        self._started = 0

    def started(self, sender: Any, schema_name: str, **kwargs: Any) -> None:
        self._started = time.perf_counter_ns()

    def finished(self, sender: Any, schema_name: str, **kwargs: Any) -> None:
        self.ms.append((time.perf_counter_ns() - self._started) / 1e6)


@contextmanager
def clocked() -> Iterator[SchemaClock]:
    from django_tenants.signals import schema_migrated, schema_pre_migration

    clock = SchemaClock()
    schema_pre_migration.connect(clock.started)
    schema_migrated.connect(clock.finished)
    try:
        yield clock
    finally:
        schema_pre_migration.disconnect(clock.started)
        schema_migrated.disconnect(clock.finished)


@dataclass
class Run:
    seconds: float
    tally: QueryTally
    schema_ms: list[float]


@dataclass
class Variant:
    name: str
    scoped: bool
    runs: list[Run] = field(default_factory=list)

    @property
    def median_seconds(self) -> float:
        return median([run.seconds for run in self.runs])

    @property
    def median_schema_ms(self) -> float:
        return median([ms for run in self.runs for ms in run.schema_ms])

    @property
    def catalog_ms_per_schema(self) -> float:
        return median([run.tally.catalog_ns / 1e6 / len(run.schema_ms) for run in self.runs])


def use_introspection(*, scoped: bool) -> None:
    """Give every connection (and any later one) the scoped or the stock introspection."""
    from django.db import connections
    from django_tenants.postgresql_backend.introspection import DatabaseSchemaIntrospection

    from tenants.postgresql_backend.base import DatabaseWrapper, ScopedIntrospection

    DatabaseWrapper.scoped_introspection = scoped
    for conn in connections.all():
        conn.introspection = (
            ScopedIntrospection(conn) if scoped else DatabaseSchemaIntrospection(conn)
        )


def migrate_tenants(target: str) -> None:
    from django.core.management import call_command

    call_command("migrate_schemas", APP, target, tenant=True, interactive=False, verbosity=0)


@contextmanager
def tallied() -> Iterator[QueryTally]:
    from django.db import connection

    tally = QueryTally()
    with connection.execute_wrapper(tally):
        yield tally


def applied_everywhere(migration: str, schemas: list[str]) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(
                f'SELECT 1 FROM "{schema}".django_migrations WHERE app = %s AND name = %s',
                [APP, migration],
            )
            if cursor.fetchone() is None:
                return False
    return True


def provision(count: int) -> tuple[list[str], float]:
    from tenants.db import connection
    from tenants.services import tenant_create

    schemas = []
    with Stopwatch() as watch:
        for i in range(count):
            result = tenant_create(
                slug=f"bench-{i:05d}", name=f"Bench {i}", admin_email=f"admin{i}@example.com"
            )
            schemas.append(result.tenant.schema_name)
    connection.set_schema_to_public()
    return schemas, watch.ms / 1000


def measure(variants: list[Variant], rounds: int, schemas: list[str]) -> None:
    for round_index in range(rounds):
        order = variants if round_index % 2 == 0 else list(reversed(variants))
        for variant in order:
            use_introspection(scoped=variant.scoped)
            with clocked() as clock, tallied() as tally, Stopwatch() as watch:
                migrate_tenants("0002")
            if not applied_everywhere("0002_note_extra", schemas):
                raise SystemExit(f"{variant.name}: 0002 is not applied in every schema")
            if len(clock.ms) != len(schemas):
                raise SystemExit(f"{variant.name}: timed {len(clock.ms)} of {len(schemas)} schemas")
            variant.runs.append(Run(seconds=watch.ms / 1000, tally=tally, schema_ms=clock.ms))
            use_introspection(scoped=True)
            migrate_tenants("0001")  # back for the next run (untimed)
    use_introspection(scoped=True)


def report(variants: list[Variant], schemas: int) -> None:
    rounds = len(variants[0].runs)
    rows = []
    for variant in variants:
        last = variant.runs[-1].tally
        rows.append(
            [
                variant.name,
                *(f"{run.seconds:.2f}" for run in variant.runs),
                f"{variant.median_seconds:.2f}",
                f"{variant.median_schema_ms:.1f}",
                f"{variant.catalog_ms_per_schema:.2f}",
                f"{last.catalog_count / schemas:.0f}",
                f"{last.visibility_checks / schemas:.0f}",
            ]
        )
    print_table(
        f"Applying one migration (AddField, nullable) to {schemas} tenant schemas",
        [
            "introspection",
            *(f"run {i + 1} s" for i in range(rounds)),
            "median s",
            "median ms/schema",
            "catalog ms/schema",
            "catalog q/schema",
            "pg_table_is_visible q/schema",
        ],
        rows,
    )
    scoped, stock = variants
    print(
        f"\nstock / scoped, total: {ratio(stock.median_seconds, scoped.median_seconds)} "
        f"({stock.median_seconds:.2f} s vs {scoped.median_seconds:.2f} s)"
    )
    print(
        f"stock / scoped, median per schema: "
        f"{ratio(stock.median_schema_ms, scoped.median_schema_ms)} "
        f"({stock.median_schema_ms:.1f} ms vs {scoped.median_schema_ms:.1f} ms)"
    )
    print(
        f"stock / scoped, catalog queries alone: "
        f"{ratio(stock.catalog_ms_per_schema, scoped.catalog_ms_per_schema)} "
        f"({stock.catalog_ms_per_schema:.2f} ms vs {scoped.catalog_ms_per_schema:.2f} ms per "
        "schema, time in the driver for queries reading pg_class and friends)"
    )


def catalog_size() -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_catalog.pg_class")
        (relations,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_catalog.pg_namespace")
        (namespaces,) = cursor.fetchone()
    return int(relations), int(namespaces)


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--tenants", type=int, default=200, help="tenant schemas (default 200)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="runs of each variant, alternating (default 2)"
    )
    args = parser.parse_args()
    if args.tenants < 1 or args.rounds < 1:
        parser.error("need --tenants ≥ 1 and --rounds ≥ 1")

    app_dir = Path(tempfile.mkdtemp(prefix="caseway-bench-app-"))
    try:
        write_app(app_dir)
        sys.path.insert(0, str(app_dir))
        with bench_database("migrations", keep=args.keep) as database:
            setup_django(pool_size=0, configure=add_app)
            migrate_seconds = migrate()
            print_header("Migration benchmark", database, tenants=args.tenants, rounds=args.rounds)
            print(f"migrate (public schema, template capture): {migrate_seconds:.1f} s")
            schemas, seconds = provision(args.tenants)
            print(f"provisioned {len(schemas)} tenants in {seconds:.1f} s")
            relations, namespaces = catalog_size()
            print(
                f"catalog: {relations} relations in {namespaces} schemas (pg_class, pg_namespace)"
            )
            with Stopwatch() as watch:
                migrate_tenants("0001")  # every tenant was built at 0002 by the template
                migrate_tenants("0002")  # first-run costs are not the variant's
                migrate_tenants("0001")
            print(f"warm-up (unapply, apply, unapply 0002 everywhere): {watch.ms / 1000:.1f} s")
            variants = [
                Variant("scoped (ours)", scoped=True),
                Variant("stock django-tenants", scoped=False),
            ]
            measure(variants, args.rounds, schemas)
            report(variants, len(schemas))
    finally:
        shutil.rmtree(app_dir, ignore_errors=True)


if __name__ == "__main__":
    main()

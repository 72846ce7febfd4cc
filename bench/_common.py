"""Shared helpers of the benchmark scripts: a throwaway database, Django set-up, timing.

Every benchmark runs against its own database (``caseway_bench_<name>``) on the server
that ``DATABASE_URL`` names, created fresh at the start and dropped at the end (unless
``--keep``), so it never reads or writes the project's own database.

Settings differ from the development launcher's in three ways, all for measuring:

* ``DEBUG`` is off: Django's debug cursor records and formats every query, and
  WhiteNoise re-scans static files on each request, neither of which production does;
* Celery runs tasks eagerly (in process): a benchmark must not enqueue pool refills
  that a running worker would execute against another database;
* the platform cache (routing generation) uses its own key prefix, so a benchmark's
  routing invalidations do not clear the routes of a server sharing the same Redis.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import environ
import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

# --- The throwaway database ------------------------------------------------------------


@dataclass(frozen=True)
class ServerAddress:
    """Where the PostgreSQL server of ``DATABASE_URL`` listens, and as whom to connect."""

    url: str
    user: str
    password: str
    host: str
    port: str

    @classmethod
    def from_url(cls, url: str) -> ServerAddress:
        config = environ.Env.db_url_config(url)
        # Same rule as controlplane.settings: a socket directory may come as ?host=.
        host = config.get("OPTIONS", {}).get("host") or config.get("HOST") or ""
        return cls(
            url=url,
            user=str(config.get("USER") or "postgres"),
            password=str(config.get("PASSWORD") or ""),
            host=urllib.parse.unquote(str(host)),
            port=str(config.get("PORT") or ""),
        )

    def connect_admin(self) -> psycopg.Connection[Any]:
        """An autocommit connection to the maintenance database ``postgres``."""
        params = {"dbname": "postgres", "user": self.user}
        if self.password:
            params["password"] = self.password
        if self.host:
            params["host"] = self.host
        if self.port:
            params["port"] = self.port
        return psycopg.connect(make_conninfo(**params), autocommit=True)

    def url_for(self, database: str) -> str:
        parts = urllib.parse.urlsplit(self.url)
        return urllib.parse.urlunsplit(parts._replace(path="/" + database))


def _drop_database(server: ServerAddress, name: str) -> None:
    with server.connect_admin() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def bench_database(name: str, *, keep: bool = False) -> Iterator[str]:
    """Create ``caseway_bench_<name>`` from nothing, point ``DATABASE_URL`` at it (call
    before ``setup_django``), yield its name and drop it afterwards unless ``keep``."""
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit(
            "DATABASE_URL is not set; run through the launcher:\n"
            f"  python -m infra.dev exec -- .venv/bin/python bench/{Path(sys.argv[0]).name}"
        )
    server = ServerAddress.from_url(os.environ["DATABASE_URL"])
    database = f"caseway_bench_{name}"
    _drop_database(server, database)  # a leftover of an interrupted or --keep run
    with server.connect_admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    os.environ["DATABASE_URL"] = server.url_for(database)
    try:
        yield database
    finally:
        _close_django_connections()
        if keep:
            print(f"\nKept database {database} (--keep).")
        else:
            _drop_database(server, database)


def _close_django_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


# --- Django ----------------------------------------------------------------------------


def setup_django(*, pool_size: int = 0, configure: Callable[[Any], None] | None = None) -> None:
    """Load the project's settings with the benchmark overrides, then ``django.setup()``.

    ``configure`` receives ``django.conf.settings`` before the app registry is built,
    to add apps or change settings that must be known at start-up.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "controlplane.settings")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ["TENANT_POOL_SIZE"] = str(pool_size)
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no "tenant x provisioned" per tenant
    if "STATIC_ROOT" not in os.environ:
        # WhiteNoise scans STATIC_ROOT at start-up; no benchmark serves static files.
        static_root = Path(tempfile.gettempdir()) / "caseway-bench-static"
        static_root.mkdir(exist_ok=True)
        os.environ["STATIC_ROOT"] = str(static_root)

    import django
    from django.conf import settings

    caches = dict(settings.CACHES)
    caches["platform"] = {**caches["platform"], "KEY_PREFIX": "platform-bench"}
    settings.CACHES = caches
    if configure is not None:
        configure(settings)
    django.setup()


def migrate() -> float:
    """Run our ``migrate`` (public schema, template capture, pool); return seconds."""
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    return time.perf_counter() - started


def base_parser(description: str) -> argparse.ArgumentParser:
    script = Path(sys.argv[0]).name
    parser = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "Run it through the launcher, which starts PostgreSQL and Redis:\n"
            f"  python -m infra.dev exec -- .venv/bin/python bench/{script}"
        ),
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the benchmark database instead of dropping it"
    )
    return parser


# --- Timing and figures ----------------------------------------------------------------


class Stopwatch:
    """``with Stopwatch() as watch: ...`` then ``watch.ms``."""

    def __enter__(self) -> Stopwatch:
        self._started = time.perf_counter_ns()
        self.ns = 0
        return self

    def __exit__(self, *exc: object) -> None:
        self.ns = time.perf_counter_ns() - self._started

    @property
    def ms(self) -> float:
        return self.ns / 1e6

    @property
    def us(self) -> float:
        return self.ns / 1e3


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with ``pct``% of values at or below."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}x" if denominator else "n/a"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain aligned table; the first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    print(f"\n{title}")
    print(line(cells[0]))
    print("  ".join("-" * width for width in widths))
    for row in cells[1:]:
        print(line(row))


def print_header(name: str, database: str, **facts: object) -> None:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    details = ", ".join(f"{key}={value}" for key, value in facts.items())
    load = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    print(f"== {name} ==")
    print(
        f"Python {sys.version.split()[0]}, Django {django.get_version()}, "
        f"PostgreSQL {version}, database {database}, DEBUG=False"
    )
    busy = " (other processes compete for the CPUs: expect noise)" if load > cpus / 2 else ""
    print(f"load average {load:.1f} on {cpus} CPUs at start{busy}")
    if details:
        print(details)

"""Tenant provisioning: DDL-script replay and the warm pool against full migrations.

In one run, on a fresh database:

1. ``--baseline`` schemas built django-tenants' default way (``CREATE SCHEMA`` +
   ``migrate_schemas``, what ``auto_create_schema`` does) with no tenant yet;
2. ``--tenants`` tenants created with ``tenant_create`` and an empty warm pool, so every
   schema is a replay of the captured DDL script; timed one by one (after one untimed
   warm-up tenant);
3. ``--baseline`` schemas built with migrations again, now with every tenant existing;
4. ``--signups`` tenants created with ``tenant_create`` claiming a pooled schema (after
   one untimed warm-up claim).

Admin users are created without a password (``admin_password=None``): password hashing
costs the same on any path and is not provisioning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from _common import (
    Stopwatch,
    base_parser,
    bench_database,
    median,
    migrate,
    percentile,
    print_header,
    print_table,
    setup_django,
    verdict,
)

WINDOW = 5  # consecutive creates whose median is one point of the flatness table
TARGET_RATIO = 10.0
TARGET_POOL_P95_MS = 50.0


@dataclass
class ReplayRun:
    existing_at_start: int
    total_ms: list[float] = field(default_factory=list)  # whole tenant_create
    build_ms: list[float] = field(default_factory=list)  # schema_build inside it


def build_with_migrations(schema_name: str) -> float:
    """django-tenants' default path for one schema; returns ms. The schema is dropped
    afterwards: it is a measurement, not a tenant."""
    from django.core.management import call_command

    from tenants.db import connection
    from tenants.provisioning.template import quote_schema, schema_drop

    with Stopwatch() as watch:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {quote_schema(schema_name)}")
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=schema_name,
            interactive=False,
            verbosity=0,
            refresh_template=False,
        )
    connection.set_schema_to_public()
    schema_drop(schema_name)
    return watch.ms


@dataclass
class MigratedRun:
    existing: int  # tenants when these schemas were built
    ms: list[float]


def migrations_baseline(count: int, label: str) -> MigratedRun:
    from tenants.models import Tenant

    existing = Tenant.objects.count()
    return MigratedRun(
        existing, [build_with_migrations(f"bench_migrated_{label}_{i}") for i in range(count)]
    )


def create_tenant(slug: str) -> tuple[float, bool]:
    """One signup through the service; returns (ms, whether the pool served it)."""
    from tenants.db import connection
    from tenants.services import tenant_create

    with Stopwatch() as watch:
        result = tenant_create(
            slug=slug,
            name=f"Bench {slug}",
            admin_email=f"admin@{slug}.example.com",
            admin_password=None,
        )
    connection.set_schema_to_public()
    return watch.ms, result.from_pool


def replay_tenants(count: int) -> ReplayRun:
    """Create ``count`` tenants with the pool empty; time each, and its schema_build."""
    import tenants.services
    from tenants.models import PooledSchema, Tenant

    run = ReplayRun(existing_at_start=Tenant.objects.count())
    original: Callable[..., None] = tenants.services.schema_build

    def timed_build(*args: Any, **kwargs: Any) -> None:
        with Stopwatch() as watch:
            original(*args, **kwargs)
        run.build_ms.append(watch.ms)

    if PooledSchema.objects.exists():
        raise SystemExit("the warm pool is not empty; every create must replay the script")
    tenants.services.schema_build = timed_build
    try:
        for i in range(count):
            elapsed, from_pool = create_tenant(f"bench-{i:05d}")
            if from_pool:
                raise SystemExit("a create claimed a pooled schema; the pool must stay empty")
            run.total_ms.append(elapsed)
    finally:
        tenants.services.schema_build = original
    return run


def pool_signups(count: int) -> tuple[list[float], float]:
    """Fill the pool with ``count`` schemas, then claim them all; returns (ms per signup,
    ms per pooled schema built)."""
    from tenants.provisioning.pool import pool_refill

    with Stopwatch() as watch:
        built = pool_refill(target=count + 1)
    per_build = watch.ms / built if built else 0.0
    times = []
    for i in range(count + 1):
        elapsed, from_pool = create_tenant(f"signup-{i:05d}")
        if not from_pool:
            raise SystemExit("a signup found the pool empty")
        if i > 0:  # the first claim is the warm-up
            times.append(elapsed)
    return times, per_build


def checkpoints(count: int) -> list[int]:
    """Tenant counts around which the flatness table takes a median of WINDOW creates."""
    last = max(0, count - WINDOW)
    points = [p for p in (0, 100, 1_000, 10_000) if p + WINDOW <= last]
    if len(points) == 1 and last >= 2 * WINDOW:
        points.append(last // 2)  # too few tenants to reach 100: show the middle
    return sorted({*points, last})


def report(
    *,
    tenants: int,
    replay: ReplayRun,
    migrated_start: MigratedRun,
    migrated_end: MigratedRun,
    signups: list[float],
    pool_build_ms: float,
) -> None:
    before = replay.existing_at_start
    after = before + tenants
    replay_median = median(replay.total_ms)
    build_median = median(replay.build_ms)
    migrated = migrated_start.ms + migrated_end.ms
    migrated_median = median(migrated)

    print_table(
        "Per-tenant build time (ms)",
        ["path", "tenants existing", "samples", "median", "p95"],
        [
            ["script replay: whole tenant_create", f"{before}–{after - 1}", len(replay.total_ms),
             f"{replay_median:.1f}", f"{percentile(replay.total_ms, 95):.1f}"],
            ["  of which schema_build (the replay)", f"{before}–{after - 1}", len(replay.build_ms),
             f"{build_median:.1f}", f"{percentile(replay.build_ms, 95):.1f}"],
            *(
                ["full migrations: CREATE SCHEMA + migrate_schemas", str(run.existing),
                 len(run.ms), f"{median(run.ms):.1f}", f"{percentile(run.ms, 95):.1f}"]
                for run in (migrated_start, migrated_end)
            ),
        ],
    )  # fmt: skip
    like_for_like = migrated_median / build_median
    whole = migrated_median / replay_median
    print(
        f"\nmigrations / replay, schema build only (like for like): {like_for_like:.1f}x "
        f"({migrated_median:.1f} ms vs {build_median:.1f} ms; "
        f"target ≥ {TARGET_RATIO:.0f}x: {verdict(like_for_like >= TARGET_RATIO)})"
    )
    print(
        f"migrations / whole tenant_create: {whole:.1f}x ({migrated_median:.1f} ms vs "
        f"{replay_median:.1f} ms; conservative: the migrations figure has no tenant rows "
        f"or admin; target ≥ {TARGET_RATIO:.0f}x: {verdict(whole >= TARGET_RATIO)})"
    )

    rows = []
    for start in checkpoints(tenants):
        window = slice(start, start + WINDOW)
        totals = replay.total_ms[window]
        rows.append(
            [
                f"{before + start}–{before + start + len(totals) - 1}",
                f"{median(totals):.1f}",
                f"{min(totals):.1f}",
                f"{max(totals):.1f}",
                f"{median(replay.build_ms[window]):.1f}",
            ]
        )
    print_table(
        f"Script replay as tenants accumulate (median of {WINDOW} consecutive creates, ms)",
        ["tenants existing", "median", "min", "max", "schema_build median"],
        rows,
    )
    first = median(replay.total_ms[:WINDOW])
    last = median(replay.total_ms[-WINDOW:])
    print(
        f"last window / first window: {last / first:.2f}x (1.00x = flat, below = later was faster)"
    )

    p95 = percentile(signups, 95)
    print_table(
        f"Signup-visible time with the warm pool ({len(signups)} signups, ms)",
        ["measure", "value"],
        [
            ["p50", f"{percentile(signups, 50):.1f}"],
            ["p95", f"{p95:.1f}"],
            ["max", f"{max(signups):.1f}"],
            ["pooled schema build (refill, off the signup path)", f"{pool_build_ms:.1f}"],
        ],
    )
    print(
        f"pool claim p95 target < {TARGET_POOL_P95_MS:.0f} ms: {verdict(p95 < TARGET_POOL_P95_MS)}"
    )
    print(
        "\nNote: admins are created with admin_password=None (unusable password): password "
        "hashing is not provisioning and costs the same on every path."
    )


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--tenants", type=int, default=200, help="tenants to create (default 200)")
    parser.add_argument(
        "--baseline",
        type=int,
        default=3,
        help="schemas built with full migrations, at the start and again at the end (default 3)",
    )
    parser.add_argument(
        "--signups", type=int, default=20, help="signups served by the warm pool (default 20)"
    )
    args = parser.parse_args()
    if args.tenants < 2 * WINDOW or args.baseline < 1 or args.signups < 1:
        parser.error(f"need --tenants ≥ {2 * WINDOW}, --baseline ≥ 1 and --signups ≥ 1")

    with bench_database("provisioning", keep=args.keep) as database:
        setup_django(pool_size=0)
        migrate_seconds = migrate()
        print_header(
            "Provisioning benchmark",
            database,
            tenants=args.tenants,
            baseline=args.baseline,
            signups=args.signups,
        )
        print(f"migrate (public schema, template capture, empty pool): {migrate_seconds:.1f} s")

        migrated_start = migrations_baseline(args.baseline, "start")
        create_tenant("bench-warmup")  # first-call costs (imports, caches) are not a build
        with Stopwatch() as watch:
            replay = replay_tenants(args.tenants)
        print(f"created {args.tenants} tenants by script replay in {watch.ms / 1000:.1f} s")
        migrated_end = migrations_baseline(args.baseline, "end")
        signups, pool_build_ms = pool_signups(args.signups)
        report(
            tenants=args.tenants,
            replay=replay,
            migrated_start=migrated_start,
            migrated_end=migrated_end,
            signups=signups,
            pool_build_ms=pool_build_ms,
        )


if __name__ == "__main__":
    main()

"""SLA engine: the sweep with nothing due, the sweep acting on due timers, business time.

In one run, on a fresh database:

(a) **Idle sweep against tenant count.** The sweep reads only the public due-timer
    table, so no tenant schemas are needed: DueTimer rows are COPYed for 10 schema
    names x ``--tickets-per-tenant`` tickets, then for ``--tenants`` schema names, all
    due in the next 1 to 31 days. After ``ANALYZE``, ``sla_sweep(now=...)`` with nothing
    due is timed (median and p95) in both states, next to the bare claiming statement
    (``SELECT ... FOR UPDATE SKIP LOCKED LIMIT 500``) as a floor. Target: under 10 ms at
    any tenant count, ratio of the two states about 1.

(b) **Acting on due timers.** 10 real tenants (``tenant_create``), each with a default
    business calendar (Europe/Warsaw, Polish holidays), a policy whose only target is a
    calendar-time first response of 1 minute, a few tickets through ``ticket_create``
    (the SLA handlers start the clock and write the timer) and the rest bulk-created in
    the same shape (Ticket, TicketSla, running SlaClock, DueTimer), ``--due`` timers in
    all, every one overdue. ``sla_sweep(limit=500)`` is looped until it claims nothing;
    each ticket must end with exactly one ``sla.breached`` event. Baseline, same rows:
    raw SQL that only claims (``FOR UPDATE SKIP LOCKED``, batches of 500) and deletes
    them, one DELETE per row and one per batch. Target: 10,000 timers in under 60 s.

(c) **Business-time arithmetic.** Microseconds per ``business_time.add`` on Mon-Fri
    08:00-12:00 + 13:00-17:00 in Europe/Warsaw with Polish public holidays 2025-2027,
    from random instants over mixed durations, against plain ``datetime + timedelta``.
    (Uses ``measure_add()`` of bench/sla_business_time.py instead when that file exists
    and provides it.)
"""

from __future__ import annotations

import importlib
import os
import random
import secrets
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from _common import (
    ROOT,
    Stopwatch,
    base_parser,
    bench_database,
    median,
    migrate,
    percentile,
    print_header,
    print_table,
    ratio,
    setup_django,
    verdict,
)

# This file is bench/sla.py: with bench/ ahead of the project root on the path (as when
# PYTHONPATH names the root), ``import sla`` would find it instead of the SLA package.
sys.path[:] = [
    str(ROOT),
    *(entry for entry in sys.path if Path(entry or ".").resolve() not in (BENCH, ROOT)),
    str(BENCH),
]

SMALL_TENANTS = 10  # the "few tenants" state of (a)
DUE_TENANTS = 10  # real tenants of (b)
SERVICE_TICKETS = 5  # per real tenant, through ticket_create
SWEEP_LIMIT = 500
#: Sweeping workers in (b); production runs one per Celery worker process (2 cores: 2).
WORKERS = 2
IDLE_RUNS = 50
IDLE_TARGET_MS = 10.0
DUE_TARGET_SECONDS = 60.0
TIMER_COLUMNS = "(schema_name, ticket_id, kind, due_at)"
WARSAW_OFFICE_HOURS = {
    day: [["08:00", "12:00"], ["13:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
}


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument(
        "--tenants", type=int, default=2000, help="schema names in the large state of (a)"
    )
    parser.add_argument(
        "--tickets-per-tenant",
        type=int,
        default=100,
        help="open tickets (timers) per tenant in (a)",
    )
    parser.add_argument("--due", type=int, default=10_000, help="due timers to process in (b)")
    parser.add_argument(
        "--workers", type=int, default=WORKERS, help="sweepers at once in (b), like Celery workers"
    )
    args = parser.parse_args()
    globals()["WORKERS"] = max(1, args.workers)
    with bench_database("sla", keep=args.keep) as database:
        setup_django()
        migrate_seconds = migrate()
        print_header(
            "sla",
            database,
            tenants=args.tenants,
            tickets_per_tenant=args.tickets_per_tenant,
            due=args.due,
            migrate_s=f"{migrate_seconds:.1f}",
        )
        origin = _now()
        idle_sweep(args.tenants, args.tickets_per_tenant, origin)
        due_sweep(args.due, origin)
        business_time_add()
        print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end")


# --- helpers ---------------------------------------------------------------------------


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def _public() -> None:
    from tenants.db import connection

    connection.set_schema_to_public()


def _execute(statement: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall()) if cursor.description else []


def _copy_timers(rows: Sequence[tuple[str, int, str, datetime]]) -> None:
    """COPY rows into the public due-timer table (outside Django's ORM, for speed)."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY public.sla_timers_duetimer {TIMER_COLUMNS} FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
    if not raw.autocommit:
        raw.commit()


def _analyze() -> None:
    _execute("ANALYZE public.sla_timers_duetimer")


def _timed(call: Callable[[], object], runs: int, warmup: int = 10) -> list[float]:
    for _ in range(warmup):
        call()
    timings = []
    for _ in range(runs):
        with Stopwatch() as watch:
            call()
        timings.append(watch.ms)
    return timings


# --- (a) the sweep with nothing due ----------------------------------------------------


def idle_sweep(tenants: int, per_tenant: int, origin: datetime) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from sla.sweep import sla_sweep

    _public()
    rng = random.Random(11)
    window = 30 * 86400

    def rows_for(first: int, last: int) -> list[tuple[str, int, str, datetime]]:
        return [
            (
                f"t_idle{index:05d}",
                ticket,
                "first_response",
                origin + timedelta(days=1, seconds=rng.randrange(window)),
            )
            for index in range(first, last)
            for ticket in range(1, per_tenant + 1)
        ]

    claim_sql = (
        "SELECT id FROM public.sla_timers_duetimer WHERE due_at <= %s"
        " ORDER BY due_at LIMIT %s FOR UPDATE SKIP LOCKED"
    )

    def bare_claim() -> None:
        with transaction.atomic():
            _execute(claim_sql, [origin, SWEEP_LIMIT])

    def sweep() -> None:
        result = sla_sweep(limit=SWEEP_LIMIT, now=origin)
        assert result.claimed == 0, result

    print(f"\n(a) sweep with nothing due  [{_load()}]")
    _timed(sweep, 0, warmup=50)  # the first state must not be measured on a colder process
    states = []
    small = min(SMALL_TENANTS, tenants)
    for count, first in ((small, 0), (tenants, small)):
        with Stopwatch() as load_watch:
            _copy_timers(rows_for(first, count))
            _analyze()
        (total,) = _execute("SELECT count(*) FROM public.sla_timers_duetimer")[0]
        plan = _execute("EXPLAIN " + claim_sql, [origin, SWEEP_LIMIT])
        scan = next((line for (line,) in plan if "Scan" in line), plan[-1][0]).strip(" ->")
        with CaptureQueriesContext(connection) as queries:
            sweep()
        sweep_ms = _timed(sweep, IDLE_RUNS)
        floor_ms = _timed(bare_claim, IDLE_RUNS)
        states.append((count, total, sweep_ms, floor_ms, len(queries.captured_queries), scan))
        print(
            f"  {count:,} tenants: {total:,} timers loaded in {load_watch.ms / 1000:.1f} s;"
            f" claim plan: {scan}"
        )

    rows = []
    for count, total, sweep_ms, floor_ms, queries, _scan in states:
        rows.append(
            [
                f"{count:,} tenants x {per_tenant} tickets",
                f"{total:,}",
                queries,
                f"{median(sweep_ms):.2f}",
                f"{percentile(sweep_ms, 95):.2f}",
                f"{median(floor_ms):.2f}",
                f"{percentile(floor_ms, 95):.2f}",
            ]
        )
    print_table(
        f"(a) One sla_sweep(limit={SWEEP_LIMIT}) with nothing due, {IDLE_RUNS} runs each",
        ["state", "timers", "queries", "sweep p50 ms", "sweep p95 ms", "bare claim p50", "p95"],
        rows,
    )
    (_, _, small_ms, _, _, _), (_, _, large_ms, _, _, _) = states
    worst_p95 = max(percentile(small_ms, 95), percentile(large_ms, 95))
    growth = median(large_ms) / median(small_ms)
    print(
        f"{states[1][0]:,} vs {states[0][0]:,} tenants: sweep median "
        f"{ratio(median(large_ms), median(small_ms))}, p95 "
        f"{ratio(percentile(large_ms, 95), percentile(small_ms, 95))} "
        f"(target ratio about 1: {verdict(growth < 1.5)}); worst p95 {worst_p95:.2f} ms "
        f"(target under {IDLE_TARGET_MS:.0f} ms: {verdict(worst_p95 < IDLE_TARGET_MS)})"
    )


# --- (b) acting on due timers ----------------------------------------------------------


def _tenant_with_tickets(
    index: int, tickets: int, started: datetime
) -> tuple[str, float, int, float]:
    """A real tenant with a 1-minute first-response policy and ``tickets`` tickets whose
    first-response clocks run since ``started`` (service-made ones: since their creation).
    Returns (schema, tenant_create seconds, service tickets, ms per service ticket)."""
    from django.db import transaction
    from django_tenants.utils import schema_context

    from sla.models import BusinessCalendar, ClockKind, ClockState, SlaClock, SlaPolicy, TicketSla
    from sla.timers.models import DueTimer
    from tenants.services import tenant_create
    from ticketing.models import Agent, Priority, Ticket
    from ticketing.services.people import contact_create, department_create
    from ticketing.services.tickets import ticket_create

    with Stopwatch() as create_watch:
        tenant = tenant_create(
            slug=f"slabench{index}",
            name=f"SLA Bench {index}",
            admin_email=f"admin@sla{index}.example",
            timezone_name="Europe/Warsaw",
        ).tenant
    schema = tenant.schema_name
    with schema_context(schema):
        department = department_create(name="Support")
        contacts = [
            contact_create(full_name=f"Customer {i}", email=f"c{i}@sla{index}.example")
            for i in range(20)
        ]
        admin = Agent.objects.get(user__email=f"admin@sla{index}.example")
        BusinessCalendar.objects.create(
            name="Office",
            timezone="Europe/Warsaw",
            weekly_hours=WARSAW_OFFICE_HOURS,
            holiday_country="PL",
            is_default=True,
        )
        policy = SlaPolicy.objects.create(
            name="Bench: first response in 1 minute",
            position=1,
            first_response_minutes=1,
            first_response_business=False,
        )
        through_services = min(SERVICE_TICKETS, tickets)
        with Stopwatch() as service_watch:
            for i in range(through_services):
                ticket_create(
                    subject=f"Service ticket {i}",
                    description="Created through the services.",
                    channel="portal",
                    requester=contacts[i % len(contacts)],
                    department=department,
                    created_by=admin,
                )
        made = DueTimer.objects.filter(schema_name=schema).count()
        assert made == through_services, f"{schema}: {made} timers from the services"

        bulk = tickets - through_services
        if bulk:
            priority = Priority.objects.get(level=3)
            numbers = [
                number
                for (number,) in _execute(
                    "SELECT nextval('ticketing_ticket_number_seq') FROM generate_series(1, %s)",
                    [bulk],
                )
            ]
            due_at = started + timedelta(seconds=60)
            with transaction.atomic():
                rows = Ticket.objects.bulk_create(
                    [
                        Ticket(
                            number=number,
                            subject=f"Bulk ticket {number}",
                            description="Bulk-created in the shape the services leave.",
                            department=department,
                            priority=priority,
                            status="new",
                            channel="portal",
                            requester=contacts[number % len(contacts)],
                            created_by=admin.user,
                            guest_access_key=secrets.token_hex(16),
                            created_at=started,
                            updated_at=started,
                            dispatched_at=started,
                            status_changed_at=started,
                        )
                        for number in numbers
                    ],
                    batch_size=1000,
                )
                TicketSla.objects.bulk_create(
                    [TicketSla(ticket=ticket, policy=policy) for ticket in rows], batch_size=1000
                )
                SlaClock.objects.bulk_create(
                    [
                        SlaClock(
                            ticket=ticket,
                            kind=ClockKind.FIRST_RESPONSE,
                            policy=policy,
                            business=False,
                            target_seconds=60,
                            state=ClockState.RUNNING,
                            started_at=started,
                            running_since=started,
                            consumed_seconds=0,
                            due_at=due_at,
                            fired_steps=[],
                        )
                        for ticket in rows
                    ],
                    batch_size=1000,
                )
                DueTimer.objects.bulk_create(
                    [
                        DueTimer(
                            schema_name=schema,
                            ticket_id=ticket.pk,
                            kind=ClockKind.FIRST_RESPONSE,
                            due_at=due_at,
                        )
                        for ticket in rows
                    ],
                    batch_size=1000,
                )
    _public()
    per_ticket_ms = service_watch.ms / through_services if through_services else 0.0
    return schema, create_watch.ms / 1000, through_services, per_ticket_ms


def _raw_claim_and_delete(now: datetime, *, per_row: bool) -> tuple[float, int]:
    """Claim due rows in batches of SWEEP_LIMIT and delete them without acting."""
    from django.db import transaction

    claimed = 0
    started = time.perf_counter()
    while True:
        with transaction.atomic():
            ids = [
                row_id
                for (row_id,) in _execute(
                    "SELECT id FROM public.sla_timers_duetimer WHERE due_at <= %s"
                    " ORDER BY due_at LIMIT %s FOR UPDATE SKIP LOCKED",
                    [now, SWEEP_LIMIT],
                )
            ]
            if not ids:
                break
            if per_row:
                for row_id in ids:
                    _execute("DELETE FROM public.sla_timers_duetimer WHERE id = %s", [row_id])
            else:
                _execute("DELETE FROM public.sla_timers_duetimer WHERE id = ANY(%s)", [ids])
        claimed += len(ids)
    return time.perf_counter() - started, claimed


def due_sweep(due: int, origin: datetime) -> None:
    from django.db import connection
    from django_tenants.utils import schema_context

    from sla.models import SlaClock
    from sla.sweep import sla_sweep

    print(f"\n(b) sweep acting on {due:,} due timers  [{_load()}]")
    tenants = min(DUE_TENANTS, due)
    shares = [due // tenants + (1 if i < due % tenants else 0) for i in range(tenants)]
    started = origin - timedelta(minutes=10)
    schemas, create_seconds, service_ms = [], [], []
    with Stopwatch() as setup_watch:
        for index, share in enumerate(shares):
            schema, seconds, services, per_ticket = _tenant_with_tickets(index, share, started)
            schemas.append(schema)
            create_seconds.append(seconds)
            if services:
                service_ms.append(per_ticket)
    _analyze()
    _execute("ANALYZE")
    now = _now() + timedelta(minutes=5)  # every clock made above is past its 60 s
    snapshot = _execute(
        f"SELECT {TIMER_COLUMNS[1:-1]} FROM public.sla_timers_duetimer WHERE due_at <= %s",
        [now],
    )
    (future,) = _execute(
        "SELECT count(*) FROM public.sla_timers_duetimer WHERE due_at > %s", [now]
    )[0]
    print(
        f"  set-up {setup_watch.ms / 1000:.1f} s: {tenants} tenants (tenant_create median "
        f"{median(create_seconds):.2f} s), {SERVICE_TICKETS} tickets each through "
        f"ticket_create (median {median(service_ms):.1f} ms each), the rest bulk-created; "
        f"{len(snapshot):,} timers due, {future:,} not due (from (a)) in the same table"
    )
    assert len(snapshot) == due, f"{len(snapshot)} due timers, expected {due}"

    # Baselines first, on the same rows; the rows are put back after each.
    baselines = []
    for label, per_row in (
        ("raw claim + DELETE per row (no action)", True),
        ("raw claim + one DELETE per batch (no action)", False),
    ):
        seconds, claimed = _raw_claim_and_delete(now, per_row=per_row)
        baselines.append((label, seconds, claimed))
        _copy_timers(snapshot)
        _analyze()
    print(f"  baselines done  [{_load()}]")

    totals = {"claimed": 0, "fired": 0, "stale": 0, "failed": 0}
    errors: list[str] = []
    batch_seconds: list[float] = []
    statements = 0

    def count_statement(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    lock = threading.Lock()

    def sweeper() -> None:
        """One worker (a Celery worker process in production): sweeps until nothing is
        left, on its own connection; SKIP LOCKED shares the timers between workers."""
        from django.db import connections

        try:
            with connection.execute_wrapper(count_statement):
                while True:
                    batch_started = time.perf_counter()
                    result = sla_sweep(limit=SWEEP_LIMIT, now=now)
                    if not result.claimed:
                        break
                    with lock:
                        batch_seconds.append(time.perf_counter() - batch_started)
                        for key in totals:
                            totals[key] += getattr(result, key)
                        errors.extend(result.errors)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()

    started_sweep = time.perf_counter()
    if WORKERS == 1:
        sweeper()
    else:
        threads = [threading.Thread(target=sweeper) for _ in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    sweep_seconds = time.perf_counter() - started_sweep
    print(f"  sweep done  [{_load()}]")

    rows = [
        [
            f"sla_sweep(limit={SWEEP_LIMIT}) until nothing is claimed, {WORKERS} worker(s)",
            f"{totals['claimed']:,}",
            f"{sweep_seconds:.2f}",
            f"{totals['claimed'] / sweep_seconds:,.0f}",
        ]
    ]
    for label, seconds, claimed in baselines:
        rows.append([label, f"{claimed:,}", f"{seconds:.2f}", f"{claimed / seconds:,.0f}"])
    print_table(
        f"(b) Processing {due:,} due timers of {tenants} tenants",
        ["path", "timers", "seconds", "timers/s"],
        rows,
    )
    print(
        f"batches: {len(batch_seconds)}, per batch of {SWEEP_LIMIT} median "
        f"{median(batch_seconds):.2f} s, max {max(batch_seconds):.2f} s "
        f"(the Celery task: soft limit 50 s, every 20 s)"
    )
    print(
        "sweep vs raw claim+delete: "
        f"{ratio(sweep_seconds, baselines[0][1])} (per-row delete), "
        f"{ratio(sweep_seconds, baselines[1][1])} (batch delete); "
        f"fired {totals['fired']:,}, stale {totals['stale']:,}, failed {totals['failed']:,}; "
        f"{statements / max(1, totals['claimed']):.1f} SQL statements per timer "
        f"(as seen by a Django execute wrapper)"
    )
    for error in errors[:5]:
        print(f"  error: {error}")

    # Check: every ticket got exactly one sla.breached event, and nothing is left due.
    tickets = exactly_one = events = breached_clocks = 0
    for schema in schemas:
        with schema_context(schema):
            (count, ok, total) = _execute(
                "SELECT count(*),"
                " count(*) FILTER (WHERE (SELECT count(*) FROM ticketing_ticketevent e"
                "   WHERE e.ticket_id = t.id AND e.kind = 'sla.breached') = 1),"
                " (SELECT count(*) FROM ticketing_ticketevent WHERE kind = 'sla.breached')"
                " FROM ticketing_ticket t"
            )[0]
            tickets += count
            exactly_one += ok
            events += total
            breached_clocks += SlaClock.objects.filter(
                breached_at__isnull=False, fired_steps__contains=["breach:0"]
            ).count()
    _public()
    (left,) = _execute(
        "SELECT count(*) FROM public.sla_timers_duetimer WHERE schema_name = ANY(%s)", [schemas]
    )[0]
    again = sla_sweep(limit=SWEEP_LIMIT, now=now)
    passed = (
        tickets == due == exactly_one == events == breached_clocks
        and left == 0
        and totals["failed"] == 0
        and again.claimed == 0
    )
    print(
        f"check: {exactly_one:,} of {tickets:,} tickets have exactly one sla.breached event "
        f"({events:,} such events), {breached_clocks:,} clocks marked breached, "
        f"{left} timers left for these tenants, a further sweep claims {again.claimed}: "
        f"{'passed' if passed else 'FAILED'}"
    )
    print(
        f"{due:,} timers in {sweep_seconds:.1f} s "
        f"(target under {DUE_TARGET_SECONDS:.0f} s: "
        f"{verdict(sweep_seconds < DUE_TARGET_SECONDS and passed)})"
    )


# --- (c) business-time add -------------------------------------------------------------


def _companion_add() -> float | None:
    """µs per add from bench/sla_business_time.py's ``measure_add()``, if it provides it."""
    if not Path(__file__).with_name("sla_business_time.py").exists():
        return None
    try:
        module = importlib.import_module("sla_business_time")
        measure = getattr(module, "measure_add", None)
        value = measure() if callable(measure) else None
        return float(value) if isinstance(value, int | float) else None
    except Exception as error:  # its own business; measure here instead
        print(f"  (bench/sla_business_time.py not usable here: {error})")
        return None


def business_time_add() -> None:
    import holidays as holiday_presets

    from sla import business_time

    print(f"\n(c) business-time add  [{_load()}]")
    years = [2025, 2026, 2027]
    days = set(holiday_presets.country_holidays("PL", years=years).keys())
    calendar = business_time.Calendar.from_spec("Europe/Warsaw", WARSAW_OFFICE_HOURS, holidays=days)
    rng = random.Random(5)
    span = int(
        (datetime(2027, 10, 1, tzinfo=UTC) - datetime(2025, 1, 1, tzinfo=UTC)).total_seconds()
    )
    durations = [timedelta(minutes=m) for m in (15, 60, 240, 480, 960, 2400)]  # up to 5 days
    cases = [
        (
            datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(span)),
            rng.choice(durations),
        )
        for _ in range(5000)
    ]
    add = business_time.add
    between = business_time.between

    def per_op_us(call: Callable[[datetime, timedelta], object], rounds: int = 7) -> float:
        timings = []
        for _ in range(rounds):
            started = time.perf_counter_ns()
            for start, duration in cases:
                call(start, duration)
            timings.append((time.perf_counter_ns() - started) / 1e3 / len(cases))
        return median(timings)

    ends = [add(calendar, start, duration) for start, duration in cases]
    plain_us = per_op_us(lambda start, duration: start + duration)
    companion = _companion_add()
    add_us = (
        companion
        if companion is not None
        else per_op_us(lambda start, duration: add(calendar, start, duration))
    )
    pairs = list(zip((start for start, _ in cases), ends, strict=True))

    def between_us(rounds: int = 7) -> float:
        timings = []
        for _ in range(rounds):
            started = time.perf_counter_ns()
            for start, end in pairs:
                between(calendar, start, end)
            timings.append((time.perf_counter_ns() - started) / 1e3 / len(pairs))
        return median(timings)

    between_per_op = between_us()
    mismatched = sum(
        1
        for (start, end), (_, duration) in zip(pairs, cases, strict=True)
        if between(calendar, start, end) != duration
    )
    source = "bench/sla_business_time.py measure_add()" if companion is not None else "here"
    print_table(
        f"(c) Europe/Warsaw Mon-Fri 08-12 + 13-17, {len(days)} Polish holidays 2025-2027; "
        f"{len(cases):,} random starts, 15 min to 40 h",
        ["operation", "us per call", "vs datetime +"],
        [
            ["datetime + timedelta (baseline)", f"{plain_us:.3f}", "1.00x"],
            [f"business_time.add (measured {source})", f"{add_us:.1f}", ratio(add_us, plain_us)],
            [
                "business_time.between (the inverse)",
                f"{between_per_op:.1f}",
                ratio(between_per_op, plain_us),
            ],
        ],
    )
    print(
        f"round trip between(start, add(start, d)) == d: "
        f"{len(cases) - mismatched:,} of {len(cases):,}"
    )


if __name__ == "__main__":
    main()

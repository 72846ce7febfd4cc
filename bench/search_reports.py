"""Ticket keyword search and the monthly per-agent report at size.

One tenant with 1,000,000 tickets and 3,000,000 messages (filled with INSERT … SELECT
over generate_series, in English, Persian, Polish and Chinese words; search vectors are
the generated columns, so they are computed as in production). Measures, in the same
run:

* ticket keyword search through ``ticketing.search.ticket_search`` (first page of 50,
  ranked) against an ``ILIKE`` scan of the same words over subject, description and
  message bodies (target: search p95 under 100 ms);
* the monthly per-agent report (``reports.selectors.agent_performance``) over one month
  (target: under 1 s).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
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

WORDS = [
    "printer",
    "toner",
    "paper",
    "jam",
    "scanner",
    "network",
    "vpn",
    "password",
    "reset",
    "login",
    "account",
    "invoice",
    "refund",
    "delivery",
    "order",
    "laptop",
    "screen",
    "battery",
    "charger",
    "keyboard",
    "mouse",
    "email",
    "outlook",
    "calendar",
    "meeting",
    "license",
    "install",
    "update",
    "upgrade",
    "crash",
    "error",
    "timeout",
    "slow",
    "server",
    "backup",
    "restore",
    "database",
    "report",
    "export",
    "import",
    "sync",
    "phone",
    "tablet",
    "wifi",
    "router",
    "cable",
    "monitor",
    "driver",
    "firmware",
    "payroll",
    "contract",
    "shipment",
    "warehouse",
    "label",
    "barcode",
    "camera",
    "microphone",
    "speaker",
    "headset",
    "چاپگر",
    "شبکه",
    "رمز",
    "حساب",
    "فاکتور",
    "تحویل",
    "سفارش",
    "کلید",
    "صفحه",
    "باتری",
    "drukarka",
    "sieć",
    "hasło",
    "konto",
    "faktura",
    "dostawa",
    "zamówienie",
    "klawiatura",
    "ekran",
    "bateria",
    "打印机",
    "网络",
    "密码",
    "账户",
    "发票",
    "配送",
    "订单",
    "键盘",
    "屏幕",
    "电池",
]

#: The vocabulary of a help desk is long-tailed: most words of a text are rare (here
#: ~20,000 made-up words, skewed), and one text in five is about a topic from WORDS
#: (two neighbouring words, e.g. "paper jam"), so a topic's words are in well under 1%
#: of tickets and messages. With every word from WORDS (``TOPICAL`` = 1 and no rare
#: words), each is in ~10% of 3 million messages: a worst case, not a help desk.
TOPICAL = 0.2
#: A rare word: one of ~20,000, the low numbers far more frequent than the high ones.
RARE_WORD = "('x' || to_hex((power(random(), 3) * 20000)::int))"
QUERIES = ["paper jam", "vpn password", "رمز حساب", "faktura dostawa", "打印机", "invoice"]


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=3_000_000)
    parser.add_argument("--runs", type=int, default=40, help="timed runs per search query")
    parser.add_argument("--ilike-runs", type=int, default=3, help="timed ILIKE runs per query")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure again on the database a --keep run left (no fill; ~10 minutes saved)",
    )
    args = parser.parse_args()
    if args.reuse:
        _reuse(args)
        return
    with bench_database("search_reports", keep=args.keep) as database:
        setup_django()
        migrate()
        run(args, database)


def _reuse(args: object) -> None:
    import os

    from _common import ServerAddress

    database = "caseway_bench_search_reports"
    os.environ["DATABASE_URL"] = ServerAddress.from_url(os.environ["DATABASE_URL"]).url_for(
        database
    )
    setup_django()
    migrate()  # migrations added since the --keep run
    run(args, database, fill=False)


def _fill(*, tickets: int, messages: int, department_ids: list[int], agent_ids: list[int],
          contact_ids: list[int]) -> None:  # fmt: skip
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        # GIN indexes are built once after the fill: far faster than row by row.
        cursor.execute("DROP INDEX ticket_search")
        cursor.execute("DROP INDEX message_search")
        cursor.execute(
            """
            INSERT INTO ticketing_ticket (number, subject, description, department_id,
                ticket_type, priority_id, priority_level, status, channel, requester_id,
                assignee_id, tags, custom_fields, is_internal, guest_access_key, created_at,
                updated_at, dispatched_at, first_responded_at, resolved_at, status_changed_at,
                reopened_count)
            SELECT nextval('ticketing_ticket_number_seq'),
                CASE WHEN random() < %(topical)s THEN w[k] || ' ' || w[k %% n + 1]
                     ELSE %(syn)s || ' ' || %(syn)s END || ' ' || %(syn)s,
                'Customer reports ' || %(syn)s || ' and ' || %(syn)s || ' since ' || (g %% 97)
                    || ' days',
                (%(departments)s::bigint[])[1 + g %% cardinality(%(departments)s::bigint[])],
                (ARRAY['question','incident','problem','request'])[1 + g %% 4],
                p.id, p.level,
                CASE WHEN g %% 10 < 7 THEN 'resolved' ELSE 'open' END, 'portal',
                (%(contacts)s::bigint[])[1 + g %% cardinality(%(contacts)s::bigint[])],
                (%(agents)s::bigint[])[1 + g %% cardinality(%(agents)s::bigint[])],
                '{}', '{}', false, md5(g::text), created, created, created,
                created + (1 + g %% 300) * interval '1 minute',
                CASE WHEN g %% 10 < 7 THEN created + (1 + g %% 5000) * interval '1 minute' END,
                created, 0
            FROM generate_series(1, %(tickets)s) AS g
            CROSS JOIN LATERAL (SELECT now() - interval '365 days'
                + (g::float / %(tickets)s) * interval '365 days' AS created) AS c
            CROSS JOIN (SELECT %(words)s::text[] AS w, cardinality(%(words)s::text[]) AS n) AS v
            CROSS JOIN LATERAL (SELECT 1 + ((random() + g * 0) * (n - 1))::int AS k) AS topic
            JOIN ticketing_priority p ON p.level = 1 + g %% 5
            """.replace("%(syn)s", RARE_WORD),
            {
                "departments": department_ids,
                "contacts": contact_ids,
                "agents": agent_ids,
                "tickets": tickets,
                "words": WORDS,
                "topical": TOPICAL,
            },
        )
        print(f"  {tickets:,} tickets in {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute("SELECT min(id) FROM ticketing_ticket")
        (first_id,) = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO ticketing_message (ticket_id, kind, author_name, from_staff, body,
                channel, email_message_id, created_at)
            SELECT %(first)s + (g %% %(tickets)s),
                CASE WHEN g %% 5 = 0 THEN 'note' ELSE 'public' END, 'Someone', g %% 2 = 0,
                'We checked the ' || %(syn)s || ' and the ' || %(syn)s || '; please try '
                    || CASE WHEN random() < %(topical)s THEN w[k] || ' ' || w[k %% n + 1]
                            ELSE %(syn)s END || ' again.',
                -- written in time order, as a help desk appends them
                'portal', '', now() - interval '365 days'
                    + (g::float / %(messages)s) * interval '365 days'
            FROM generate_series(1, %(messages)s) AS g
            CROSS JOIN (SELECT %(words)s::text[] AS w, cardinality(%(words)s::text[]) AS n) AS v
            CROSS JOIN LATERAL (SELECT 1 + ((random() + g * 0) * (n - 1))::int AS k) AS topic
            """.replace("%(syn)s", RARE_WORD),
            {
                "first": first_id,
                "tickets": tickets,
                "messages": messages,
                "words": WORDS,
                "topical": TOPICAL,
            },
        )
        print(f"  {messages:,} messages, {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute("CREATE INDEX ticket_search ON ticketing_ticket USING gin (search_vector)")
        cursor.execute("CREATE INDEX message_search ON ticketing_message USING gin (search_vector)")
        cursor.execute("ANALYZE")
    print(f"  filled and indexed in {time.perf_counter() - started:.0f} s", flush=True)


def _ilike(words: list[str]) -> list[int]:
    """The same question without the search index: every word somewhere in subject,
    description or a message, newest first, first page."""
    from django.db import connection

    conditions = " AND ".join(
        "(t.subject ILIKE %s OR t.description ILIKE %s OR EXISTS (SELECT 1 FROM "
        "ticketing_message m WHERE m.ticket_id = t.id AND m.body ILIKE %s))"
        for _ in words
    )
    params = [f"%{w}%" for w in words for _ in range(3)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.id FROM ticketing_ticket t WHERE t.merged_into_id IS NULL AND {conditions}"
            " ORDER BY t.created_at DESC LIMIT 50",
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def run(args: object, database: str, *, fill: bool = True) -> None:
    from django_tenants.utils import schema_context

    from tenants.services import tenant_create
    from ticketing.models import Agent
    from ticketing.services.people import agent_create, contact_create, department_create

    tickets, messages = args.tickets, args.messages  # type: ignore[attr-defined]
    if not fill:
        from tenants.models import Tenant

        schema = Tenant.objects.get(slug="searchco").schema_name
        print_header("search_reports", database, reused="yes")
        with schema_context(schema):
            admin = Agent.objects.get(user__email="admin@search.example")
            member = Agent.objects.get(user__email="agent0@search.example")
            _measure(args, admin, member)
        return
    tenant = tenant_create(slug="searchco", name="Search Co", admin_email="admin@search.example")
    print_header("search_reports", database, tickets=tickets, messages=messages)
    with schema_context(tenant.tenant.schema_name):
        departments = [department_create(name=f"Queue {i}") for i in range(5)]
        agents = [
            agent_create(
                email=f"agent{i}@search.example",
                full_name=f"Agent {i}",
                departments=[departments[i % 5]],
                max_open_tickets=0,
            )
            for i in range(20)
        ]
        contacts = [
            contact_create(full_name=f"Customer {i}", email=f"c{i}@search.example")
            for i in range(1000)
        ]
        _fill(
            tickets=tickets,
            messages=messages,
            department_ids=[d.pk for d in departments],
            agent_ids=[a.pk for a in agents],
            contact_ids=[c.pk for c in contacts],
        )
        admin = Agent.objects.get(user__email="admin@search.example")
        member = Agent.objects.get(pk=agents[0].pk)
        _measure(args, admin, member)


def _measure(args: object, admin: object, member: object) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from reports.selectors import ReportRange, agent_performance
    from ticketing.search import TicketSearch, ticket_search

    rows = []
    all_search: list[float] = []
    all_ilike: list[float] = []
    for query in QUERIES:
        for viewer, label in ((admin, "admin"), (member, "one department")):
            timings = []
            for _ in range(args.runs):  # type: ignore[attr-defined]
                with Stopwatch() as watch:
                    found = list(ticket_search(agent=viewer, search=TicketSearch(text=query))[:50])
                timings.append(watch.ms)
            all_search.extend(timings)
            ilike: list[float] = []
            if viewer is admin:
                for _ in range(args.ilike_runs):  # type: ignore[attr-defined]
                    with Stopwatch() as watch:
                        _ilike(query.split())
                    ilike.append(watch.ms)
                all_ilike.extend(ilike)
            rows.append(
                [
                    f"{query!r} ({label})",
                    f"{len(found)}",
                    f"{median(timings):.1f}",
                    f"{percentile(timings, 95):.1f}",
                    f"{median(ilike):.0f}" if ilike else "",
                    ratio(median(ilike), median(timings)) if ilike else "",
                ]
            )
    print_table(
        "Ticket keyword search, first page of 50 (ms)",
        ["query (viewer)", "hits", "p50", "p95", "ILIKE p50", "ILIKE / search"],
        rows,
    )
    search_p95 = percentile(all_search, 95)
    print(
        f"search over all queries: p50 {median(all_search):.1f} ms, p95 {search_p95:.1f} ms; "
        f"ILIKE p50 {median(all_ilike):.0f} ms, p95 {percentile(all_ilike, 95):.0f} ms; "
        f"ILIKE is {ratio(median(all_ilike), median(all_search))} slower "
        f"(target search p95 < 100 ms: {verdict(search_p95 < 100)})"
    )

    today = timezone.localdate()
    month_start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    month_end = today.replace(day=1) - timedelta(days=1)
    report_range = ReportRange.build(start=month_start, end=month_end)
    timings = []
    for _ in range(20):
        with Stopwatch() as watch:
            result = agent_performance(report_range=report_range, period="month")
        timings.append(watch.ms)
    handled = sum(row["handled"] for row in result)
    print_table(
        f"Monthly per-agent report, {month_start:%Y-%m} ({handled:,} resolved tickets, ms)",
        ["report", "rows", "p50", "p95"],
        [
            [
                "agent_performance(period=month)",
                str(len(result)),
                f"{median(timings):.0f}",
                f"{percentile(timings, 95):.0f}",
            ]
        ],
    )
    print(f"monthly report p95 < 1 s: {verdict(percentile(timings, 95) < 1000)}")


if __name__ == "__main__":
    main()

"""Ticketing throughput and queue latency.

Creates N tickets (default 100,000), each with one agent reply, in one tenant through
the services (``ticket_create`` + ``reply_from_agent``: validation, row locks, number
sequence, timeline events), and in the same run inserts the same rows with plain
single-row ``INSERT`` statements (one transaction per ticket, as the service uses).
Reports both rates and their ratio (target: services within 5x of raw inserts), then
the latency of the main queue selectors at that size (target: under 50 ms).
"""

from __future__ import annotations

import random
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


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets to create")
    parser.add_argument(
        "--raw-share", type=float, default=0.1, help="share of N inserted raw (default 0.1)"
    )
    parser.add_argument(
        "--fill-to",
        type=int,
        default=0,
        help="before measuring the queues, add plain rows up to this many tickets "
        "(when the service run was made smaller to save time)",
    )
    args = parser.parse_args()
    with bench_database("ticketing", keep=args.keep) as database:
        setup_django(configure=_queue_without_running)
        migrate()
        run(args.tickets, args.raw_share, database, fill_to=args.fill_to)


def _fill(
    target: int, *, department_ids: list[int], agent_ids: list[int], contact_ids: list[int]
) -> None:
    """Plain rows (one INSERT … SELECT) up to ``target`` tickets, shaped like the others:
    spread over departments, two in three assigned, all open."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ticketing_ticket")
        (have,) = cursor.fetchone()
        missing = target - have
        if missing <= 0:
            return
        cursor.execute(
            """
            INSERT INTO ticketing_ticket (number, subject, description, department_id,
                ticket_type, priority_id, priority_level, status, channel, requester_id,
                assignee_id, tags, custom_fields, is_internal, guest_access_key, created_at,
                updated_at, dispatched_at, status_changed_at, reopened_count)
            SELECT nextval('ticketing_ticket_number_seq'), 'Filler ' || g, 'Filler ticket',
                (%(departments)s::bigint[])[1 + g %% cardinality(%(departments)s::bigint[])],
                'question', p.id, p.level, 'open', 'portal',
                (%(contacts)s::bigint[])[1 + g %% cardinality(%(contacts)s::bigint[])],
                CASE WHEN g %% 3 = 0 THEN NULL
                     ELSE (%(agents)s::bigint[])[1 + g %% cardinality(%(agents)s::bigint[])] END,
                '{}', '{}', false, md5(g::text), now() - (g || ' seconds')::interval,
                now(), now(), now(), 0
            FROM generate_series(1, %(missing)s) AS g
            JOIN ticketing_priority p ON p.level = 1 + g %% 5
            """,
            {
                "departments": department_ids,
                "contacts": contact_ids,
                "agents": agent_ids,
                "missing": missing,
            },
        )
    print(f"  filled {missing:,} plain rows up to {target:,} tickets", flush=True)


def _queue_without_running(settings: object) -> None:
    """Deliveries (mail, webhooks) are Celery tasks after commit in production, not part
    of the request: queue them in memory, where nothing runs them."""
    settings.CELERY_TASK_ALWAYS_EAGER = False  # type: ignore[attr-defined]
    settings.CELERY_BROKER_URL = "memory://"  # type: ignore[attr-defined]


def run(total: int, raw_share: float, database: str, *, fill_to: int = 0) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from tenants.services import tenant_create
    from ticketing import selectors
    from ticketing.models import Agent, Priority
    from ticketing.services.conversation import reply_from_agent
    from ticketing.services.people import agent_create, contact_create, department_create
    from ticketing.services.tickets import ticket_create

    tenant = tenant_create(
        slug="benchco", name="Bench Co", admin_email="admin@bench.example"
    ).tenant
    print_header("ticketing", database, tickets=total)
    # As in a request or a task: the connection carries the tenant itself.
    with tenant_context(tenant):
        departments = [department_create(name=f"Queue {i}") for i in range(5)]
        agents = [
            agent_create(
                email=f"agent{i}@bench.example",
                full_name=f"Agent {i}",
                departments=[departments[i % 5]],
                max_open_tickets=0,
            )
            for i in range(20)
        ]
        contacts = [
            contact_create(full_name=f"Customer {i}", email=f"c{i}@bench.example")
            for i in range(1000)
        ]
        admin = Agent.objects.get(user__email="admin@bench.example")
        rng = random.Random(7)

        # --- services -------------------------------------------------------------
        def open_with_reply(i: int) -> None:
            department = departments[i % 5]
            ticket = ticket_create(
                subject=f"Ticket {i}: printer on floor {i % 9}",
                description="The printer shows error 0x42 and stops.",
                channel="portal",
                requester=contacts[i % 1000],
                department=department,
                assignee=agents[i % 20] if i % 3 else None,
                created_by=admin if i % 3 else None,
            )
            reply_from_agent(ticket=ticket, agent=admin, body="Thanks, we are looking into it.")

        started = time.perf_counter()
        for i in range(total):
            open_with_reply(i)
            if (i + 1) % 10_000 == 0:
                print(f"  services: {i + 1:,} tickets", flush=True)
        service_seconds = time.perf_counter() - started
        service_rate = total / service_seconds
        print(
            f"  services: {service_rate:,.0f} tickets/s over {service_seconds:,.0f} s", flush=True
        )
        # Round trips per ticket, counted on a few more (not timed): BEGIN and COMMIT
        # included, as in the raw path's 7 (BEGIN, nextval, 4 INSERTs, COMMIT).
        sample = 30
        with CaptureQueriesContext(connection) as captured:
            for i in range(total, total + sample):
                open_with_reply(i)
        queries_per_ticket = len(captured) / sample

        # --- raw INSERTs of the same rows -------------------------------------------
        raw_total = max(100, int(total * raw_share))
        priority_id = Priority.objects.get(level=3).pk
        admin_user_id = admin.user_id
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for i in range(raw_total):
                with transaction.atomic():
                    now = timezone.now()
                    cursor.execute("SELECT nextval('ticketing_ticket_number_seq')")
                    (number,) = cursor.fetchone()
                    cursor.execute(
                        "INSERT INTO ticketing_ticket (number, subject, description, department_id,"
                        " ticket_type, priority_id, priority_level, status, channel, requester_id,"
                        " created_by_id,"
                        " tags, custom_fields, is_internal, guest_access_key, created_at,"
                        " updated_at, dispatched_at, status_changed_at, reopened_count,"
                        " first_responded_at, last_agent_reply_at)"
                        " VALUES (%s, %s, %s, %s, 'question', %s, 3, 'open', 'portal', %s, %s,"
                        " '{}', '{}', false, %s, %s, %s, %s, %s, 0, %s, %s) RETURNING id",
                        [
                            number,
                            f"Raw {i}",
                            "The printer shows error 0x42 and stops.",
                            departments[i % 5].pk,
                            priority_id,
                            contacts[i % 1000].pk,
                            admin_user_id,
                            f"{rng.getrandbits(64):016x}",
                            now,
                            now,
                            now,
                            now,
                            now,
                            now,
                        ],
                    )
                    (ticket_id,) = cursor.fetchone()
                    cursor.execute(
                        "INSERT INTO ticketing_ticketevent (ticket_id, kind, actor_id, actor_name,"
                        " at, before, after, note) VALUES (%s, 'ticket.created', %s, 'x', %s,"
                        " '{}', '{}', '')",
                        [ticket_id, admin_user_id, now],
                    )
                    cursor.execute(
                        "INSERT INTO ticketing_message (ticket_id, kind, author_id, author_name,"
                        " from_staff, body, channel, email_message_id, created_at)"
                        " VALUES (%s, 'public', %s, 'Admin', true, %s, 'portal', '', %s)",
                        [ticket_id, admin_user_id, "Thanks, we are looking into it.", now],
                    )
                    cursor.execute(
                        "INSERT INTO ticketing_ticketevent (ticket_id, kind, actor_id, actor_name,"
                        " at, before, after, note) VALUES (%s, 'message.created', %s, 'x', %s,"
                        " '{}', '{}', '')",
                        [ticket_id, admin_user_id, now],
                    )
        raw_seconds = time.perf_counter() - started
        raw_rate = raw_total / raw_seconds
        if fill_to:
            _fill(
                fill_to,
                department_ids=[d.pk for d in departments],
                agent_ids=[a.pk for a in agents],
                contact_ids=[c.pk for c in contacts],
            )
        connection.cursor().execute("ANALYZE")

        print_table(
            "Creating tickets with one reply each",
            ["path", "tickets", "seconds", "tickets/s"],
            [
                [
                    "services (ticket_create + reply_from_agent)",
                    f"{total:,}",
                    f"{service_seconds:.1f}",
                    f"{service_rate:,.0f}",
                ],
                [
                    "raw single-row INSERTs, same rows",
                    f"{raw_total:,}",
                    f"{raw_seconds:.1f}",
                    f"{raw_rate:,.0f}",
                ],
            ],
        )
        print(f"statements per ticket with its reply: services {queries_per_ticket:.1f}, raw 7")
        slowdown = raw_rate / service_rate
        print(
            f"services are {ratio(raw_rate, service_rate)} slower than raw inserts "
            f"(target within 5x: {verdict(slowdown <= 5)})"
        )

        # --- queue selectors at size ------------------------------------------------
        agent = Agent.objects.get(pk=agents[1].pk)
        checks = {
            "my open tickets": lambda: list(selectors.tickets_mine(agent=agent)[:50]),
            "unassigned in my departments": lambda: list(
                selectors.tickets_unassigned(agent=agent)[:50]
            ),
            "all open by priority, age": lambda: list(selectors.tickets_open(agent=agent)[:50]),
            "admin: all open": lambda: list(selectors.tickets_open(agent=admin)[:50]),
            "customer look-up by name": lambda: list(
                selectors.contacts_lookup(query="Customer 42")
            ),
        }
        rows = []
        worst = 0.0
        for name, query in checks.items():
            query()
            timings = []
            for _ in range(30):
                with Stopwatch() as watch:
                    query()
                timings.append(watch.ms)
            worst = max(worst, percentile(timings, 95))
            rows.append([name, f"{median(timings):.2f}", f"{percentile(timings, 95):.2f}"])
        count = connection.cursor()
        count.execute("SELECT count(*) FROM ticketing_ticket")
        print_table(
            f"Queue selectors, 50 rows, at {count.fetchone()[0]:,} tickets",
            ["selector", "p50 ms", "p95 ms"],
            rows,
        )
        print(f"slowest p95 {worst:.1f} ms (target under 50 ms: {verdict(worst < 50)})")


if __name__ == "__main__":
    main()

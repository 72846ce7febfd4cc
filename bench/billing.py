"""What billing adds where it sits on hot paths.

1. Webhook intake: signed Stripe events posted through the whole Django stack to
   ``/billing/stripe/webhook/`` (signature verified, row stored by event id, handling
   task enqueued after the commit) against the bare INSERT of the same row. Duplicate
   deliveries (a no-op) are timed too.
2. The seat check: ``agent_create`` on a plan with an agent limit (a locked read of the
   tenant's limits and a count of active agents before the write) against the same
   service with the check switched off.

Events are enqueued to a queue nobody consumes, emptied at the end.
"""

from __future__ import annotations

import json
import time
import uuid
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
    ratio,
    setup_django,
    verdict,
)

SECRET = "whsec_bench"
QUEUE = f"bench-billing-{uuid.uuid4().hex[:6]}"
TARGET_INTAKE_MS = 10.0
TARGET_SEAT_CHECK_MS = 2.0


def configure(settings: Any) -> None:
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.BILLING_QUEUE = QUEUE


def signed_event(index: int) -> tuple[bytes, str]:
    import stripe

    body = json.dumps(
        {
            "id": f"evt_bench_{index}_{uuid.uuid4().hex[:8]}",
            "object": "event",
            "type": "customer.subscription.updated",
            "created": int(time.time()),
            "data": {"object": {"id": f"sub_{index}", "customer": "cus_unknown"}},
        }
    ).encode()
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body.decode()}", SECRET)
    return body, f"t={timestamp},v1={signature}"


def intake(count: int) -> tuple[list[float], list[float], list[float]]:
    from django.conf import settings
    from django.test import Client

    from billing.models import StripeEvent

    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, HTTP_X_FORWARDED_PROTO="https")
    events = [signed_event(i) for i in range(count)]
    for body, signature in events[:20]:  # warm-up
        client.post(
            "/billing/stripe/webhook/", body, "application/json", HTTP_STRIPE_SIGNATURE=signature
        )
    posted, duplicates, bare = [], [], []
    for body, signature in events[20:]:
        with Stopwatch() as watch:
            response = client.post(
                "/billing/stripe/webhook/",
                body,
                "application/json",
                HTTP_STRIPE_SIGNATURE=signature,
            )
        if response.status_code != 200:
            raise SystemExit(f"webhook answered {response.status_code}: {response.content!r}")
        posted.append(watch.ms)
        with Stopwatch() as watch:
            client.post(
                "/billing/stripe/webhook/",
                body,
                "application/json",
                HTTP_STRIPE_SIGNATURE=signature,
            )
        duplicates.append(watch.ms)
        payload = json.loads(body)
        with Stopwatch() as watch:
            StripeEvent.objects.create(
                event_id=payload["id"] + "_bare", type=payload["type"], payload=payload
            )
        bare.append(watch.ms)
    return posted, duplicates, bare


def seat_checks(count: int) -> tuple[list[float], list[float]]:
    """Two tenants on a plan with an agent limit; in one the check is switched off (the
    baseline), so the difference is the check itself."""
    from django_tenants.utils import schema_context

    from tenants.models import Tenant
    from tenants.services import tenant_create
    from ticketing import limits
    from ticketing.services.people import agent_create

    checked = tenant_create(slug="seats", name="Seats", admin_email="a@seats.example").tenant
    bare = tenant_create(slug="noseats", name="No check", admin_email="a@noseats.example").tenant
    Tenant.objects.filter(pk__in=[checked.pk, bare.pk]).update(plan_limits={"agents": 10 * count})
    real_check = limits.check_agent_seat

    def no_check(*, active_agents: int) -> None:
        return None

    timings: dict[str, list[float]] = {"checked": [], "bare": []}
    for index in range(count):
        for name, tenant in (("checked", checked), ("bare", bare)):
            limits.check_agent_seat = real_check if name == "checked" else no_check  # type: ignore[assignment]
            with schema_context(tenant.schema_name), Stopwatch() as watch:
                agent_create(email=f"agent{index}@{name}.example", full_name=f"Agent {index}")
            timings[name].append(watch.ms)
    limits.check_agent_seat = real_check
    return timings["checked"], timings["bare"]


def row(label: str, values: list[float]) -> list[object]:
    return [label, len(values), f"{median(values):.2f}", f"{percentile(values, 95):.2f}"]


def purge_queue() -> None:
    from controlplane.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(QUEUE)


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--events", type=int, default=1000, help="webhook events (default 1000)")
    parser.add_argument("--agents", type=int, default=200, help="agents per tenant (default 200)")
    args = parser.parse_args()
    with bench_database("billing", keep=args.keep) as database:
        setup_django(pool_size=0, configure=configure)
        migrate()
        from controlplane.celery import app

        app.conf.task_always_eager = False  # enqueue for real, to a queue nobody reads
        print_header("Billing benchmark", database, events=args.events, agents=args.agents)
        try:
            posted, duplicates, bare = intake(args.events + 20)
            limited, open_ = seat_checks(args.agents)
        finally:
            purge_queue()
        print_table(
            "Webhook intake (ms per event)",
            ["path", "events", "median", "p95"],
            [
                row("POST, new event (verify, store, enqueue)", posted),
                row("POST, duplicate (verify, no-op)", duplicates),
                row("bare INSERT of the same row", bare),
            ],
        )
        print(
            f"\nnew event / bare insert: {ratio(median(posted), median(bare))}; "
            f"median {median(posted):.2f} ms (target < {TARGET_INTAKE_MS:.0f} ms: "
            f"{verdict(median(posted) < TARGET_INTAKE_MS)})"
        )
        print_table(
            "agent_create (ms per agent)",
            ["tenant", "agents", "median", "p95"],
            [
                row("with the seat check", limited),
                row("check switched off", open_),
            ],
        )
        added = median(limited) - median(open_)
        print(
            f"\nchecked / unchecked: {ratio(median(limited), median(open_))}; the seat check adds "
            f"{added:.2f} ms (target < {TARGET_SEAT_CHECK_MS:.0f} ms: "
            f"{verdict(added < TARGET_SEAT_CHECK_MS)})"
        )


if __name__ == "__main__":
    main()

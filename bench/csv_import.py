"""The admin console's CSV import of customers (``ticketing.services.imports``) at the
row cap.

On a fresh database with one tenant (``benchco``), a generated file of ``--rows``
customers (names in Latin, Persian and Chinese script, 50 organizations) is:

1. previewed (read and every row checked; nothing written);
2. imported into an empty help desk (all rows new), with the ``contact.created`` events
   the import publishes run after the commit as in a request;
3. imported again (every row an update).

The baseline, measured in the same run: the bare ``bulk_create`` of the same contacts
(the least any import must do), and the obvious loop through ``contact_create`` one row
at a time over ``--loop-rows`` rows (scaled to per 1,000 rows).

    python -m infra.dev exec -- .venv/bin/python bench/csv_import.py [--rows 10000]
"""

from __future__ import annotations

import time
from typing import Any

from _common import (
    base_parser,
    bench_database,
    migrate,
    print_header,
    print_table,
    ratio,
    setup_django,
    verdict,
)

SLUG = "benchco"
#: What an admin waits for at the row cap, preview and import together.
TARGET_TOTAL_S = 15.0
NAMES = ["Carla Nowak", "سارا احمدی", "李伟", "Jan Kowalski", "مریم کریمی", "王芳"]


def csv_file(rows: int, *, prefix: str = "person") -> bytes:
    lines = ["\ufeffemail;full_name;organization;phone;language;is_vip"]
    for i in range(rows):
        lines.append(
            f"{prefix}{i}@example.com;{NAMES[i % len(NAMES)]} {i};Org {i % 50};"
            f"+48 600 {i:06d};{['pl', 'fa', 'zh-hans'][i % 3]};{'yes' if i % 7 == 0 else 'no'}"
        )
    return "\n".join(lines).encode("utf-8")


def timed(action: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--loop-rows", type=int, default=1_000)
    args = parser.parse_args()
    with bench_database("csv_import", keep=args.keep) as database:
        setup_django()
        migrate()
        from django.db import transaction
        from django_tenants.utils import schema_context

        from tenants.services import tenant_create
        from ticketing.models import Contact
        from ticketing.services import imports
        from ticketing.services.people import contact_create, phone_digits_reversed

        print_header("CSV import of customers", database, rows=args.rows)
        tenant = tenant_create(slug=SLUG, name="Bench Co", admin_email="admin@bench.example")
        raw = csv_file(args.rows)
        with schema_context(tenant.tenant.schema_name):
            preview, preview_s = timed(lambda: imports.import_preview(kind="customers", raw=raw))
            assert len(preview.valid_rows) == args.rows, preview.failed_rows[:3]
            created, create_s = timed(lambda: imports.import_apply(kind="customers", raw=raw))
            assert created.created == args.rows
            updated, update_s = timed(lambda: imports.import_apply(kind="customers", raw=raw))
            assert updated.updated == args.rows

            # Baseline 1: the bare INSERTs of the same contacts.
            def bare() -> None:
                with transaction.atomic():
                    Contact.objects.bulk_create(
                        [
                            Contact(
                                email=f"bare{i}@example.com",
                                full_name=f"{NAMES[i % len(NAMES)]} {i}",
                                phone=f"+48 600 {i:06d}",
                                phone_digits_reversed=phone_digits_reversed(f"+48 600 {i:06d}"),
                            )
                            for i in range(args.rows)
                        ],
                        batch_size=1000,
                    )

            _none, bare_s = timed(bare)

            # Baseline 2: one service call per row.
            def loop() -> None:
                for i in range(args.loop_rows):
                    with transaction.atomic():
                        contact_create(
                            full_name=f"{NAMES[i % len(NAMES)]} {i}",
                            email=f"loop{i}@example.com",
                            phone=f"+48 600 {i:06d}",
                        )

            _none, loop_s = timed(loop)

        per_thousand = 1000 / args.rows
        loop_per_thousand = loop_s * 1000 / args.loop_rows
        print_table(
            f"{args.rows} customers, seconds (and per 1,000 rows)",
            ["step", "s", "s / 1,000 rows", "vs bare INSERTs"],
            [
                [
                    "preview (read + check)",
                    f"{preview_s:.2f}",
                    f"{preview_s * per_thousand:.3f}",
                    "",
                ],
                [
                    "import, all new (+ events)",
                    f"{create_s:.2f}",
                    f"{create_s * per_thousand:.3f}",
                    ratio(create_s, bare_s),
                ],
                [
                    "import, all updates",
                    f"{update_s:.2f}",
                    f"{update_s * per_thousand:.3f}",
                    ratio(update_s, bare_s),
                ],
                [
                    "baseline: bare bulk INSERT",
                    f"{bare_s:.2f}",
                    f"{bare_s * per_thousand:.3f}",
                    "1.00x",
                ],
                [
                    f"baseline: contact_create loop ({args.loop_rows} rows)",
                    f"{loop_s:.2f}",
                    f"{loop_per_thousand:.3f}",
                    ratio(loop_per_thousand, bare_s * per_thousand),
                ],
            ],
        )
        total = preview_s + create_s
        print(
            f"\nimport vs one-service-call-per-row loop: "
            f"{ratio(loop_per_thousand, create_s * per_thousand)} faster"
        )
        print(
            f"preview + import of {args.rows} rows: {total:.1f} s "
            f"(target under {TARGET_TOTAL_S:.0f} s: {verdict(total < TARGET_TOTAL_S)})"
        )


if __name__ == "__main__":
    main()

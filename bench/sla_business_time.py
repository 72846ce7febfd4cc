"""Cost of business-time arithmetic (``sla.business_time``) on a realistic office calendar.

Europe/Warsaw, Monday to Friday 08:00–12:00 and 13:00–17:00, with the Polish public
holidays of 2025–2027. For durations of 1 h, 8 h, 40 h and 200 h from random starts in
2025–2026, it reports microseconds per ``add`` next to plain ``start + duration`` datetime
arithmetic measured in the same run (and their ratio), and microseconds per ``between``
over the same windows (from each start to the instant ``add`` returned). A calendar
remembers the real periods of each local date it has seen, so the main figures are with
that memo warm (as for a calendar reused across tickets); "cold" empties it before every
call. Each figure is the best of ``--rounds`` timed passes over ``--iterations`` calls.
Pure Python: no database.

    .venv/bin/python bench/sla_business_time.py [--iterations 20000] [--rounds 3]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sla.business_time import Calendar, add, between

YEARS = [2025, 2026, 2027]
DURATIONS = [timedelta(hours=h) for h in (1, 8, 40, 200)]
OFFICE_HOURS = [["08:00", "12:00"], ["13:00", "17:00"]]

# Used when the ``holidays`` package is missing: Polish public holidays 2025–2027
# (Easter-dependent ones included; Christmas Eve is a holiday from 2025).
POLISH_HOLIDAYS_FALLBACK = [
    date(year, month, day)
    for year, month, day in [
        (2025, 1, 1), (2025, 1, 6), (2025, 4, 20), (2025, 4, 21), (2025, 5, 1), (2025, 5, 3),
        (2025, 6, 8), (2025, 6, 19), (2025, 8, 15), (2025, 11, 1), (2025, 11, 11),
        (2025, 12, 24), (2025, 12, 25), (2025, 12, 26),
        (2026, 1, 1), (2026, 1, 6), (2026, 4, 5), (2026, 4, 6), (2026, 5, 1), (2026, 5, 3),
        (2026, 5, 24), (2026, 6, 4), (2026, 8, 15), (2026, 11, 1), (2026, 11, 11),
        (2026, 12, 24), (2026, 12, 25), (2026, 12, 26),
        (2027, 1, 1), (2027, 1, 6), (2027, 3, 28), (2027, 3, 29), (2027, 5, 1), (2027, 5, 3),
        (2027, 5, 16), (2027, 5, 27), (2027, 8, 15), (2027, 11, 1), (2027, 11, 11),
        (2027, 12, 24), (2027, 12, 25), (2027, 12, 26),
    ]
]  # fmt: skip


def polish_holidays() -> tuple[list[date], str]:
    try:
        import holidays
    except ImportError:
        return POLISH_HOLIDAYS_FALLBACK, "hard-coded"
    found = holidays.country_holidays("PL", years=YEARS)
    return sorted(found), f"holidays {holidays.__version__}"


def best_of(rounds: int, run: Callable[[], object], calls: int) -> float:
    """Microseconds per call, best of ``rounds`` passes."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=20000, help="calls per timed pass")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes; the best counts")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    holiday_dates, source = polish_holidays()
    calendar = Calendar.from_spec(
        "Europe/Warsaw",
        dict.fromkeys(["mon", "tue", "wed", "thu", "fri"], OFFICE_HOURS),
        holidays=holiday_dates,
    )
    rng = random.Random(args.seed)
    first = datetime(2025, 1, 1, tzinfo=UTC)
    span_seconds = int((datetime(2027, 1, 1, tzinfo=UTC) - first).total_seconds())
    starts = [
        first + timedelta(seconds=rng.randrange(span_seconds)) for _ in range(args.iterations)
    ]

    print(
        f"sla.business_time on Europe/Warsaw, Mon–Fri 08–12 + 13–17, {len(holiday_dates)} Polish "
        f"holidays 2025–2027 ({source}); {args.iterations} random starts in 2025–2026, "
        f"best of {args.rounds}"
    )
    print(
        f"{'duration':>8}  {'add µs':>8}  {'start+d µs':>10}  {'ratio':>7}  "
        f"{'between µs':>10}  {'add µs, cold':>12}"
    )
    for duration in DURATIONS:
        ends = [add(calendar, start, duration) for start in starts]
        windows = list(zip(starts, ends, strict=True))

        def run_add(duration: timedelta = duration) -> None:
            for start in starts:
                add(calendar, start, duration)

        def run_add_cold(duration: timedelta = duration) -> None:
            memo = calendar._day_cache
            for start in starts:
                memo.clear()
                add(calendar, start, duration)

        def run_baseline(duration: timedelta = duration) -> None:
            for start in starts:
                start + duration

        def run_between(windows: list[tuple[datetime, datetime]] = windows) -> None:
            for start, end in windows:
                between(calendar, start, end)

        add_us = best_of(args.rounds, run_add, len(starts))
        cold_us = best_of(args.rounds, run_add_cold, len(starts))
        baseline_us = best_of(args.rounds, run_baseline, len(starts))
        between_us = best_of(args.rounds, run_between, len(windows))
        hours = duration / timedelta(hours=1)
        print(
            f"{hours:>6.0f} h  {add_us:>8.2f}  {baseline_us:>10.3f}  "
            f"{add_us / baseline_us:>6.0f}×  {between_us:>10.2f}  {cold_us:>12.2f}"
        )


if __name__ == "__main__":
    main()

"""Business-time arithmetic (``sla.business_time``): hand-checked examples, including the
2026 DST changes in Warsaw and New York, and properties over generated calendars.

Pure: no database. Expected values are worked out by hand in the comments; UTC offsets:
Warsaw CET +1 / CEST +2 (2026-03-29 02:00→03:00, 2026-10-25 03:00→02:00), New York
EST −5 / EDT −4 (2026-03-08 02:00→03:00, 2026-11-01 02:00→01:00), Tehran +3:30 all year
(no DST since 2022), Shanghai +8.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sla.business_time import Calendar, WorkingInterval, add, between, working_periods

WARSAW = "Europe/Warsaw"
NEW_YORK = "America/New_York"
TEHRAN = "Asia/Tehran"
SHANGHAI = "Asia/Shanghai"
ZONES = [WARSAW, TEHRAN, SHANGHAI, NEW_YORK, "UTC"]


def on(days: str, *intervals: tuple[str, str]) -> dict[str, list[list[str]]]:
    """Weekly hours as ``from_spec`` takes them: the same intervals on each named day."""
    return {day: [list(interval) for interval in intervals] for day in days.split()}


WORKWEEK = "mon tue wed thu fri"
WARSAW_OFFICE = Calendar.from_spec(
    WARSAW,
    on(WORKWEEK, ("08:00", "12:00"), ("13:00", "17:00")),
    holidays=[date(2026, 5, 1)],  # Labour Day, a Friday
)
TEHRAN_OFFICE = Calendar.from_spec(TEHRAN, on("sat sun mon tue wed", ("08:00", "16:00")))
SHANGHAI_OFFICE = Calendar.from_spec(SHANGHAI, on(WORKWEEK, ("09:00", "18:00")))
NEW_YORK_OFFICE = Calendar.from_spec(NEW_YORK, on(WORKWEEK, ("09:00", "17:00")))
NEW_YORK_WEEKEND = Calendar.from_spec(NEW_YORK, on("sat sun", ("00:00", "24:00")))
WARSAW_NIGHTS = Calendar.from_spec(WARSAW, on(WORKWEEK + " sat sun", ("22:00", "06:00")))
WARSAW_ALWAYS = Calendar.always(WARSAW)
UTC_ALWAYS = Calendar.always()
# Sunday 2026-03-29 in Warsaw has no 02:00–03:00: intervals touching that hour.
WARSAW_SUNDAY_SMALL_HOURS = Calendar.from_spec(WARSAW, {"sun": [["01:00", "03:00"]]})
WARSAW_SUNDAY_IN_GAP = Calendar.from_spec(WARSAW, {"sun": [["02:00", "02:30"], ["08:00", "09:00"]]})
# Sunday 2026-10-25 in Warsaw has 02:00–03:00 twice, Sunday 2026-11-01 in New York 01:00–02:00.
WARSAW_SUNDAY_INTO_REPEATED_HOUR = Calendar.from_spec(WARSAW, {"sun": [["01:00", "02:30"]]})
NEW_YORK_SUNDAY_INTO_REPEATED_HOUR = Calendar.from_spec(NEW_YORK, {"sun": [["00:00", "01:30"]]})
WARSAW_SUNDAY_ACROSS_GAP = Calendar.from_spec(
    WARSAW, {"sun": [["01:00", "02:30"], ["03:10", "04:00"]]}
)


def local(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Wall-clock time in ``zone`` (fold=0: the first of two, the offset before a gap)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def in_warsaw(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return local(WARSAW, year, month, day, hour, minute)


def in_new_york(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return local(NEW_YORK, year, month, day, hour, minute)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


@dataclass(frozen=True)
class AddCase:
    name: str
    calendar: Calendar
    start: datetime
    duration: timedelta
    expected: datetime


ADD_CASES = [
    # Warsaw office, Monday 12 January 2026, CET (+1).
    # 09:00 + 2 h = 11:00 CET = 10:00 UTC.
    AddCase(
        "inside hours", WARSAW_OFFICE, in_warsaw(2026, 1, 12, 9), hours(2), utc(2026, 1, 12, 10)
    ),
    # 11–12 (1 h), lunch, 13–14 (1 h): 14:00 CET = 13:00 UTC.
    AddCase(
        "over lunch", WARSAW_OFFICE, in_warsaw(2026, 1, 12, 11), hours(2), utc(2026, 1, 12, 13)
    ),
    # Waits for 13:00, then 30 min: 13:30 CET = 12:30 UTC.
    AddCase(
        "from lunch",
        WARSAW_OFFICE,
        in_warsaw(2026, 1, 12, 12, 30),
        timedelta(minutes=30),
        utc(2026, 1, 12, 12, 30),
    ),
    # Counting starts at 08:00: 09:00 CET = 08:00 UTC.
    AddCase(
        "before opening", WARSAW_OFFICE, in_warsaw(2026, 1, 12, 6), hours(1), utc(2026, 1, 12, 8)
    ),
    # 13:00 + 4 h = 17:00 CET = 16:00 UTC, the end of the day, not the next morning.
    AddCase(
        "to closing", WARSAW_OFFICE, in_warsaw(2026, 1, 12, 13), hours(4), utc(2026, 1, 12, 16)
    ),
    # From 17:00 the next minute of work is Tuesday 08:00–08:01 CET: 07:01 UTC.
    AddCase(
        "from closing",
        WARSAW_OFFICE,
        in_warsaw(2026, 1, 12, 17),
        timedelta(minutes=1),
        utc(2026, 1, 13, 7, 1),
    ),
    # Fri 16 Jan 16–17 (1 h), weekend, Mon 19th 08–09 CET (1 h): 08:00 UTC.
    AddCase(
        "over a weekend", WARSAW_OFFICE, in_warsaw(2026, 1, 16, 16), hours(2), utc(2026, 1, 19, 8)
    ),
    # Zero on a Saturday at 03:00 CET: the same instant, 02:00 UTC.
    AddCase(
        "zero duration", WARSAW_OFFICE, in_warsaw(2026, 1, 17, 3), hours(0), utc(2026, 1, 17, 2)
    ),
    # Thu 30 Apr 16–17 CEST (1 h), Fri 1 May holiday, weekend, Mon 4 May 08–09 CEST: 07:00 UTC.
    AddCase(
        "over a holiday", WARSAW_OFFICE, in_warsaw(2026, 4, 30, 16), hours(2), utc(2026, 5, 4, 7)
    ),
    # Tehran, Saturday to Wednesday 08:00–16:00 at +3:30: Wed 14 Jan 15–16 (1 h), Thursday and
    # Friday off, Sat 17th 08–10 (2 h): 10:00 = 06:30 UTC.
    AddCase(
        "Tehran weekend",
        TEHRAN_OFFICE,
        local(TEHRAN, 2026, 1, 14, 15),
        hours(3),
        utc(2026, 1, 17, 6, 30),
    ),
    # Sunday 22 March, when Iran used to move to +4:30: still +3:30, so 09:00 = 05:30 UTC.
    AddCase(
        "Tehran spring",
        TEHRAN_OFFICE,
        local(TEHRAN, 2026, 3, 22, 7),
        hours(1),
        utc(2026, 3, 22, 5, 30),
    ),
    # Shanghai, Monday to Friday 09:00–18:00 at +8: Fri 6 Mar 17–18 (1 h), Mon 9th 09–10:
    # 10:00 = 02:00 UTC.
    AddCase(
        "Shanghai weekend",
        SHANGHAI_OFFICE,
        local(SHANGHAI, 2026, 3, 6, 17),
        hours(2),
        utc(2026, 3, 9, 2),
    ),
    # New York office 09:00–17:00, clocks forward on Sunday 8 March: Fri 16–17 EST (1 h),
    # Mon 09–10 EDT (1 h): 10:00 EDT = 14:00 UTC (it was 15:00 UTC the week before).
    AddCase(
        "New York office, spring",
        NEW_YORK_OFFICE,
        in_new_york(2026, 3, 6, 16),
        hours(2),
        utc(2026, 3, 9, 14),
    ),
    # New York weekend 00:00–24:00: Sat 7 Mar 00:00 EST = 05:00 UTC, 24 h to Sunday 05:00 UTC,
    # then 6 real hours of the 23-hour Sunday: 11:00 UTC (07:00 EDT).
    AddCase(
        "New York weekend, spring",
        NEW_YORK_WEEKEND,
        in_new_york(2026, 3, 7),
        hours(30),
        utc(2026, 3, 8, 11),
    ),
    # Sat 31 Oct 00:00 EDT = 04:00 UTC; the weekend lasts 49 real hours (to Monday 00:00 EST =
    # 05:00 UTC), so 48 h end at Monday 04:00 UTC, still inside it.
    AddCase(
        "New York weekend, fall",
        NEW_YORK_WEEKEND,
        in_new_york(2026, 10, 31),
        hours(48),
        utc(2026, 11, 2, 4),
    ),
    # Warsaw night shift 22:00–06:00 every day. Sat 28 Mar: 22:00 CET = 21:00 UTC to Sunday
    # 06:00 CEST = 04:00 UTC (7 h). From 23:00 CET = 22:00 UTC, 5 h: 03:00 UTC (05:00 CEST).
    AddCase(
        "night shift, spring",
        WARSAW_NIGHTS,
        in_warsaw(2026, 3, 28, 23),
        hours(5),
        utc(2026, 3, 29, 3),
    ),
    # 8 h from Saturday 22:00: that night gives 7; the next starts Sunday 22:00 CEST = 20:00 UTC,
    # so the 8th hour ends 21:00 UTC.
    AddCase(
        "night shift, spring, 8 h",
        WARSAW_NIGHTS,
        in_warsaw(2026, 3, 28, 22),
        hours(8),
        utc(2026, 3, 29, 21),
    ),
    # Sat 24 Oct 22:00 CEST = 20:00 UTC to Sunday 06:00 CET = 05:00 UTC: 9 h.
    AddCase(
        "night shift, fall",
        WARSAW_NIGHTS,
        in_warsaw(2026, 10, 24, 22),
        hours(9),
        utc(2026, 10, 25, 5),
    ),
    # Same night, 8 h: 04:00 UTC (05:00 CET), an hour before the shift ends.
    AddCase(
        "night shift, fall, 8 h",
        WARSAW_NIGHTS,
        in_warsaw(2026, 10, 24, 22),
        hours(8),
        utc(2026, 10, 25, 4),
    ),
    # 24/7: 100 h = 4 days and 4 hours.
    AddCase("24/7", UTC_ALWAYS, utc(2026, 1, 1, 10), hours(100), utc(2026, 1, 5, 14)),
    # 24/7 in Warsaw is real time: Sunday 29 Mar 01:00 CET = 00:00 UTC, + 2 h = 02:00 UTC.
    AddCase(
        "24/7 Warsaw, spring",
        WARSAW_ALWAYS,
        in_warsaw(2026, 3, 29, 1),
        hours(2),
        utc(2026, 3, 29, 2),
    ),
]


@pytest.mark.parametrize("case", ADD_CASES, ids=lambda case: case.name)
def test_add_examples(case: AddCase) -> None:
    result = add(case.calendar, case.start, case.duration)
    assert result == case.expected
    assert result.tzinfo is UTC
    assert between(case.calendar, case.start, result) == case.duration


@dataclass(frozen=True)
class BetweenCase:
    name: str
    calendar: Calendar
    start: datetime
    end: datetime
    expected: timedelta


BETWEEN_CASES = [
    # Warsaw office: 5 days × (4 h + 4 h).
    BetweenCase(
        "office week", WARSAW_OFFICE, in_warsaw(2026, 1, 12), in_warsaw(2026, 1, 19), hours(40)
    ),
    # 11:30–12:00 and 13:00–13:30.
    BetweenCase(
        "across lunch",
        WARSAW_OFFICE,
        in_warsaw(2026, 1, 12, 11, 30),
        in_warsaw(2026, 1, 12, 13, 30),
        hours(1),
    ),
    # Mon 27 Apr to Mon 4 May: Monday to Thursday only, Friday is 1 May: 4 × 8 h.
    BetweenCase(
        "week with a holiday",
        WARSAW_OFFICE,
        in_warsaw(2026, 4, 27),
        in_warsaw(2026, 5, 4),
        hours(32),
    ),
    BetweenCase(
        "backwards", WARSAW_OFFICE, in_warsaw(2026, 1, 12, 12), in_warsaw(2026, 1, 12, 9), hours(0)
    ),
    # Tehran: Thursday 15 and Friday 16 January are the weekend.
    BetweenCase(
        "Tehran weekend",
        TEHRAN_OFFICE,
        local(TEHRAN, 2026, 1, 15),
        local(TEHRAN, 2026, 1, 17),
        hours(0),
    ),
    # Sat 21 to Sat 28 March: Saturday to Wednesday × 8 h, no clock change.
    BetweenCase(
        "Tehran week",
        TEHRAN_OFFICE,
        local(TEHRAN, 2026, 3, 21),
        local(TEHRAN, 2026, 3, 28),
        hours(40),
    ),
    # Shanghai 09:00–18:00 CST = 01:00–10:00 UTC, all inside 00:00–12:00 UTC.
    BetweenCase("Shanghai day", SHANGHAI_OFFICE, utc(2026, 3, 9), utc(2026, 3, 9, 12), hours(9)),
    # 22:00 CET (21:00 UTC) to 06:00 CEST (04:00 UTC).
    BetweenCase(
        "night shift, spring",
        WARSAW_NIGHTS,
        in_warsaw(2026, 3, 28, 12),
        in_warsaw(2026, 3, 29, 12),
        hours(7),
    ),
    # 22:00 CEST (20:00 UTC) to 06:00 CET (05:00 UTC).
    BetweenCase(
        "night shift, fall",
        WARSAW_NIGHTS,
        in_warsaw(2026, 10, 24, 12),
        in_warsaw(2026, 10, 25, 12),
        hours(9),
    ),
    # Saturday 24 h + the 23-hour Sunday 8 March.
    BetweenCase(
        "New York weekend, spring",
        NEW_YORK_WEEKEND,
        in_new_york(2026, 3, 7),
        in_new_york(2026, 3, 9),
        hours(47),
    ),
    # Saturday 24 h + the 25-hour Sunday 1 November.
    BetweenCase(
        "New York weekend, fall",
        NEW_YORK_WEEKEND,
        in_new_york(2026, 10, 31),
        in_new_york(2026, 11, 2),
        hours(49),
    ),
    # Fri 27 Mar 23:00 UTC (Sat 00:00 CET) to Sun 29 Mar 22:00 UTC (Mon 00:00 CEST).
    BetweenCase(
        "24/7 Warsaw, spring",
        WARSAW_ALWAYS,
        in_warsaw(2026, 3, 28),
        in_warsaw(2026, 3, 30),
        hours(47),
    ),
    # Sunday 01:00–03:00 on 29 March: 01:00 CET = 00:00 UTC to 03:00 CEST = 01:00 UTC.
    BetweenCase(
        "01:00–03:00, spring",
        WARSAW_SUNDAY_SMALL_HOURS,
        in_warsaw(2026, 3, 29),
        in_warsaw(2026, 3, 30),
        hours(1),
    ),
    # Sunday 01:00–03:00 on 25 October: 01:00 CEST = 23:00 UTC to 03:00 CET = 02:00 UTC.
    BetweenCase(
        "01:00–03:00, fall",
        WARSAW_SUNDAY_SMALL_HOURS,
        in_warsaw(2026, 10, 25),
        in_warsaw(2026, 10, 26),
        hours(3),
    ),
    # 02:30 happens twice on 25 October; an interval ending then ends at the first one:
    # 01:00 CEST = 23:00 UTC to 02:30 CEST = 00:30 UTC.
    BetweenCase(
        "ending in the repeated hour, Warsaw",
        WARSAW_SUNDAY_INTO_REPEATED_HOUR,
        in_warsaw(2026, 10, 25),
        in_warsaw(2026, 10, 26),
        hours(1.5),
    ),
    # 00:00 EDT = 04:00 UTC to the first 01:30, EDT = 05:30 UTC.
    BetweenCase(
        "ending in the repeated hour, New York",
        NEW_YORK_SUNDAY_INTO_REPEATED_HOUR,
        in_new_york(2026, 11, 1),
        in_new_york(2026, 11, 2),
        hours(1.5),
    ),
    # 02:00–02:30 does not exist on 29 March; read with the offset before the change (+1) it
    # is 01:00–01:30 UTC (03:00–03:30 CEST). Plus 08:00–09:00: 1.5 h.
    BetweenCase(
        "interval in the gap",
        WARSAW_SUNDAY_IN_GAP,
        in_warsaw(2026, 3, 29),
        in_warsaw(2026, 3, 30),
        hours(1.5),
    ),
    # 01:00–02:30 is 00:00–01:30 UTC; 03:10–04:00 CEST is 01:10–02:00 UTC, overlapping it, so
    # it counts from 01:30: 1.5 h + 0.5 h = 2 h, all the real time from 01:00 CET to 04:00 CEST.
    BetweenCase(
        "intervals either side of the gap",
        WARSAW_SUNDAY_ACROSS_GAP,
        in_warsaw(2026, 3, 29),
        in_warsaw(2026, 3, 30),
        hours(2),
    ),
]


@pytest.mark.parametrize("case", BETWEEN_CASES, ids=lambda case: case.name)
def test_between_examples(case: BetweenCase) -> None:
    assert between(case.calendar, case.start, case.end) == case.expected


def test_overnight_shift_merges_with_the_next_morning() -> None:
    calendar = Calendar.from_spec(
        WARSAW, {"fri": [["22:00", "06:00"]], "sat": [["06:00", "10:00"], ["11:00", "12:00"]]}
    )
    periods = list(working_periods(calendar, in_warsaw(2026, 1, 16), in_warsaw(2026, 1, 18)))
    # Fri 22:00 CET to Sat 10:00 CET in one piece, then 11:00–12:00 CET.
    assert periods == [
        (utc(2026, 1, 16, 21), utc(2026, 1, 17, 9)),
        (utc(2026, 1, 17, 10), utc(2026, 1, 17, 11)),
    ]


def test_working_periods_are_clipped_to_the_window() -> None:
    periods = list(
        working_periods(WARSAW_OFFICE, in_warsaw(2026, 1, 12, 10), in_warsaw(2026, 1, 12, 14))
    )
    assert periods == [
        (utc(2026, 1, 12, 9), utc(2026, 1, 12, 11)),  # 10–12 CET
        (utc(2026, 1, 12, 12), utc(2026, 1, 12, 13)),  # 13–14 CET
    ]


def test_whole_days_of_24_7_merge_into_one_period() -> None:
    periods = list(working_periods(UTC_ALWAYS, utc(2026, 1, 1, 5), utc(2026, 1, 4, 7)))
    assert periods == [(utc(2026, 1, 1, 5), utc(2026, 1, 4, 7))]


def test_holiday_does_not_cancel_the_shift_that_started_the_evening_before() -> None:
    calendar = Calendar.from_spec(
        WARSAW,
        {"thu": [["22:00", "06:00"]], "fri": [["22:00", "06:00"]]},
        holidays=[date(2026, 5, 1)],
    )
    # Thursday night (into the Friday holiday) runs; Friday night (starting on it) does not.
    assert between(calendar, in_warsaw(2026, 4, 30), in_warsaw(2026, 5, 3)) == hours(8)


def test_no_working_time_at_all_raises() -> None:
    with pytest.raises(ValueError, match="no working hours"):
        add(Calendar.from_spec("UTC", {}), utc(2026, 1, 1), hours(1))
    assert between(Calendar.from_spec("UTC", {}), utc(2026, 1, 1), utc(2027, 1, 1)) == timedelta(0)


def test_calendar_of_holidays_only_raises_instead_of_looping() -> None:
    mondays = [date(2025, 1, 6) + timedelta(weeks=week) for week in range(52 * 30)]
    calendar = Calendar.from_spec("UTC", {"mon": [["09:00", "17:00"]]}, holidays=mondays)
    with pytest.raises(ValueError, match="no working time"):
        add(calendar, utc(2025, 1, 1), hours(1))


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="negative"):
        add(WARSAW_OFFICE, utc(2026, 1, 1), -timedelta(seconds=1))
    with pytest.raises(ValueError, match="aware"):
        add(WARSAW_OFFICE, datetime(2026, 1, 1), hours(1))
    with pytest.raises(ValueError, match="aware"):
        between(WARSAW_OFFICE, utc(2026, 1, 1), datetime(2026, 1, 2))
    with pytest.raises(ValueError, match="aware"):
        working_periods(WARSAW_OFFICE, datetime(2026, 1, 1), utc(2026, 1, 2))


def test_calendars_compare_and_hash_by_value() -> None:
    again = Calendar.from_spec(
        WARSAW,
        on("fri thu wed tue mon", ("13:00", "17:00"), ("08:00", "12:00")),
        holidays=[date(2026, 5, 1)],
    )
    assert again == WARSAW_OFFICE
    assert hash(again) == hash(WARSAW_OFFICE)
    assert again.weekly[0] == (WorkingInterval(480, 720), WorkingInterval(780, 1020))


def test_overnight_interval_may_touch_the_next_days_first_interval() -> None:
    calendar = Calendar.from_spec("UTC", {"sun": [["22:00", "06:00"]], "mon": [["06:00", "09:00"]]})
    assert calendar.weekly[6] == (WorkingInterval(22 * 60, 6 * 60),)
    assert calendar.weekly[6][0].overnight


@pytest.mark.parametrize(
    ("zone", "weekly", "holidays", "message"),
    [
        ("Mars/Olympus_Mons", {}, (), "unknown time zone 'Mars/Olympus_Mons'"),
        ("", {}, (), "IANA name"),
        ("UTC", [["08:00", "12:00"]], (), "mapping of day names"),
        ("UTC", {"monday": [["08:00", "12:00"]]}, (), "unknown day 'monday'"),
        ("UTC", {"mon": "08:00-12:00"}, (), "mon: expected a list of"),
        ("UTC", {"mon": [["08:00"]]}, (), r"mon: expected a \[start, end\] pair"),
        ("UTC", {"mon": [["08:00", "12:00", "13:00"]]}, (), "pair"),
        ("UTC", {"mon": [["8:00", "12:00"]]}, (), "expected a time as 'HH:MM', got '8:00'"),
        ("UTC", {"mon": [["08:00", 12]]}, (), "expected a time as 'HH:MM', got 12"),
        ("UTC", {"tue": [["25:00", "26:00"]]}, (), "'25:00' is not a time of day"),
        ("UTC", {"tue": [["12:60", "13:00"]]}, (), "'12:60' is not a time of day"),
        ("UTC", {"wed": [["24:00", "06:00"]]}, (), "24:00 may only end an interval"),
        ("UTC", {"wed": [["09:00", "09:00"]]}, (), "wed: .*starts and ends at the same time"),
        (
            "UTC",
            {"thu": [["08:00", "12:00"], ["11:00", "13:00"]]},
            (),
            "thu: 08:00–12:00 overlaps 11:00–13:00",
        ),
        ("UTC", {"fri": [["20:00", "02:00"], ["22:00", "23:00"]]}, (), "fri: .* overlaps"),
        (
            "UTC",
            {"mon": [["22:00", "06:00"]], "tue": [["05:00", "09:00"]]},
            (),
            "mon: overnight 22:00–06:00 runs into tue 05:00–09:00",
        ),
        (
            "UTC",
            {"sun": [["22:00", "08:00"]], "mon": [["07:00", "12:00"]]},
            (),
            "sun: overnight 22:00–08:00 runs into mon",
        ),
        (
            "UTC",
            {"mon": [["08:00", "12:00"]]},
            [datetime(2026, 1, 1, tzinfo=UTC)],
            "holidays must be dates",
        ),
    ],
)
def test_malformed_specs_raise_a_helpful_error(
    zone: str, weekly: dict[str, list[list[str]]], holidays: Sequence[date], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Calendar.from_spec(zone, weekly, holidays=holidays)


def test_working_interval_rejects_minutes_out_of_range() -> None:
    with pytest.raises(ValueError, match=r"start must be within 0\.\.1439"):
        WorkingInterval(1440, 60)
    with pytest.raises(ValueError, match=r"end must be within 0\.\.1440"):
        WorkingInterval(0, 1441)
    assert WorkingInterval.parse("22:00", "06:00") == WorkingInterval(1320, 360)


# Properties over generated calendars ---------------------------------------------------

MINUTE_MARKS = st.integers(min_value=0, max_value=24 * 4).map(lambda quarter: quarter * 15)


@st.composite
def weekly_hours(draw: st.DrawFn) -> dict[int, tuple[WorkingInterval, ...]]:
    """Random same-day intervals per weekday, then overnight ones that fit around them."""
    days: list[list[WorkingInterval]] = []
    for _ in range(7):
        marks = sorted(draw(st.sets(st.one_of(MINUTE_MARKS, st.integers(0, 1440)), max_size=6)))
        days.append([WorkingInterval(a, b) for a, b in zip(marks[::2], marks[1::2], strict=False)])
    for weekday in draw(st.sets(st.integers(0, 6), max_size=7)):
        today, tomorrow = days[weekday], days[(weekday + 1) % 7]
        earliest_start = today[-1].end if today else 1  # an overnight start is after 00:00
        latest_end = tomorrow[0].start if tomorrow else 1440
        spill_in = days[(weekday - 1) % 7]
        if spill_in and spill_in[-1].overnight:
            earliest_start = max(earliest_start, spill_in[-1].end)
        if earliest_start > 1439:
            continue
        start = draw(st.integers(earliest_start, 1439))
        end = draw(st.integers(0, min(latest_end, start - 1)))
        today.append(WorkingInterval(start, end))
    return {weekday: tuple(intervals) for weekday, intervals in enumerate(days) if intervals}


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    weekly = draw(weekly_hours())
    # Keep generated durations (up to 2000 h) within a few decades of working time.
    assume(sum(interval.minutes for day in weekly.values() for interval in day) >= 4 * 60)
    holidays = draw(
        st.frozensets(
            st.dates(min_value=date(2024, 12, 1), max_value=date(2028, 1, 31)), max_size=40
        )
    )
    return Calendar(zone=ZoneInfo(draw(st.sampled_from(ZONES))), weekly=weekly, holidays=holidays)


ZONE_INFOS = [ZoneInfo(zone) for zone in ZONES]
# Clock changes in Warsaw (01:00 UTC) and New York (07:00 / 06:00 UTC), 2025–2027.
CLOCK_CHANGES = [
    *(utc(*day, 1) for day in [(2025, 3, 30), (2025, 10, 26), (2026, 3, 29), (2026, 10, 25)]),
    *(utc(*day, 1) for day in [(2027, 3, 28), (2027, 10, 31)]),
    *(utc(*day, 7) for day in [(2025, 3, 9), (2026, 3, 8), (2027, 3, 14)]),
    *(utc(*day, 6) for day in [(2025, 11, 2), (2026, 11, 1), (2027, 11, 7)]),
]
INSTANTS = st.one_of(
    st.datetimes(
        min_value=datetime(2025, 1, 1),  # naive bounds, then a zone
        max_value=datetime(2027, 12, 31, 23, 59, 59),
        timezones=st.sampled_from(ZONE_INFOS),
    ),
    # Within two days of a clock change, where gaps and repeated hours are.
    st.builds(
        lambda change, seconds, zone: (change + timedelta(seconds=seconds)).astimezone(zone),
        st.sampled_from(CLOCK_CHANGES),
        st.integers(min_value=-2 * 86400, max_value=2 * 86400),
        st.sampled_from(ZONE_INFOS),
    ),
)
DURATIONS = st.integers(min_value=0, max_value=2000 * 3600).map(lambda s: timedelta(seconds=s))
PROPERTIES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


def is_utc(moment: datetime) -> bool:
    return moment.tzinfo is UTC


@PROPERTIES
@given(calendar=calendars(), start=INSTANTS, duration=DURATIONS)
def test_between_undoes_add(calendar: Calendar, start: datetime, duration: timedelta) -> None:
    end = add(calendar, start, duration)
    assert is_utc(end)
    assert end >= start
    assert between(calendar, start, end) == duration
    if duration:
        # The earliest such instant: a microsecond sooner, not all of it has elapsed.
        assert between(calendar, start, end - timedelta(microseconds=1)) < duration


@PROPERTIES
@given(calendar=calendars(), start=INSTANTS, durations=st.lists(DURATIONS, min_size=2, max_size=2))
def test_add_is_monotonic(calendar: Calendar, start: datetime, durations: list[timedelta]) -> None:
    shorter, longer = sorted(durations)
    assert add(calendar, start, shorter) <= add(calendar, start, longer)


@PROPERTIES
@given(calendar=calendars(), start=INSTANTS, first=DURATIONS, second=DURATIONS)
def test_add_is_additive(
    calendar: Calendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    assert add(calendar, add(calendar, start, first), second) == add(
        calendar, start, first + second
    )


@PROPERTIES
@given(calendar=calendars(), instants=st.lists(INSTANTS, min_size=3, max_size=3))
def test_between_splits_at_any_instant(calendar: Calendar, instants: list[datetime]) -> None:
    # Sorted as instants: datetimes sharing a tzinfo compare by wall clock, ignoring fold.
    a, b, c = sorted(instant.astimezone(UTC) for instant in instants)
    total = between(calendar, a, c)
    assert total == between(calendar, a, b) + between(calendar, b, c)
    assert total <= c - a
    assert between(calendar, c, a) == timedelta(0)


@PROPERTIES
@given(calendar=calendars(), instants=st.lists(INSTANTS, min_size=2, max_size=2))
def test_working_periods_are_ordered_disjoint_and_sum_to_between(
    calendar: Calendar, instants: list[datetime]
) -> None:
    a, b = sorted(instant.astimezone(UTC) for instant in instants)
    periods = list(working_periods(calendar, a, b))
    for period_start, period_end in periods:
        assert is_utc(period_start)
        assert is_utc(period_end)
        assert a <= period_start < period_end <= b
    for (_, earlier_end), (later_start, _) in pairwise(periods):
        assert earlier_end < later_start  # contiguous periods come out merged
    assert sum((end - start for start, end in periods), timedelta(0)) == between(calendar, a, b)


def minute_is_working(calendar: Calendar, moment: datetime) -> bool:
    """Oracle for zones without DST: is the minute starting at ``moment`` working time?"""
    wall = moment.astimezone(calendar.zone)
    minute = wall.hour * 60 + wall.minute
    today, yesterday = wall.date(), wall.date() - timedelta(days=1)
    if today not in calendar.holidays:
        for interval in calendar.weekly.get(today.weekday(), ()):
            if interval.start <= minute < interval.end_offset:
                return True
    if yesterday not in calendar.holidays:
        for interval in calendar.weekly.get(yesterday.weekday(), ()):
            if interval.overnight and minute < interval.end:
                return True
    return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    calendar=calendars().filter(lambda c: c.zone.key in (TEHRAN, SHANGHAI, "UTC")),
    start=st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2027, 12, 31),
        timezones=st.just(UTC),
    ).map(lambda moment: moment.replace(second=0, microsecond=0)),
    minutes=st.integers(min_value=0, max_value=3 * 1440),
)
def test_between_counts_working_minutes(calendar: Calendar, start: datetime, minutes: int) -> None:
    """Against a minute-by-minute count, in zones with a fixed offset (2025–2027)."""
    expected = sum(
        minute_is_working(calendar, start + timedelta(minutes=minute)) for minute in range(minutes)
    )
    assert between(calendar, start, start + timedelta(minutes=minutes)) == timedelta(
        minutes=expected
    )

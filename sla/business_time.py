"""Business-time arithmetic: working time between two instants, and when an amount of it ends.

A :class:`Calendar` describes working hours as local wall-clock intervals per weekday, in
one time zone, minus holidays. Business time is the *real* time that passes inside those
intervals: each local interval is turned into two real instants with ``zoneinfo``, so a
22:00–06:00 shift lasts 7 real hours on the night clocks go forward and 9 on the night
they go back. A local time that does not exist (the spring-forward gap) is read the way
``zoneinfo`` reads it (``fold=0``: the offset in force before the change), and a local
time that happens twice (the autumn overlap) means its first occurrence.

This module is pure: no Django, no database. Every function takes aware datetimes and
returns aware UTC datetimes. A calendar remembers the real periods of the local dates it
has worked out (a few thousand dates at most), so build one ``Calendar`` per calendar
version and reuse it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "WEEKDAY_NAMES",
    "Calendar",
    "WorkingInterval",
    "add",
    "between",
    "working_periods",
]

MINUTES_PER_DAY = 1440
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# add() gives up when this many consecutive local days bring no working time (~10 years),
# so a calendar whose every day is a holiday raises instead of looping forever.
_SEARCH_LIMIT_DAYS = 3660
# Periods are generated from a couple of local days before the first instant asked about:
# an overnight interval that started the day before may still be running, and the clamp
# applied after a spring-forward gap (see _periods) must have seen the intervals before.
_LOOKBEHIND_DAYS = 2
# An interval may end the day after it starts; keep datetime arithmetic below year 10000.
_LAST_ORDINAL = date.max.toordinal() - 2

# Dates whose periods a calendar remembers; past this the memo starts afresh (~8 years).
_DAY_CACHE_SIZE = 3000

_ZERO = timedelta(0)
# Internally instants are naive UTC datetimes, converted at the edges by way of these
# epochs: ``datetime.replace(tzinfo=...)`` would cost more than a day's arithmetic.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_TIME = re.compile(r"([0-9]{2}):([0-9]{2})")

# Per weekday (Monday = 0): (start, end) of each interval as offsets from local midnight
# of the day the interval starts; end may be past midnight for an overnight interval.
_DayOffsets = tuple[tuple[timedelta, timedelta], ...]
# Per local date: the real (naive UTC) start and end of each interval starting that day.
_DayPeriods = tuple[tuple[datetime, datetime], ...]


def _format_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_time(text: object, *, allow_24: bool, where: str) -> int:
    if not isinstance(text, str):
        raise ValueError(f"{where}: expected a time as 'HH:MM', got {text!r}")
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"{where}: expected a time as 'HH:MM', got {text!r}")
    hours, minutes = int(match[1]), int(match[2])
    if hours == 24 and minutes == 0:
        if allow_24:
            return MINUTES_PER_DAY
        raise ValueError(f"{where}: 24:00 may only end an interval, not start one")
    if hours > 23 or minutes > 59:
        raise ValueError(f"{where}: {text!r} is not a time of day (00:00 to 23:59)")
    return hours * 60 + minutes


@dataclass(frozen=True, order=True, slots=True)
class WorkingInterval:
    """Working hours within one local day, in minutes from local midnight.

    ``end <= start`` is an overnight interval that ends on the next day (22:00–06:00);
    ``WorkingInterval(0, 1440)`` is the whole day.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        for name, value, highest in (
            ("start", self.start, MINUTES_PER_DAY - 1),
            ("end", self.end, MINUTES_PER_DAY),
        ):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"interval {name} must be whole minutes, got {value!r}")
            if not 0 <= value <= highest:
                raise ValueError(f"interval {name} must be within 0..{highest}, got {value}")
        if self.start == self.end:
            # Either empty or 24 hours long; neither reading is safe to guess.
            raise ValueError(
                f"interval {self} starts and ends at the same time; for a whole day use 00:00–24:00"
            )

    @classmethod
    def parse(cls, start: str, end: str) -> WorkingInterval:
        """``WorkingInterval.parse("22:00", "06:00")``; "24:00" is allowed as an end."""
        where = f"interval {start!r}–{end!r}"
        return cls(
            _parse_time(start, allow_24=False, where=where),
            _parse_time(end, allow_24=True, where=where),
        )

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    @property
    def end_offset(self) -> int:
        """Minutes from local midnight of the starting day to the end (may exceed 1440)."""
        return self.end + MINUTES_PER_DAY if self.overnight else self.end

    @property
    def minutes(self) -> int:
        """Length on the wall clock (real length differs on days the clocks change)."""
        return self.end_offset - self.start

    def __str__(self) -> str:
        return f"{_format_minutes(self.start)}–{_format_minutes(self.end)}"


@dataclass(frozen=True)
class Calendar:
    """Weekly working hours in one time zone, minus holidays.

    ``weekly`` maps weekday (Monday = 0) to that day's intervals; missing days have none.
    ``holidays`` are local dates on which the intervals that *start* that day do not
    happen (an overnight shift that began the evening before still runs to its end).
    """

    zone: ZoneInfo
    weekly: dict[int, tuple[WorkingInterval, ...]]
    holidays: frozenset[date] = frozenset()
    _days: tuple[_DayOffsets, ...] = field(init=False, repr=False, compare=False)
    _holiday_ordinals: frozenset[int] = field(init=False, repr=False, compare=False)
    _day_cache: dict[int, _DayPeriods] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.zone, ZoneInfo):
            raise ValueError(f"zone must be a zoneinfo.ZoneInfo, got {self.zone!r}")
        weekly: dict[int, tuple[WorkingInterval, ...]] = {}
        for weekday, intervals in self.weekly.items():
            if isinstance(weekday, bool) or weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
            if not all(isinstance(interval, WorkingInterval) for interval in intervals):
                raise ValueError(f"{WEEKDAY_NAMES[weekday]}: intervals must be WorkingIntervals")
            if intervals:
                weekly[weekday] = tuple(sorted(intervals))
        weekly = dict(sorted(weekly.items()))
        _check_overlaps(weekly)
        holidays = frozenset(self.holidays)
        for holiday in holidays:
            if isinstance(holiday, datetime) or not isinstance(holiday, date):
                raise ValueError(f"holidays must be dates, got {holiday!r}")
        # Copies, so that mutating the caller's dict cannot desynchronise the cache below.
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "holidays", holidays)
        days = tuple(
            tuple(
                (timedelta(minutes=interval.start), timedelta(minutes=interval.end_offset))
                for interval in weekly.get(weekday, ())
            )
            for weekday in range(7)
        )
        object.__setattr__(self, "_days", days)
        object.__setattr__(self, "_holiday_ordinals", frozenset(d.toordinal() for d in holidays))
        object.__setattr__(self, "_day_cache", {})

    def __hash__(self) -> int:
        return hash((self.zone, tuple(self.weekly.items()), self.holidays))

    @classmethod
    def from_spec(
        cls,
        zone_name: str,
        weekly: Mapping[str, Sequence[Sequence[str]]],
        holidays: Iterable[date] = (),
    ) -> Calendar:
        """Build a calendar from JSON-like data.

        ``Calendar.from_spec("Europe/Warsaw", {"mon": [["08:00", "12:00"], ["13:00",
        "17:00"]], "sat": [["22:00", "06:00"]]}, holidays=[date(2026, 5, 1)])``.
        Raises ValueError, naming the day and interval, for anything malformed.
        """
        zone = _zone(zone_name)
        if not isinstance(weekly, Mapping):
            raise ValueError(f"weekly hours must be a mapping of day names, got {weekly!r}")
        parsed: dict[int, tuple[WorkingInterval, ...]] = {}
        for day_name, pairs in weekly.items():
            if day_name not in WEEKDAY_NAMES:
                raise ValueError(
                    f"unknown day {day_name!r}; expected one of {', '.join(WEEKDAY_NAMES)}"
                )
            if isinstance(pairs, str) or not isinstance(pairs, Sequence):
                raise ValueError(
                    f"{day_name}: expected a list of [start, end] pairs, got {pairs!r}"
                )
            intervals = []
            for pair in pairs:
                if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
                    raise ValueError(
                        f"{day_name}: expected a [start, end] pair such as "
                        f"['08:00', '17:00'], got {pair!r}"
                    )
                where = f"{day_name} {pair[0]!r}–{pair[1]!r}"
                start = _parse_time(pair[0], allow_24=False, where=where)
                end = _parse_time(pair[1], allow_24=True, where=where)
                try:
                    intervals.append(WorkingInterval(start, end))
                except ValueError as error:
                    raise ValueError(f"{day_name}: {error}") from None
            parsed[WEEKDAY_NAMES.index(day_name)] = tuple(intervals)
        return cls(zone=zone, weekly=parsed, holidays=frozenset(holidays))

    @classmethod
    def always(cls, zone_name: str = "UTC") -> Calendar:
        """Around the clock, every day (24/7)."""
        whole_day = (WorkingInterval(0, MINUTES_PER_DAY),)
        return cls(zone=_zone(zone_name), weekly=dict.fromkeys(range(7), whole_day))

    @property
    def has_working_time(self) -> bool:
        """False when no weekday has any interval (holidays are not considered)."""
        return any(self._days)


def _zone(zone_name: str) -> ZoneInfo:
    if not isinstance(zone_name, str) or not zone_name:
        raise ValueError(f"time zone must be an IANA name like 'Europe/Warsaw', got {zone_name!r}")
    try:
        return ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {zone_name!r}") from None


def _check_overlaps(weekly: Mapping[int, tuple[WorkingInterval, ...]]) -> None:
    """Intervals are sorted per day; overnight ones may run into, not over, the next day's."""
    for weekday, intervals in weekly.items():
        day = WEEKDAY_NAMES[weekday]
        for earlier, later in pairwise(intervals):
            if later.start < earlier.end_offset:
                raise ValueError(f"{day}: {earlier} overlaps {later}")
        last = intervals[-1]
        following = weekly.get((weekday + 1) % 7, ())
        if last.overnight and following and following[0].start < last.end:
            next_day = WEEKDAY_NAMES[(weekday + 1) % 7]
            raise ValueError(
                f"{day}: overnight {last} runs into {next_day} {following[0]}, "
                f"which starts before {_format_minutes(last.end)}"
            )


def _utc_naive(moment: datetime, name: str) -> datetime:
    try:
        return _NAIVE_EPOCH + (moment - _EPOCH)
    except TypeError:
        raise ValueError(f"{name} must be an aware datetime, got {moment!r}") from None


def _aware(utc_naive: datetime) -> datetime:
    return _EPOCH + (utc_naive - _NAIVE_EPOCH)


def _local_ordinal(calendar: Calendar, moment: datetime) -> int:
    """Ordinal of the local date of an aware ``moment`` in the calendar's zone."""
    return moment.astimezone(calendar.zone).toordinal()


def _day_periods(calendar: Calendar, ordinal: int) -> _DayPeriods:
    """Real start and end of each interval starting on a local date (maybe end < start)."""
    intervals = calendar._days[(ordinal - 1) % 7]  # ordinal 1 (0001-01-01) is a Monday
    if not intervals or ordinal in calendar._holiday_ordinals:
        return ()
    # ZoneInfo.utcoffset reads a datetime's wall-clock fields and fold (0 here); it returns
    # None only when given None.
    utcoffset = cast("Callable[[datetime], timedelta]", calendar.zone.utcoffset)
    midnight = datetime.fromordinal(ordinal)
    periods = []
    for start_offset, end_offset in intervals:
        local_start = midnight + start_offset
        local_end = midnight + end_offset
        periods.append((local_start - utcoffset(local_start), local_end - utcoffset(local_end)))
    return tuple(periods)


def _periods(
    calendar: Calendar, first_ordinal: int, last_ordinal: int | None
) -> Iterator[tuple[datetime, datetime]]:
    """Working periods as naive UTC datetimes, in order, never overlapping.

    Covers the intervals that start on local dates from ``first_ordinal`` to
    ``last_ordinal``; with ``last_ordinal=None`` it runs on and raises ValueError once
    ~10 years pass without working time. Consecutive periods may touch (not merged here).
    """
    unbounded = last_ordinal is None
    if unbounded and not any(calendar._days):
        raise ValueError("the calendar has no working hours on any day of the week")
    last = _LAST_ORDINAL if last_ordinal is None else min(last_ordinal, _LAST_ORDINAL)
    cache = calendar._day_cache
    # Local time mapped to UTC with fold=0 is not monotonic across a spring-forward gap:
    # 02:30 (in the gap) maps an hour later than 03:10. Clamping every period to start no
    # earlier than the previous one ended keeps periods ordered and disjoint; an interval
    # that ends just after the gap (02:30–03:00) would end before it starts and is skipped.
    high_water = datetime.min
    ordinal = max(first_ordinal, 1)
    last_working = ordinal
    while ordinal <= last:
        periods = cache.get(ordinal)
        if periods is None:
            periods = _day_periods(calendar, ordinal)
            if len(cache) >= _DAY_CACHE_SIZE:
                cache.clear()
            cache[ordinal] = periods
        for start, end in periods:
            if start < high_water:
                start = high_water
            if end > start:
                high_water = end
                last_working = ordinal
                yield start, end
        if unbounded and ordinal - last_working > _SEARCH_LIMIT_DAYS:
            raise ValueError(
                "the calendar has no working time in the ~10 years after "
                f"{date.fromordinal(last_working)} (is every working day a holiday?)"
            )
        ordinal += 1
    if unbounded:
        raise ValueError("working time runs past the largest supported date")


def working_periods(
    calendar: Calendar, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The working periods intersecting [start, end), clipped to it, as aware UTC pairs.

    In order; contiguous periods (22:00–24:00 then 00:00–06:00) come out merged.
    Arguments are checked at the call, not at the first ``next()``.
    """
    window_start = _utc_naive(start, "start")
    window_end = _utc_naive(end, "end")
    if window_end <= window_start:
        return iter(())
    periods = _periods(
        calendar,
        _local_ordinal(calendar, start) - _LOOKBEHIND_DAYS,
        _local_ordinal(calendar, end) + _LOOKBEHIND_DAYS,
    )
    return _merged_within(periods, window_start, window_end)


def _merged_within(
    periods: Iterator[tuple[datetime, datetime]], window_start: datetime, window_end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    pending: tuple[datetime, datetime] | None = None
    for period_start, period_end in periods:
        if period_start >= window_end:
            break
        if period_end <= window_start:
            continue
        clipped = (max(period_start, window_start), min(period_end, window_end))
        if pending is None:
            pending = clipped
        elif clipped[0] == pending[1]:
            pending = (pending[0], clipped[1])
        else:
            yield _aware(pending[0]), _aware(pending[1])
            pending = clipped
    if pending is not None:
        yield _aware(pending[0]), _aware(pending[1])


def add(calendar: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The instant at which ``duration`` of working time has elapsed after ``start``.

    A zero duration returns ``start`` itself (in UTC), even outside working hours; a
    positive one that runs out exactly at the end of a period returns that end.
    """
    moment = _utc_naive(start, "start")
    if not isinstance(duration, timedelta):
        raise ValueError(f"duration must be a timedelta, got {duration!r}")
    if duration < _ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")
    if duration == _ZERO:
        return _aware(moment)
    remaining = duration
    first_ordinal = _local_ordinal(calendar, start) - _LOOKBEHIND_DAYS
    for period_start, period_end in _periods(calendar, first_ordinal, None):
        if period_end <= moment:
            continue
        begin = period_start if period_start > moment else moment
        available = period_end - begin
        if remaining <= available:
            return _aware(begin + remaining)
        remaining -= available
    raise AssertionError("unreachable: _periods without a last date never stops quietly")


def between(calendar: Calendar, a: datetime, b: datetime) -> timedelta:
    """Working time in [a, b); zero when ``b <= a``."""
    window_start = _utc_naive(a, "a")
    window_end = _utc_naive(b, "b")
    total = _ZERO
    if window_end <= window_start:
        return total
    for period_start, period_end in _periods(
        calendar,
        _local_ordinal(calendar, a) - _LOOKBEHIND_DAYS,
        _local_ordinal(calendar, b) + _LOOKBEHIND_DAYS,
    ):
        if period_start >= window_end:
            break
        if period_end <= window_start:
            continue
        # Comparisons rather than min()/max(): this loop is the whole cost of a long window.
        if period_start < window_start:
            period_start = window_start
        if period_end > window_end:
            period_end = window_end
        total += period_end - period_start
    return total

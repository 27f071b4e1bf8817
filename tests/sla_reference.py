"""A deliberately simple reference for service-time arithmetic, for the differential tests.

It shares no code with ``oncall.sla``. Time is a whole number of UTC epoch
minutes. Everything is brute force:

* A wall time is mapped to an instant by reading the local clock of every
  minute of an era in turn: the instant of a wall time is the first minute at
  which the clock reads that wall time or later (the engine's documented rule:
  a time skipped by a daylight-saving jump opens at the jump, a time that occurs
  twice opens at its first occurrence).
* A minute is in service when some interval of the schedule, opened on some
  local date, opens at or before it and closes after it.
* ``add`` counts the service minutes run by run (``add_by_walking``, its check,
  one minute at a time); ``between`` counts the service minutes one by one.
* The local clock is read at every whole hour, and minute by minute in an hour
  whose UTC offset changes (``local_minutes``; a test checks it against reading
  every minute).

The working-day calendar of China is typed in from the State Council's notices
for 2025 and 2026 (国务院办公厅关于节假日安排的通知), not read from the
``holidays`` package, so it also checks how the engine reads that package.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import compress, count, islice
from zoneinfo import ZoneInfo

MINUTE = 60
_NAIVE_EPOCH = datetime(1970, 1, 1)


def _days(first: str, last: str) -> set[date]:
    day, end = date.fromisoformat(first), date.fromisoformat(last)
    out = set()
    while day <= end:
        out.add(day)
        day += timedelta(days=1)
    return out


# Days off (public holidays and the days off around them), from the official notices.
CN_OFF: frozenset[date] = frozenset(
    # 2025
    _days("2025-01-01", "2025-01-01")  # 元旦
    | _days("2025-01-28", "2025-02-04")  # 春节
    | _days("2025-04-04", "2025-04-06")  # 清明节
    | _days("2025-05-01", "2025-05-05")  # 劳动节
    | _days("2025-05-31", "2025-06-02")  # 端午节
    | _days("2025-10-01", "2025-10-08")  # 国庆节、中秋节
    # 2026
    | _days("2026-01-01", "2026-01-03")  # 元旦
    | _days("2026-02-15", "2026-02-23")  # 春节
    | _days("2026-04-04", "2026-04-06")  # 清明节
    | _days("2026-05-01", "2026-05-05")  # 劳动节
    | _days("2026-06-19", "2026-06-21")  # 端午节
    | _days("2026-09-25", "2026-09-27")  # 中秋节
    | _days("2026-10-01", "2026-10-07")  # 国庆节
)
# Weekend days that are working days (调休), from the same notices.
CN_MAKEUP: frozenset[date] = frozenset(
    date.fromisoformat(d)
    for d in (
        "2025-01-26",
        "2025-02-08",
        "2025-04-27",
        "2025-09-28",
        "2025-10-11",
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    )
)
CN_YEARS = (2025, 2026)


@dataclass(frozen=True)
class RefCalendar:
    """Which dates are worked: explicit dates first, then China's official schedule."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    china: bool = False
    weekend: frozenset[int] = frozenset()  # China's is Saturday and Sunday (set by the caller)

    def working(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if self.china:
            if day.year not in CN_YEARS:
                raise LookupError(f"the reference knows China's calendar only for {CN_YEARS}")
            if day in CN_MAKEUP:
                return True
            if day in CN_OFF:
                return False
        return day.weekday() not in self.weekend


@dataclass(frozen=True)
class RefSchedule:
    """A weekly schedule: for each weekday (Monday first), (open, close) in minutes of the day.

    ``close`` may pass 1440 (24:00) for an interval that runs past midnight.
    With a calendar only working days have hours; a worked weekend day with no
    hours of its own keeps the hours of weekday ``makeup_as``. A calendar without a
    country has no weekend unless it names one.
    """

    days: tuple[tuple[tuple[int, int], ...], ...]
    calendar: RefCalendar | None = None
    makeup_as: int = 0

    def hours(self, day: date) -> tuple[tuple[int, int], ...]:
        own = self.days[day.weekday()]
        if self.calendar is None:
            return own
        if not self.calendar.working(day):
            return ()
        if day.weekday() in self.calendar.weekend and not own:
            return self.days[self.makeup_as]
        return own


def local_minutes(zone: str, lo: int, hi: int) -> list[int]:
    """The local clock (naive wall minutes since 1970-01-01 00:00) at each epoch minute.

    Read at every whole hour, and at every minute of an hour whose two ends differ
    in UTC offset (the clock changed inside it); in an hour whose ends agree the clock
    reads one more minute each minute. This assumes no hour holds two changes that
    cancel out, true of every zone in the tz database; ``local_minutes_every_minute``
    reads each minute, and a test checks that both agree over the eras.
    """
    tz = ZoneInfo(zone)

    def offset(t: int) -> int:  # local minus UTC, in minutes
        return _reading(tz, t) - t

    out: list[int] = []
    for hour in range(lo - lo % 60, hi, 60):
        start, stop = max(hour, lo), min(hour + 60, hi)
        if offset(hour) == offset(hour + 60):
            shift = offset(hour)
            out.extend(t + shift for t in range(start, stop))
        else:
            out.extend(_reading(tz, t) for t in range(start, stop))
    return out


def local_minutes_every_minute(zone: str, lo: int, hi: int) -> list[int]:
    """``local_minutes`` read minute by minute (slow: the check of the hourly reading)."""
    tz = ZoneInfo(zone)
    return [_reading(tz, t) for t in range(lo, hi)]


def _reading(tz: ZoneInfo, t: int) -> int:
    wall = datetime.fromtimestamp(t * MINUTE, tz).replace(tzinfo=None)
    return (wall - _NAIVE_EPOCH) // timedelta(minutes=1)


def wall_minute(day: date, minute_of_day: int = 0) -> int:
    """A wall time (date plus minutes, possibly past 24:00) as naive minutes since 1970."""
    return (day - _NAIVE_EPOCH.date()).days * 1440 + minute_of_day


@dataclass
class Era:
    """A stretch of local dates in one zone, with every minute's clock reading."""

    zone: str
    first: date
    last: date
    lo: int = 0  # epoch minutes [lo, hi) cover every instant of the local dates
    hi: int = 0
    clock: list[int] = field(default_factory=list, repr=False)
    first_reading: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # No zone is more than 14 hours off UTC: these minutes hold every
        # instant whose local date lies in [first, last].
        self.lo = wall_minute(self.first) - 15 * 60
        self.hi = wall_minute(self.last + timedelta(days=1)) + 15 * 60
        self.clock = local_minutes(self.zone, self.lo, self.hi)
        # The first minute at which the clock reads each wall time or later: the
        # clock's readings are walked in order; a wall time not reached before is
        # reached now if the clock reads it or later.
        reached = self.clock[0]
        for i, reading in enumerate(self.clock):
            while reached < reading:
                reached += 1
                self.first_reading[reached] = self.lo + i

    def instant(self, day: date, minute_of_day: int) -> int:
        """The epoch minute at which ``day`` + ``minute_of_day`` opens (see module doc)."""
        return self.first_reading[wall_minute(day, minute_of_day)]

    def local_date(self, t: int) -> date:
        return _NAIVE_EPOCH.date() + timedelta(days=self.clock[t - self.lo] // 1440)


@cache
def era(zone: str, first: date, last: date) -> Era:
    return Era(zone, first, last)


class Reference:
    """Service time of one schedule over one era, decided minute by minute.

    Answers are valid from the start of local date ``first + 2`` to the start of
    ``last - 2`` (every interval that can touch those minutes opened on a date of
    the era); asking outside raises LookupError.
    """

    def __init__(self, schedule: RefSchedule, where: Era) -> None:
        self.schedule = schedule
        self.era = where
        self.lo, self.hi = where.lo, where.hi
        # The intervals (epoch minutes, [open, close)) opened on each date of the era.
        self.intervals: dict[date, list[tuple[int, int]]] = {}
        day = where.first
        while day <= where.last - timedelta(days=2):  # spans close before day + 48:00
            self.intervals[day] = [
                (where.instant(day, o), where.instant(day, c)) for o, c in schedule.hours(day)
            ]
            day += timedelta(days=1)
        self.valid_lo = where.instant(where.first + timedelta(days=2), 0)
        self.valid_hi = where.instant(where.last - timedelta(days=2), 0)
        # Each minute in service or not, painted interval by interval.
        self.service = bytearray(self.hi - self.lo)
        for spans in self.intervals.values():
            for open_m, close_m in spans:
                if close_m > open_m:
                    self.service[open_m - self.lo : close_m - self.lo] = b"\x01" * (
                        close_m - open_m
                    )

    def in_service(self, t: int) -> bool:
        """The same question asked directly: does an interval of the minute's date
        or of the day before contain it?"""
        local = self.era.local_date(t)
        for day in (local, local - timedelta(days=1)):
            for open_m, close_m in self.intervals[day]:
                if open_m <= t < close_m:
                    return True
        return False

    def _check(self, *minutes: int) -> None:
        for t in minutes:
            if not self.valid_lo <= t <= self.valid_hi:
                raise LookupError(f"minute {t} lies outside the reference's era")

    def add(self, start: int, minutes: int) -> int:
        """The first minute boundary by which ``minutes`` service minutes have passed:
        the end of the ``minutes``-th service minute counted from ``start``."""
        self._check(start)
        if minutes == 0:
            return start
        # Hops from one run of painted minutes to the next, counting each run's minutes.
        left, pos, end = minutes, start - self.lo, self.valid_hi - self.lo
        while True:
            run = self.service.find(1, pos, end)
            if run < 0:
                raise LookupError(f"fewer than {minutes} service minutes after {start} in the era")
            stop = self.service.find(0, run, end)
            stop = end if stop < 0 else stop
            if stop - run >= left:
                return self.lo + run + left
            left -= stop - run
            pos = stop

    def add_by_walking(self, start: int, minutes: int) -> int:
        """``add`` by walking the minutes one by one (slow: the check of ``add``)."""
        self._check(start)
        if minutes == 0:
            return start
        window = self.service[start - self.lo : self.valid_hi - self.lo]
        service_minutes = compress(count(start), window)
        nth = next(islice(service_minutes, minutes - 1, None), None)
        if nth is None:
            raise LookupError(f"fewer than {minutes} service minutes after {start} in the era")
        return nth + 1

    def between(self, start: int, end: int) -> int:
        """Service minutes in [start, end)."""
        self._check(start, end)
        return self.service[start - self.lo : end - self.lo].count(1)

    def next_opening(self, start: int) -> int | None:
        """The first service minute at or after ``start`` (None past the era)."""
        self._check(start)
        found = self.service.find(1, start - self.lo, self.valid_hi - self.lo)
        return None if found < 0 else found + self.lo

    def available(self, start: int) -> int:
        """Service minutes from ``start`` to the end of the valid range."""
        return self.between(start, self.valid_hi)

    def boundaries(self) -> Iterable[int]:
        """Every opening and closing minute inside the valid range."""
        for spans in self.intervals.values():
            for open_m, close_m in spans:
                for t in (open_m, close_m):
                    if self.valid_lo <= t <= self.valid_hi:
                        yield t


def epoch_minute(at: datetime) -> int:
    seconds = int(at.timestamp())
    assert seconds % MINUTE == 0, at
    return seconds // MINUTE


def from_minute(t: int) -> datetime:
    return datetime.fromtimestamp(t * MINUTE, UTC)

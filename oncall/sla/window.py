"""Service windows and arithmetic in service time.

A service window is a weekly schedule (per weekday, zero or more intervals of
wall-clock time) in an IANA time zone, optionally bound to a working-day
calendar. Conventions, the same everywhere in the engine:

* an interval includes its opening instant and excludes its closing instant;
* a clock started outside service hours counts from the next opening;
* a duration that runs out exactly at a closing instant is due at that close;
* an interval may run past midnight (``22:00-02:00``) and belongs to the day it
  opens on; ``24:00`` is the end of a day;
* a wall time is mapped to the first instant at which the local clock reads it
  or later: a time skipped by a daylight-saving jump opens at the jump, a time
  that occurs twice opens at its first occurrence. Service time is real elapsed
  time between those instants.

The arithmetic is closed-form: the window's intervals are laid out once per year
as epoch seconds with a running sum of service seconds, so ``add`` and
``between`` are two binary searches, whatever the holidays in between. Years
between the two ends count whole, by totals computed without laying them out,
so a span of decades costs about what a span of days does.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from calendar import isleap
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from .calendar import DayKind, WorkingCalendar

DAY = 86_400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
# A window with no service for this many years in a row is a broken policy.
_MAX_EMPTY_YEARS = 5
# How far ``add`` looks ahead: 10 years of service time (the longest duration the
# desk serves, see served.py) on a window open 8 hours on 5 days a week take 44.
MAX_SPAN_YEARS = 100
# The years the engine computes at all (a policy serves a narrower range: served.py).
ENGINE_YEARS = (1900, 9000)


def parse_span(text: str) -> tuple[int, int]:
    """``"09:00-17:00"`` -> seconds of the day (opening, closing); closing may pass 24h."""
    m = _SPAN.match(text)
    if not m:
        raise ValueError(f"{text!r} is not an interval like 09:00-17:00")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
        raise ValueError(f"{text!r} has a time out of range (00:00 to 24:00)")
    start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    if end == start:
        raise ValueError(f"{text!r} is empty (opens and closes at the same time)")
    if end < start:  # runs past midnight into the next day
        end += DAY
    return start, end


def wall_to_epoch(tz: tzinfo, day: date, seconds: int) -> int:
    """First instant (epoch seconds) at which the local clock on ``day`` reads ``seconds``."""
    naive = datetime.combine(day, time()) + timedelta(seconds=seconds)
    early = int(naive.replace(tzinfo=tz, fold=0).timestamp())
    if datetime.fromtimestamp(early, tz).replace(tzinfo=None) == naive:
        return early  # exists (fold=0 is the first of two readings in an overlap)
    # Skipped by a forward jump: the answer is the jump itself, which lies
    # between the two readings Python offers. Bisect on "local clock >= naive".
    low, high = sorted((early, int(naive.replace(tzinfo=tz, fold=1).timestamp())))
    while low < high:
        mid = (low + high) // 2
        if datetime.fromtimestamp(mid, tz).replace(tzinfo=None) >= naive:
            high = mid
        else:
            low = mid + 1
    return low


def to_epoch(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("service-time arithmetic needs aware datetimes")
    return int(at.timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class _Year:
    """The merged service intervals of one local year, clipped to it, as epoch seconds.

    The year runs from the instant its Jan 1 00:00 opens (``begin``) to the
    next year's (``end``); an interval that runs past New Year is split there.
    """

    begin: int
    end: int
    starts: list[int]
    ends: list[int]
    cum_start: list[int]  # service seconds of the year before each interval
    cum_end: list[int]

    @property
    def total(self) -> int:
        return self.cum_end[-1] if self.cum_end else 0

    def cumulative(self, t: int) -> int:
        """Service seconds from the start of the year to epoch ``t`` (inside the year)."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.cum_start[i] + min(t - self.starts[i], self.ends[i] - self.starts[i])

    def at(self, used: int) -> int:
        """The instant at which ``used`` (0 < used <= total) service seconds of the year passed."""
        # bisect_left: a duration that runs out exactly at a close is due at that close.
        j = bisect_left(self.cum_end, used)
        return self.starts[j] + (used - self.cum_start[j])


def _weekday_counts(year: int) -> list[int]:
    """How many Mondays, Tuesdays … Sundays ``year`` has (52 each, plus one or two)."""
    counts = [52] * 7
    first = date(year, 1, 1).weekday()
    for extra in range((366 if isleap(year) else 365) - 364):
        counts[(first + extra) % 7] += 1
    return counts


@lru_cache(maxsize=512)
def _local_midnight(tz: tzinfo, day: date) -> int:
    """Epoch seconds of ``day``'s local midnight, on a day the offset does not change."""
    midnight = datetime.combine(day, time())
    offset = tz.utcoffset(midnight) or timedelta(0)
    return int((midnight - offset).replace(tzinfo=UTC).timestamp())


def _offset_change_days(tz: tzinfo, year: int) -> frozenset[date]:
    """Dates of ``year`` whose next 48 hours may see the zone's UTC offset change.

    Only these dates' intervals can last more or less real time than wall time.
    The offset is sampled weekly and the weeks where it differs are looked at day
    by day (an offset that changes and changes back within a week is missed:
    no zone does that).
    """
    first = date(year, 1, 1) - timedelta(days=7)

    def offset(day: date):
        return tz.utcoffset(datetime.combine(day, time()))

    marked: set[date] = set()
    week, before = first, offset(first)
    while week.year <= year:
        after = offset(week + timedelta(days=7))
        if after != before:
            marked.update(week + timedelta(days=i) for i in range(-2, 8))
        week, before = week + timedelta(days=7), after
    return frozenset(d for d in marked if d.year == year)


@dataclass(eq=False)
class ServiceWindow:
    """A named weekly schedule in a time zone, optionally bound to a calendar.

    ``always`` windows (7×24) are native: every instant is service time, with no
    intervals and no midnight seam.
    """

    name: str
    tz: ZoneInfo
    days: tuple[tuple[tuple[int, int], ...], ...] = ((),) * 7  # per weekday, Monday first
    calendar: WorkingCalendar | None = None
    makeup_as: int = 0  # the weekday whose hours a make-up working day keeps
    always: bool = False
    description: str = ""
    _days_overlap = False  # set in __post_init__ (not a field)
    # Years laid out (each added whole, so threads never see half of one), year
    # totals and year boundaries, made on first use.
    _years: dict[int, _Year] = field(default_factory=dict, repr=False)
    _totals: dict[int, int] = field(default_factory=dict, repr=False)
    _bounds: dict[int, int] = field(default_factory=dict, repr=False)
    years_built: int = field(default=0, repr=False)  # years laid out so far (a cost measure)
    # The last year an instant fell in, as (its first second, the next year's, the year):
    # nearly every instant asked about is in the same year as the one before.
    _last_year: tuple[int, int, int] = field(default=(0, 0, 0), repr=False)

    def __post_init__(self) -> None:
        if self.always:
            return
        if not any(self.days):
            raise ValueError(f"window {self.name!r} has no service hours on any day")
        # The index merges each day's spans in order: keep them sorted whatever the caller gave.
        self.days = tuple(tuple(sorted(spans)) for spans in self.days)
        for weekday, spans in enumerate(self.days):
            ordered = spans
            for (_, end), (start, _) in zip(ordered, ordered[1:], strict=False):
                if start < end:
                    raise ValueError(
                        f"window {self.name!r}: overlapping intervals on {WEEKDAYS[weekday]}"
                    )
        # Can a day's interval past midnight overlap the next day's? Then a year's
        # total is counted from its laid-out intervals, not in closed form.
        spans = [span for day in self.days for span in day]
        self._days_overlap = max(e for _, e in spans) - DAY > min(s for s, _ in spans)

    # -- the schedule of one date -------------------------------------------------

    def spans_on(self, day: date) -> tuple[tuple[int, int], ...]:
        """Intervals (seconds of the day) that open on ``day``."""
        if self.always:
            return ((0, DAY),)
        if self.calendar is None:
            return self.days[day.weekday()]
        kind = self.calendar.day_kind(day)
        if kind is DayKind.OFF:
            return ()
        if kind is DayKind.MAKEUP and not self.days[day.weekday()]:
            return self.days[self.makeup_as]
        return self.days[day.weekday()]

    def is_open(self, at: datetime) -> bool:
        if self.always:
            return True
        t = to_epoch(at)
        year = self._year(self._year_of(t))
        i = bisect_right(year.starts, t) - 1
        return i >= 0 and t < year.ends[i]

    # -- the years ---------------------------------------------------------------------
    # Service time is kept per local year: a year's intervals are laid out once,
    # when an instant in it is asked about, and a year in between two instants
    # counts only by its total, which is closed-form for a window whose days do
    # not overlap (whole weeks from the weekday counts, corrected on the special
    # days of its calendar and the days the zone changes its offset).

    def _bound(self, year: int) -> int:
        """The instant the local year ``year`` begins (its Jan 1 00:00)."""
        bound = self._bounds.get(year)
        if bound is None:
            bound = self._bounds[year] = wall_to_epoch(self.tz, date(year, 1, 1), 0)
        return bound

    def _year_of(self, t: int) -> int:
        begin, end, year = self._last_year
        if begin <= t < end:
            return year
        year = self._find_year(t)
        self._last_year = (self._bound(year), self._bound(year + 1), year)
        return year

    def _find_year(self, t: int) -> int:
        low, high = ENGINE_YEARS
        if not self._bound(low) <= t < self._bound(high):
            raise ValueError(
                f"an instant outside the years {low}-{high - 1} the SLA engine computes"
            )
        year = datetime.fromtimestamp(t, self.tz).year
        if t < self._bound(year):
            return year - 1
        if t >= self._bound(year + 1):
            return year + 1
        return year

    def _year(self, year: int) -> _Year:
        """The year's intervals, laid out on first use."""
        built = self._years.get(year)
        if built is not None:
            return built
        begin, end = self._bound(year), self._bound(year + 1)
        spans: list[list[int]] = []
        day = date(year - 1, 12, 31)  # last year's Dec 31 may run past midnight
        last = date(year, 12, 31)
        # On a day whose next 48 hours keep one UTC offset (all but a few a year), a
        # wall time is that day's local midnight plus its seconds: no zone lookups.
        changing = _offset_change_days(self.tz, year)
        while day <= last:
            for open_s, close_s in self.spans_on(day):
                if day.year == year and day not in changing:
                    midnight = _local_midnight(self.tz, day)
                    start, stop = max(midnight + open_s, begin), min(midnight + close_s, end)
                else:
                    start = max(wall_to_epoch(self.tz, day, open_s), begin)
                    stop = min(wall_to_epoch(self.tz, day, close_s), end)
                if stop <= start:
                    continue
                if spans and start <= spans[-1][1]:  # touching or overlapping: merge
                    spans[-1][1] = max(spans[-1][1], stop)
                else:
                    spans.append([start, stop])
            day += timedelta(days=1)
        cum_start, cum_end, total = [], [], 0
        for s, e in spans:
            cum_start.append(total)
            total += e - s
            cum_end.append(total)
        built = _Year(begin, end, [s for s, _ in spans], [e for _, e in spans], cum_start, cum_end)
        self._years[year] = built
        self._totals[year] = built.total
        self.years_built += 1
        return built

    def _total(self, year: int) -> int:
        """Service seconds in the year; closed-form unless the window's days overlap."""
        total = self._totals.get(year)
        if total is None:
            if self._days_overlap:
                return self._year(year).total
            total = self._totals[year] = self._closed_total(year)
        return total

    def _closed_total(self, year: int) -> int:
        begin, end = self._bound(year), self._bound(year + 1)
        special = self.calendar.special_days(year) if self.calendar is not None else frozenset()
        # The wall seconds of each weekday on an ordinary date of this year.
        usual: list[int | None] = [None] * 7
        day = date(year, 1, 1)
        while None in usual:
            if day not in special and usual[day.weekday()] is None:
                usual[day.weekday()] = sum(c - o for o, c in self.spans_on(day))
            day += timedelta(days=1)
        total = sum(n * s for n, s in zip(_weekday_counts(year), usual, strict=True))
        # Dates that differ from their weekday's ordinary wall seconds count on their own:
        # special days by their wall seconds; in real seconds, days the offset changes
        # and Dec 31, whose last interval may run into next year (clipped at its end);
        # plus the part of last year's Dec 31 that runs into this one.
        real = _offset_change_days(self.tz, year) | {date(year, 12, 31)}
        for day in special - real:
            if day.year == year:
                total += sum(c - o for o, c in self.spans_on(day)) - usual[day.weekday()]
        for day in real:
            if day.year == year:
                total += self._real_seconds(day, begin, end) - usual[day.weekday()]
        return total + self._real_seconds(date(year - 1, 12, 31), begin, end)

    def _real_seconds(self, day: date, begin: int, end: int) -> int:
        """Real seconds of the intervals that open on ``day``, within [begin, end)."""
        total = 0
        for open_s, close_s in self.spans_on(day):
            start = max(wall_to_epoch(self.tz, day, open_s), begin)
            stop = min(wall_to_epoch(self.tz, day, close_s), end)
            total += max(stop - start, 0)
        return total

    # -- the arithmetic -----------------------------------------------------------------

    def add_epoch(self, start: int, seconds: int) -> int:
        if seconds < 0:
            raise ValueError("a service-time duration cannot be negative")
        first = self._year_of(start)
        if self.always or seconds == 0:
            self._year_of(start + seconds)  # still inside the years the engine computes
            return start + seconds
        year = self._year(first)
        left = seconds - (year.total - year.cumulative(start))
        if left <= 0:
            return year.at(year.cumulative(start) + seconds)
        empty_years = 0
        for number in range(first + 1, first + MAX_SPAN_YEARS + 1):
            total = self._total(number)
            if left <= total:
                return self._year(number).at(left)
            left -= total  # a whole year at once
            empty_years = empty_years + 1 if total == 0 else 0
            if empty_years >= _MAX_EMPTY_YEARS:
                raise ValueError(f"window {self.name!r} has no service hours ahead")
        raise ValueError(
            f"{seconds} s of {self.name} service time run past {first + MAX_SPAN_YEARS}, "
            "too far ahead to compute"
        )

    def between_epoch(self, start: int, end: int) -> int:
        if end < start:
            raise ValueError("the end of a span comes before its start")
        first, last = self._year_of(start), self._year_of(end)
        if self.always:
            return end - start
        if first == last:
            year = self._year(first)
            return year.cumulative(end) - year.cumulative(start)
        head = self._year(first)
        middle = sum(self._total(number) for number in range(first + 1, last))
        return head.total - head.cumulative(start) + middle + self._year(last).cumulative(end)

    def add(self, start: datetime, seconds: int) -> datetime:
        """The instant at which ``seconds`` of service time have passed since ``start``."""
        return from_epoch(self.add_epoch(to_epoch(start), int(seconds)))

    def between(self, start: datetime, end: datetime) -> int:
        """Service seconds in [start, end)."""
        return self.between_epoch(to_epoch(start), to_epoch(end))

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself when in service, otherwise the next instant service starts."""
        if self.always or self.is_open(at):
            return at
        # The first instant with one second of service used, less that second.
        return from_epoch(self.add_epoch(to_epoch(at), 1) - 1)

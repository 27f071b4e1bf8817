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
``between`` are two binary searches, whatever the holidays in between.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from .calendar import DayKind, WorkingCalendar

DAY = 86_400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
# A window with no service for this many years in a row is a broken policy.
_MAX_EMPTY_YEARS = 5


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
class _Index:
    """Merged service intervals of the years [first, last] as epoch seconds."""

    first: int
    last: int
    starts: list[int]
    ends: list[int]
    cum_start: list[int]  # service seconds before each interval
    cum_end: list[int]

    def cumulative(self, t: int) -> int:
        """Service seconds from the start of the index to epoch ``t``."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.cum_start[i] + min(t - self.starts[i], self.ends[i] - self.starts[i])

    def total(self) -> int:
        return self.cum_end[-1] if self.cum_end else 0


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
    # The lazily built index, replaced whole so that threads never see half of one.
    _index: _Index | None = field(default=None, repr=False)

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
        index = self._cover(t, t)
        i = bisect_right(index.starts, t) - 1
        return i >= 0 and t < index.ends[i]

    # -- the index --------------------------------------------------------------------

    def _year_of(self, epoch: int) -> int:
        return datetime.fromtimestamp(epoch, self.tz).year

    def _cover(self, low: int, high: int) -> _Index:
        """The index, made to cover the epoch range [low, high] with a day to spare."""
        index = self._index
        covered = index is not None and index.starts and index.starts[0] <= low - DAY
        if covered and high + DAY < index.ends[-1]:
            return index
        first = self._year_of(low - DAY)
        last = self._year_of(high + DAY)
        if index is not None:
            if index.first <= first and last <= index.last:
                return index
            first, last = min(first, index.first), max(last, index.last)
        return self._build(first, last)

    def _build(self, first: int, last: int) -> _Index:
        spans: list[list[int]] = []
        day = date(first, 1, 1) - timedelta(days=1)  # last year's Dec 31 may run past midnight
        end_day = date(last, 12, 31)
        while day <= end_day:
            for open_s, close_s in self.spans_on(day):
                start = wall_to_epoch(self.tz, day, open_s)
                end = wall_to_epoch(self.tz, day, close_s)
                if end <= start:
                    continue
                if spans and start <= spans[-1][1]:  # touching or overlapping: merge
                    spans[-1][1] = max(spans[-1][1], end)
                else:
                    spans.append([start, end])
            day += timedelta(days=1)
        cum_start, cum_end, total = [], [], 0
        for s, e in spans:
            cum_start.append(total)
            total += e - s
            cum_end.append(total)
        index = _Index(
            first, last, [s for s, _ in spans], [e for _, e in spans], cum_start, cum_end
        )
        self._index = index
        return index

    # -- the arithmetic -----------------------------------------------------------------

    def add_epoch(self, start: int, seconds: int) -> int:
        if seconds < 0:
            raise ValueError("a service-time duration cannot be negative")
        if self.always or seconds == 0:
            return start + seconds
        index = self._cover(start, start)
        target = index.cumulative(start) + seconds
        empty_years = 0
        while target > index.total():
            before = index.total()
            index = self._build(index.first, index.last + 1)
            target = index.cumulative(start) + seconds
            empty_years = 0 if index.total() > before else empty_years + 1
            if empty_years >= _MAX_EMPTY_YEARS:
                raise ValueError(f"window {self.name!r} has no service hours ahead")
        # bisect_left: a duration that runs out exactly at a close is due at that close.
        j = bisect_left(index.cum_end, target)
        return index.starts[j] + (target - index.cum_start[j])

    def between_epoch(self, start: int, end: int) -> int:
        if end < start:
            raise ValueError("the end of a span comes before its start")
        if self.always:
            return end - start
        index = self._cover(start, end)
        return index.cumulative(end) - index.cumulative(start)

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

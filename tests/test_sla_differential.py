"""The engine's service-time arithmetic against the minute-by-minute reference.

Thousands of random weekly schedules (split days, intervals past midnight,
24:00 ends, intervals inside daylight-saving jumps), with no calendar, explicit
holidays and working days, or China's official calendar, in Asia/Shanghai and
Europe/Berlin, over eras chosen for their trouble: both daylight-saving changes
of 2025 and 2026, the turn of the year, the Spring Festival and National Day.
``ServiceWindow.add`` and ``.between`` must agree with ``sla_reference`` to the
second on every query. Seeded, so a failure reproduces; the message carries the
schedule and the query.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sla_reference import (
    CN_MAKEUP,
    CN_OFF,
    MINUTE,
    RefCalendar,
    Reference,
    RefSchedule,
    era,
    from_minute,
    local_minutes,
    local_minutes_every_minute,
    wall_minute,
)

from oncall.sla.calendar import DayKind, WorkingCalendar
from oncall.sla.window import ServiceWindow

ZONES = ("Asia/Shanghai", "Europe/Berlin")
# (first, last local date, China's calendar usable): the reference knows China
# only for 2025 and 2026.
ERAS = (
    (date(2025, 3, 21), date(2025, 4, 8), True),  # Berlin springs forward on Sun 2025-03-30
    (date(2025, 9, 20), date(2025, 11, 4), True),  # National Day 2025, Berlin falls back 10-26
    (date(2025, 12, 20), date(2026, 1, 14), True),  # the turn of the year, New Year 2026
    (date(2026, 2, 5), date(2026, 3, 6), True),  # Spring Festival 2026
    (date(2026, 3, 20), date(2026, 4, 10), True),  # Berlin springs forward on Sun 2026-03-29
    (date(2026, 9, 14), date(2026, 10, 16), True),  # Mid-Autumn and National Day 2026
    (date(2026, 10, 17), date(2026, 11, 4), True),  # Berlin falls back on Sun 2026-10-25
    (date(2026, 12, 18), date(2027, 1, 10), False),  # the turn of the year 2026/27
)
# Shapes that sit on Berlin's jumps (02:00-03:00 skipped in March, repeated in
# October) and on midnight, in minutes of the day.
SPECIAL_DAYS = (
    ((120, 180),),  # exactly the skipped / repeated hour
    ((150, 170),),  # inside it
    ((90, 150),),  # opens before it, closes inside
    ((150, 240),),  # opens inside, closes after
    ((0, 1440),),  # the whole day
    ((0, 60), (1380, 1440)),  # both ends of the day
    ((1380, 1440 + 150),),  # past midnight into the jump
    ((1320, 1440 + 179),),  # past midnight almost a full day
    ((540, 1020),),  # office hours
    ((0, 150), (170, 1440)),  # a gap of 20 minutes inside the jump
    ((179, 181),),  # across the jump's end
)
_SHARED_CN = WorkingCalendar(name="CN", country="CN")
WEEKEND = frozenset({5, 6})  # China's weekend: Saturday and Sunday


def random_spans(rng: random.Random) -> tuple[tuple[int, int], ...]:
    """Non-overlapping intervals of one weekday, in minutes; the last may pass midnight."""
    if rng.random() < 0.2:
        return rng.choice(SPECIAL_DAYS)
    count = rng.choice((0, 0, 1, 1, 1, 1, 2, 2, 3))
    if count == 0:
        return ()
    grid = rng.choice((1, 15, 30, 60, 60))
    points = sorted(rng.sample(range(0, 1441, grid), 2 * count))
    spans = [(points[2 * i], points[2 * i + 1]) for i in range(count)]
    last_open, _ = spans[-1]
    if last_open > 0 and rng.random() < 0.3:
        # written as "22:00-02:00": the close wraps to the next day, before the open
        spans[-1] = (last_open, 1440 + rng.randrange(0, last_open))
    if rng.random() < 0.2:  # the spans of a day may come in any order
        rng.shuffle(spans)
    return tuple(spans)


def random_case(rng: random.Random, first: date, last: date, china_ok: bool):
    """(engine window, reference schedule, description) of one random schedule."""
    days = tuple(random_spans(rng) for _ in range(7))
    if not any(days):
        days = ((540, 1020),) + days[1:]
    zone = rng.choice(ZONES)
    makeup_as = rng.randrange(7)
    dates = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    kind = rng.choice(
        ("none", "none", "explicit", "china", "china") if china_ok else ("none", "explicit")
    )
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    if kind == "explicit" or (kind == "china" and rng.random() < 0.3):
        weekdays = [d for d in dates if d.weekday() < 5]
        weekends = [d for d in dates if d.weekday() >= 5]
        holidays = frozenset(rng.sample(weekdays, rng.randrange(0, 6)))
        workdays = frozenset(rng.sample(weekends, rng.randrange(0, 4)))
        if rng.random() < 0.3:  # a weekday worked although China has it off
            workdays |= frozenset(d for d in weekdays if d in CN_OFF and d not in holidays)
    if kind == "none":
        engine_cal, ref_cal = None, None
    elif kind == "explicit":
        # Half of them name Saturday and Sunday as their weekend; the others have
        # none, so their days off are their holidays only.
        weekend = frozenset({5, 6}) if rng.random() < 0.5 else frozenset()
        engine_cal = WorkingCalendar(
            name="X", holidays=holidays, workdays=workdays, weekend=weekend or None
        )
        ref_cal = RefCalendar(holidays, workdays, weekend=weekend)
    else:
        if holidays or workdays:
            engine_cal = WorkingCalendar(
                name="CN+", country="CN", holidays=holidays, workdays=workdays
            )
        else:
            engine_cal = _SHARED_CN
        ref_cal = RefCalendar(holidays, workdays, china=True, weekend=WEEKEND)
    window = ServiceWindow(
        name="random",
        tz=ZoneInfo(zone),
        days=tuple(tuple((o * MINUTE, c * MINUTE) for o, c in spans) for spans in days),
        calendar=engine_cal,
        makeup_as=makeup_as,
    )
    schedule = RefSchedule(days, ref_cal, makeup_as)
    text = (
        f"zone={zone} era={first}..{last} days={days} makeup_as={makeup_as} calendar={kind} "
        f"holidays={sorted(map(str, holidays))} workdays={sorted(map(str, workdays))} "
        f"weekend={sorted(ref_cal.weekend) if ref_cal else None}"
    )
    return window, Reference(schedule, era(zone, first, last)), text


def _when(t: int) -> str:
    return f"{t} ({from_minute(t).isoformat()})"


def check_schedule(rng: random.Random, window: ServiceWindow, ref: Reference, text: str) -> int:
    """Random queries of one schedule; returns how many were checked."""
    lo, hi = ref.valid_lo, ref.valid_hi
    marks = [t + delta for t in ref.boundaries() for delta in (-1, 0, 1)]
    starts = [rng.randrange(lo, hi) for _ in range(5)]
    starts += rng.sample(marks, min(len(marks), 3))
    starts = [t for t in starts if lo <= t < hi]
    checked = 0
    for start in starts:
        available = ref.available(start)
        durations = {0, 1, min(available, rng.randint(1, 600))}
        if available:
            durations.add(rng.randint(1, min(available, 3 * 1440)))
        ends = [b for b in marks if start <= b < hi]
        if ends:  # a duration that runs out exactly at a boundary (a close, an opening)
            durations.add(ref.between(start, rng.choice(ends)))
        for minutes in sorted(d for d in durations if d <= available):
            expected = ref.add(start, minutes)
            got = window.add_epoch(start * MINUTE, minutes * MINUTE)
            assert got == expected * MINUTE, (
                f"add({_when(start)}, {minutes} min): engine {got} "
                f"({datetime.fromtimestamp(got, UTC).isoformat()}), reference {_when(expected)}; "
                f"{text}"
            )
            checked += 1
        end = rng.randrange(start, hi + 1)
        expected = ref.between(start, end)
        got = window.between_epoch(start * MINUTE, end * MINUTE)
        assert got == expected * MINUTE, (
            f"between({_when(start)}, {_when(end)}): engine {got // MINUTE} min, "
            f"reference {expected} min; {text}"
        )
        is_open = window.is_open(from_minute(start))
        assert is_open == bool(ref.service[start - ref.lo]), (
            f"is_open({_when(start)}): engine {is_open}; {text}"
        )
        opening = ref.next_opening(start)
        if opening is not None:
            got_opening = window.next_opening(from_minute(start))
            assert got_opening == from_minute(opening), (
                f"next_opening({_when(start)}): engine {got_opening.isoformat()}, "
                f"reference {_when(opening)}; {text}"
            )
        checked += 3
    return checked


@pytest.mark.parametrize("seed", range(12))
def test_engine_matches_reference(seed: int) -> None:
    rng = random.Random(seed)
    checked = 0
    for _ in range(100):
        first, last, china_ok = rng.choice(ERAS)
        window, ref, text = random_case(rng, first, last, china_ok)
        checked += check_schedule(rng, window, ref, text)
    assert checked > 1000


@pytest.mark.parametrize("seed", range(3))
def test_reference_asked_two_ways_agrees(seed: int) -> None:
    """The painted minutes equal the per-minute question (the reference checks itself)."""
    rng = random.Random(1000 + seed)
    for _ in range(4):
        first, last, china_ok = rng.choice(ERAS)
        _, ref, text = random_case(rng, first, last, china_ok)
        for t in range(ref.valid_lo, ref.valid_hi):
            assert ref.in_service(t) == bool(ref.service[t - ref.lo]), (t, text)
        # ``add`` hops over runs of minutes; walking them one by one agrees.
        marks = [t + d for t in ref.boundaries() for d in (-1, 0, 1)]
        for start in rng.sample(marks, min(len(marks), 10)) + [ref.valid_lo]:
            if not ref.valid_lo <= start < ref.valid_hi:
                continue
            available = ref.available(start)
            for minutes in {0, min(1, available), available // 3, available // 2, available}:
                assert ref.add(start, minutes) == ref.add_by_walking(start, minutes), (
                    start,
                    minutes,
                    text,
                )


@pytest.mark.parametrize(
    ("zone", "first", "last"),
    [
        ("Europe/Berlin", date(2025, 3, 21), date(2025, 4, 8)),
        ("Europe/Berlin", date(2025, 9, 20), date(2025, 11, 4)),
        ("Europe/Berlin", date(2026, 3, 20), date(2026, 4, 10)),
        ("Europe/Berlin", date(2026, 10, 17), date(2026, 11, 4)),
        ("Asia/Shanghai", date(2026, 2, 5), date(2026, 3, 6)),
    ],
)
def test_the_clock_read_hourly_is_the_clock_read_every_minute(zone, first, last) -> None:
    """The reference's shortcut (``local_minutes``) over eras with daylight-saving changes."""
    lo, hi = wall_minute(first) - 15 * 60 + 7, wall_minute(last) + 15 * 60 - 7  # not whole hours
    assert local_minutes(zone, lo, hi) == local_minutes_every_minute(zone, lo, hi)


def test_reference_maps_wall_times_by_the_documented_rule() -> None:
    berlin = era("Europe/Berlin", date(2026, 3, 20), date(2026, 4, 10))
    jump = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 02:00 CET becomes 03:00 CEST
    minute = int(jump.timestamp()) // MINUTE
    assert berlin.instant(date(2026, 3, 29), 150) == minute  # 02:30 is skipped: the jump
    assert berlin.instant(date(2026, 3, 29), 120) == minute
    assert berlin.instant(date(2026, 3, 29), 180) == minute  # 03:00 CEST
    assert berlin.instant(date(2026, 3, 29), 119) == minute - 1  # 01:59 CET
    autumn = era("Europe/Berlin", date(2026, 10, 17), date(2026, 11, 4))
    first_230 = int(datetime(2026, 10, 25, 0, 30, tzinfo=UTC).timestamp()) // MINUTE
    assert autumn.instant(date(2026, 10, 25), 150) == first_230  # 02:30 CEST, not CET
    three = int(datetime(2026, 10, 25, 2, 0, tzinfo=UTC).timestamp()) // MINUTE
    assert autumn.instant(date(2026, 10, 25), 180) == three  # 03:00 CET


def test_reference_calendar_matches_the_engine_calendar() -> None:
    """China's 2025-2026 working days as the engine reads them from the holidays package."""
    ref = RefCalendar(china=True, weekend=WEEKEND)
    day = date(2025, 1, 1)
    while day <= date(2026, 12, 31):
        kind = _SHARED_CN.day_kind(day)
        assert (kind is not DayKind.OFF) == ref.working(day), day
        assert (kind is DayKind.MAKEUP) == (day in CN_MAKEUP), day
        day += timedelta(days=1)


def test_unsorted_intervals_are_the_same_schedule() -> None:
    """The spans of a weekday may be given in any order."""
    sorted_days = (((9 * 3600, 12 * 3600), (13 * 3600, 17 * 3600)),) * 7
    shuffled = (((13 * 3600, 17 * 3600), (9 * 3600, 12 * 3600)),) * 7
    tz = ZoneInfo("Asia/Shanghai")
    a = ServiceWindow("sorted", tz=tz, days=sorted_days)
    b = ServiceWindow("shuffled", tz=tz, days=shuffled)
    start = datetime(2026, 3, 2, 8, 0, tzinfo=tz)
    for hours in range(1, 30):
        assert a.add(start, hours * 3600) == b.add(start, hours * 3600)
    assert b.between(start, start + timedelta(days=1)) == 7 * 3600


@pytest.mark.parametrize(("first", "last"), [(f, t) for f, t, china in ERAS if china])
def test_default_policy_windows_match_reference(first: date, last: date) -> None:
    """The shipped 7x8 and 5x8 windows, on China's calendar, over the holiday eras."""
    from oncall.resources import data_path
    from oncall.sla import load_policy

    policy = load_policy(data_path("sla.toml"))
    office = ((540, 1020),)
    schedules = {
        "7x8": RefSchedule((office,) * 7),
        "5x8": RefSchedule(
            (office,) * 5 + ((), ()), RefCalendar(china=True, weekend=WEEKEND), makeup_as=0
        ),
    }
    rng = random.Random(first.toordinal())
    for name, schedule in schedules.items():
        ref = Reference(schedule, era("Asia/Shanghai", first, last))
        assert check_schedule(rng, policy.window(name), ref, f"policy window {name}") > 20

"""Long spans in closed form, the range the desk serves, and one escaping for all output.

- A year's total service time computed in closed form (weekday counts, special
  days, offset changes) equals the total of its laid-out intervals, and ``add`` and
  ``between`` over decades equal stepping year by year through laid-out years.
- ``sla add`` at the 10-year limit answers laying out at most two years.
- Times, durations and ids outside what the desk serves are refused with one line.
- JSON output writes C0, DEL, C1 and bidi controls as ``\\uXXXX``; ``watch`` escapes once.
"""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from oncall.alerts import AlertRecord, run_hook
from oncall.cli import main
from oncall.desk import NotFound, ValidationError
from oncall.sla.calendar import WorkingCalendar
from oncall.sla.served import (
    MAX_SERVICE_SECONDS,
    OutOfRange,
    check_seconds,
    first_year,
    served_range,
)
from oncall.sla.window import ServiceWindow
from oncall.text import escape, json_text, printable

ZONES = ("Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC")
H = 3600
_CN = WorkingCalendar(name="CN", country="CN")


def random_window(rng: random.Random) -> ServiceWindow:
    days = []
    for _ in range(7):
        spans = []
        if rng.random() < 0.7:
            opening = rng.randrange(0, 20) * H + rng.choice((0, 1800))
            closing = opening + rng.randrange(1, 10) * H
            if rng.random() < 0.2:  # past midnight ("22:00-02:00"); may overlap the next day
                opening, closing = 22 * H, (24 + rng.randrange(1, 12)) * H
            spans.append((opening, closing))
        days.append(tuple(spans))
    if not any(days):
        days[0] = ((9 * H, 17 * H),)
    calendar = rng.choice(
        (
            None,
            _CN,
            WorkingCalendar(
                name="X",
                holidays=frozenset({date(2031, 5, 1), date(2040, 1, 2)}),
                workdays=frozenset({date(2031, 5, 3), date(2040, 1, 6)}),
            ),
        )
    )
    return ServiceWindow(
        name="random",
        tz=ZoneInfo(rng.choice(ZONES)),
        days=tuple(days),
        calendar=calendar,
        makeup_as=rng.randrange(7),
    )


def stepped_add(window: ServiceWindow, start: int, seconds: int) -> int:
    """``add`` the slow way: year after year, each laid out."""
    year = window._year_of(start)
    laid = window._year(year)
    left = seconds - (laid.total - laid.cumulative(start))
    if left <= 0:
        return laid.at(laid.cumulative(start) + seconds)
    while True:
        year += 1
        laid = window._year(year)
        if left <= laid.total:
            return laid.at(left)
        left -= laid.total


def stepped_between(window: ServiceWindow, start: int, end: int) -> int:
    first, last = window._year_of(start), window._year_of(end)
    if first == last:
        laid = window._year(first)
        return laid.cumulative(end) - laid.cumulative(start)
    total = window._year(first).total - window._year(first).cumulative(start)
    total += sum(window._year(y).total for y in range(first + 1, last))
    return total + window._year(last).cumulative(end)


@pytest.mark.parametrize("seed", range(6))
def test_closed_form_years_equal_laid_out_years(seed):
    rng = random.Random(seed)
    for _ in range(12):
        window = random_window(rng)
        for year in rng.sample(range(1990, 2060), 3):
            laid = ServiceWindow(
                name="copy",
                tz=window.tz,
                days=window.days,
                calendar=window.calendar,
                makeup_as=window.makeup_as,
            )
            assert window._total(year) == laid._year(year).total, (window, year)


@pytest.mark.parametrize("seed", range(4))
def test_long_spans_equal_stepping_year_by_year(seed):
    rng = random.Random(100 + seed)
    for _ in range(3):
        fast = random_window(rng)
        slow = ServiceWindow(
            name="slow", tz=fast.tz, days=fast.days, calendar=fast.calendar,
            makeup_as=fast.makeup_as,
        )  # fmt: skip
        start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp()) + rng.randrange(400 * 86400)
        seconds = rng.randrange(1, 6 * 365 * 8 * H)  # up to about 6 years of 8 h a day
        due = fast.add_epoch(start, seconds)
        assert due == stepped_add(slow, start, seconds)
        assert fast.between_epoch(start, due) == seconds == stepped_between(slow, start, due)
        if not fast._days_overlap:  # else years are laid out to be counted (merged overlaps)
            assert fast.years_built <= 2  # the two ends


def test_ten_years_of_service_time_answer_laying_out_two_years(policy):
    window = policy.window("5x8")
    fresh = ServiceWindow(
        name="5x8", tz=window.tz, days=window.days, calendar=window.calendar,
        makeup_as=window.makeup_as,
    )  # fmt: skip
    start = datetime(2036, 12, 31, 15, tzinfo=UTC)
    due = fresh.add(start, MAX_SERVICE_SECONDS)
    assert due.year > 2070  # 8 service hours on a working day: over 40 years
    assert fresh.years_built == 2  # the first year and the last; the rest counted whole
    assert fresh.between(start, due) == MAX_SERVICE_SECONDS


def test_sla_add_at_the_limit_answers_and_over_it_is_refused(capsys):
    argv = ["sla", "add", "--window", "5x8", "--from", "2026-11-27T15:00", "--seconds"]
    assert main([*argv, str(MAX_SERVICE_SECONDS), "--json"]) == 0
    assert datetime.fromisoformat(json.loads(capsys.readouterr().out)["due"]).year > 2060
    assert main([*argv, "99999999999999"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(MAX_SERVICE_SECONDS) in err


def test_a_window_too_sparse_for_the_span_is_refused_not_computed_forever():
    sparse = ServiceWindow(
        name="sparse", tz=ZoneInfo("UTC"), days=(((9 * H, 10 * H),),) + ((),) * 6
    )
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    with pytest.raises(ValueError, match="too far ahead"):
        sparse.add_epoch(start, MAX_SERVICE_SECONDS)  # one hour a week: 1,680 years
    assert sparse.years_built == 1


# -- the served range ---------------------------------------------------------------------


def test_the_served_range_starts_at_the_calendars_data_and_ends_years_ahead(policy):
    today = datetime(2026, 11, 27, 8, tzinfo=UTC)
    served = served_range(policy, today)
    assert first_year(policy) == 1970  # CN's data starts 1950 in the holidays package
    assert served.first.astimezone(policy.timezone).date() == date(1970, 1, 1)
    assert served.last.astimezone(policy.timezone).date() == date(2036, 12, 31)
    assert served.check(today, "x") == today
    with pytest.raises(OutOfRange, match="1970-01-01 00:00 to 2036-12-31 23:59"):
        served.check(datetime(1001, 1, 4, tzinfo=UTC), "--reported-at")
    with pytest.raises(OutOfRange):
        served.check(served.last + timedelta(seconds=1), "--at")
    assert check_seconds(MAX_SERVICE_SECONDS, "--seconds") == MAX_SERVICE_SECONDS
    with pytest.raises(OutOfRange):
        check_seconds(MAX_SERVICE_SECONDS + 1, "--seconds")


def test_the_desk_refuses_times_before_the_served_range(desk):
    with pytest.raises(ValidationError, match="outside the times the desk serves"):
        desk.faults.log(
            customer="华东电网",
            system="EMS",
            title="t",
            level=2,
            channel="phone",
            at=datetime(1001, 1, 4, 2, tzinfo=UTC),
        )


@pytest.mark.parametrize("entry", [2**31, 2**63, 10**20, 0, -1])
def test_an_id_too_big_for_the_database_is_no_such_entry(desk, entry):
    with pytest.raises(NotFound) as unknown:
        desk.work.end(entry, version=None)
    assert str(unknown.value) == f"no work entry #{entry}"


# -- one escaping ---------------------------------------------------------------------------

CONTROLS = "\x00\x1b\x7f\x85\x9b\u200e\u200f\u061c\u202a\u202e\u2066\u2069"


def test_json_writes_every_control_character_as_a_unicode_escape():
    text = json_text({"t": f"a{CONTROLS}b 中文", "n": 1}, indent=2)
    for ch in CONTROLS:
        assert ch not in text
        assert f"\\u{ord(ch):04x}" in text
    assert "中文" in text  # printable text stays as it is
    assert json.loads(text) == {"t": f"a{CONTROLS}b 中文", "n": 1}
    assert "\\udb40\\udc41" in json_text("\U000e0041")  # a tag character: a surrogate pair


def test_text_and_json_escape_the_same_characters():
    for ch in CONTROLS + "\U000e0041\ue000":
        assert escape(ch) != ch and escape(ch, json=True) != ch
    for ch in "a 中 ü \u00a0":
        assert escape(ch) == ch == escape(ch, json=True)
    assert printable("a\x1b[2Jb") == "a\\e[2Jb"
    assert escape("a\nb", keep_newlines=True) == "a\nb"


def _alert(title: str) -> AlertRecord:
    at = datetime(2026, 3, 10, 3, tzinfo=UTC)
    return AlertRecord(
        id=7, fault_id=1, ref="F-2026-00001", title=title, customer="华东\x9b电网",
        system="EMS", level=1, clock="respond", threshold="breach", deadline=at,
        planned_at=at, fired_at=at, late_seconds=0.0, fired_by="watch:test",
    )  # fmt: skip


def test_watch_escapes_titles_once(capsys):
    from oncall.cli.watch_cmd import _print

    tz = ZoneInfo("Asia/Shanghai")
    _print(_alert("red \x1b[31m\u202e"), tz, as_json=False)
    line = capsys.readouterr().out
    assert 'title="red \\u001b[31m\\u202e"' in line  # one escape: not \\\\u001b, not \\e
    assert 'customer="华东\\u009b电网"' in line
    _print(_alert("red \x1b[31m\u202e"), tz, as_json=True)
    line = capsys.readouterr().out
    assert escape(line, keep_newlines=True) == line
    assert json.loads(line)["title"] == "red \x1b[31m\u202e"


def test_the_notify_commands_output_is_escaped_before_it_is_logged():
    result = asyncio.run(run_hook("printf 'boom \\033[2J\\342\\200\\256'; exit 3", b"{}", 5))
    assert not result.ok
    assert "\x1b" not in result.error and "\u202e" not in result.error
    assert "boom \\e[2J\\u202e" in result.error

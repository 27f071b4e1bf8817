"""Loading the policy: the default loads; a malformed file fails with a PolicyError
that names the file, the key and the problem."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from oncall.resources import data_path
from oncall.sla import PolicyError, load_policy, parse_duration
from oncall.sla.calendar import DayKind
from oncall.sla.policy import CLOCKS, format_duration

H = 3600
DEFAULT = data_path("sla.toml").read_text(encoding="utf-8")


def write_policy(tmp_path: Path, text: str, overrides: str | None = None) -> Path:
    """A policy file (and its calendar override file) in tmp_path."""
    (tmp_path / "calendar-overrides.toml").write_text(
        overrides if overrides is not None else "holidays = []\nworkdays = []\n",
        encoding="utf-8",
    )
    path = tmp_path / "sla.toml"
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str) -> str:
    """The default policy with one passage replaced (which must be there once)."""
    assert DEFAULT.count(old) == 1, old
    return DEFAULT.replace(old, new)


def fails(tmp_path: Path, text: str, *parts: str, overrides: str | None = None) -> str:
    path = write_policy(tmp_path, text, overrides)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message  # the file comes first
    for part in parts:
        assert part in message, (part, message)
    return message


# -- the default policy ---------------------------------------------------------------


def test_default_policy_loads():
    policy = load_policy(data_path("sla.toml"))
    assert str(policy.timezone) == "Asia/Shanghai"
    assert policy.country == "CN"
    assert (policy.warning, policy.critical) == (0.75, 0.90)
    assert policy.reopen == "full"
    assert set(policy.windows) == {"7x24", "7x8", "5x8"}
    assert policy.window("7x24").always
    assert policy.window("7x8").calendar is None
    assert policy.window("7x8").days == (((9 * H, 17 * H),),) * 7
    five = policy.window("5x8")
    assert five.calendar is policy.calendars["CN"]
    assert five.days == (((9 * H, 17 * H),),) * 5 + ((), ())
    assert five.makeup_as == 0
    expected = {
        0: ("7x24", 1 * H, 1 * H, 4 * H),
        1: ("7x8", 2 * H, 4 * H, 8 * H),
        2: ("5x8", 4 * H, 8 * H, 24 * H),
        3: ("5x8", 8 * H, 8 * H, 40 * H),
    }
    for number, (window, phone, electronic, resolve) in expected.items():
        level = policy.level(number)
        assert level.window.name == window
        assert level.respond == {"phone": phone, "electronic": electronic}
        assert level.resolve == resolve
    further = {(d.clock, level): d for d in policy.further for level in d.levels}
    assert {k: (d.within, d.window.name) for k, d in further.items()} == {
        ("solution", 0): (2 * H, "7x24"),
        ("solution", 1): (24 * H, "7x24"),
        ("solution", 2): (24 * H, "7x24"),
        ("solution", 3): (16 * H, "5x8"),
        ("remote_fix", 0): (2 * H, "7x24"),
        ("remote_fix", 1): (2 * H, "7x24"),
        ("remote_fix", 2): (2 * H, "7x24"),
        ("onsite_escalation", 0): (2 * H, "7x24"),
        ("onsite_escalation", 1): (2 * H, "7x24"),
        ("onsite_arrival", 0): (24 * H, "7x24"),
        ("onsite_arrival", 1): (24 * H, "7x24"),
    }
    assert further[("onsite_arrival", 0)].unresponded_after == 1 * H
    assert not any(d.pausable for d in policy.further)
    assert {d.clock for d in policy.further} == set(CLOCKS[2:])
    with pytest.raises(ValueError, match="unknown level 7"):
        policy.level(7)
    with pytest.raises(ValueError, match="unknown window"):
        policy.window("6x9")


def test_default_policy_calendar_knows_the_2026_schedule():
    calendar = load_policy(data_path("sla.toml")).calendars["CN"]
    assert calendar.day_kind(date(2026, 10, 6)) is DayKind.OFF  # Tue, day off in lieu
    assert calendar.day_kind(date(2026, 10, 10)) is DayKind.MAKEUP  # Sat, worked
    assert calendar.day_kind(date(2026, 9, 20)) is DayKind.MAKEUP  # Sun, worked
    assert calendar.day_kind(date(2026, 2, 14)) is DayKind.MAKEUP
    assert calendar.day_kind(date(2026, 2, 23)) is DayKind.OFF  # Mon, Spring Festival
    assert calendar.day_kind(date(2026, 2, 24)) is DayKind.WORK
    assert calendar.day_kind(date(2026, 3, 7)) is DayKind.OFF  # an ordinary Saturday


def test_default_policy_reopen_key_is_top_level():
    raw = tomllib.loads(DEFAULT)
    assert "reopen" in raw
    assert "reopen" not in raw["thresholds"]


def test_a_copy_of_the_default_loads_from_elsewhere(tmp_path):
    path = write_policy(tmp_path, DEFAULT)
    policy = load_policy(path)
    assert policy.source == str(path)
    assert set(policy.levels) == {0, 1, 2, 3}


def test_override_file_adds_and_removes_days(tmp_path):
    path = write_policy(
        tmp_path,
        DEFAULT,
        overrides="holidays = [2026-03-04]\nworkdays = [2026-03-07, 2026-10-08]\n",
    )
    calendar = load_policy(path).calendars["CN"]
    assert calendar.day_kind(date(2026, 3, 4)) is DayKind.OFF  # a Wednesday taken off
    assert calendar.day_kind(date(2026, 3, 7)) is DayKind.MAKEUP  # a Saturday worked
    assert calendar.day_kind(date(2026, 10, 8)) is DayKind.WORK


def test_top_level_reopen_is_read(tmp_path):
    text = edited('reopen = "full"\n', "").replace(
        'country = "CN"   ', 'reopen = "remaining"\ncountry = "CN"   ', 1
    )
    assert load_policy(write_policy(tmp_path, text)).reopen == "remaining"


# -- malformed files --------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(PolicyError, match="not found") as caught:
        load_policy(path)
    assert str(path) in str(caught.value)


def test_invalid_toml(tmp_path):
    fails(tmp_path, DEFAULT + "\n[levels.0\n", "not valid TOML")


def test_not_utf8(tmp_path):
    path = tmp_path / "sla.toml"
    path.write_bytes(b'timezone = "\xff\xfe"\n')
    with pytest.raises(PolicyError, match="cannot read") as caught:
        load_policy(path)
    assert str(caught.value).startswith(str(path))


def test_missing_key(tmp_path):
    text = edited(
        'respond = { phone = "2h", electronic = "4h" }\nresolve = "8h"\n',
        'respond = { phone = "2h", electronic = "4h" }\n',
    )
    fails(tmp_path, text, "levels.1.resolve", "missing")


def test_missing_channel(tmp_path):
    text = edited('respond = { phone = "2h", electronic = "4h" }', 'respond = { phone = "2h" }')
    fails(tmp_path, text, "levels.1.respond.electronic", "missing")


def test_unknown_channel(tmp_path):
    text = edited(
        'respond = { phone = "2h", electronic = "4h" }',
        'respond = { phone = "2h", electronic = "4h", fax = "9h" }',
    )
    fails(tmp_path, text, "levels.1.respond", "unknown channel 'fax'")


def test_missing_windows_table(tmp_path):
    start = DEFAULT.index('[windows."7x24"]')
    end = DEFAULT.index("[levels.0]")
    fails(tmp_path, DEFAULT[:start] + DEFAULT[end:], "windows", "missing")


@pytest.mark.parametrize("bad", ["8 hours", "h", "0h", "-1h", "1.5h", ""])
def test_bad_duration(tmp_path, bad):
    text = edited(
        'resolve = "24h"                                 # 3 working days', f'resolve = "{bad}"'
    )
    fails(tmp_path, text, "levels.2.resolve", "duration")


def test_duration_of_the_wrong_type(tmp_path):
    text = edited(
        'resolve = "24h"                                 # 3 working days', "resolve = 24"
    )
    fails(tmp_path, text, "levels.2.resolve", "expected str, got 24")


def test_bad_deadline_duration(tmp_path):
    text = edited('within = "16h"', 'within = "two days"')
    fails(tmp_path, text, "deadlines[2].within", "'two days' is not a duration")


def test_unknown_window_of_a_level(tmp_path):
    text = edited('name = "Major"\nwindow = "7x8"', 'name = "Major"\nwindow = "6x9"')
    fails(tmp_path, text, "levels.1.window", "no window named '6x9'")


def test_unknown_window_of_a_deadline(tmp_path):
    text = edited('within = "16h"\nwindow = "5x8"', 'within = "16h"\nwindow = "5x9"')
    fails(tmp_path, text, "deadlines[2].window", "no window named '5x9'")


@pytest.mark.parametrize(
    ("interval", "problem"),
    [
        ("25:00-26:00", "out of range"),
        ("09:00-24:30", "out of range"),
        ("09:60-17:00", "out of range"),
        ("9-17", "not an interval"),
        ("09:00-09:00", "empty"),
    ],
)
def test_bad_interval(tmp_path, interval, problem):
    text = edited(
        'tue = ["09:00-17:00"]\nwed = ["09:00-17:00"]\nthu = ["09:00-17:00"]\n'
        'fri = ["09:00-17:00"]\nsat',
        f'tue = ["{interval}"]\nwed = ["09:00-17:00"]\nthu = ["09:00-17:00"]\n'
        'fri = ["09:00-17:00"]\nsat',
    )
    fails(tmp_path, text, "windows.7x8.tue", interval, problem)


def test_interval_that_is_not_a_string(tmp_path):
    text = edited('sun = ["09:00-17:00"]', "sun = [9]")
    fails(tmp_path, text, "windows.7x8.sun", "not an interval")


def test_overlapping_intervals(tmp_path):
    text = edited('sun = ["09:00-17:00"]', 'sun = ["13:00-18:00", "09:00-14:00"]')
    fails(tmp_path, text, "windows.7x8", "overlapping intervals on sun")


def test_touching_intervals_are_fine(tmp_path):
    text = edited('sun = ["09:00-17:00"]', 'sun = ["13:00-17:00", "09:00-13:00"]')
    window = load_policy(write_policy(tmp_path, text)).window("7x8")
    assert window.days[6] == ((9 * H, 13 * H), (13 * H, 17 * H))


def test_window_without_hours(tmp_path):
    start = DEFAULT.index('mon = ["09:00-17:00"]\ntue')
    end = DEFAULT.index('\n\n[windows."5x8"]')
    fails(tmp_path, DEFAULT[:start] + DEFAULT[end:], "windows.7x8", "no service hours")


@pytest.mark.parametrize("zone", ["Asia/Peking", "Mars/Olympus", "../etc/passwd", ""])
def test_unknown_time_zone(tmp_path, zone):
    text = edited('timezone = "Asia/Shanghai"', f'timezone = "{zone}"')
    fails(tmp_path, text, "timezone", "unknown time zone")


def test_unknown_time_zone_of_a_window(tmp_path):
    text = edited(
        'description = "Every hour of every day"',
        'description = "Every hour of every day"\ntimezone = "Europe/Atlantis"',
    )
    fails(tmp_path, text, "windows.7x24.timezone", "unknown time zone 'Europe/Atlantis'")


def test_unknown_calendar_country(tmp_path):
    text = edited('country = "CN"   # public holidays', 'country = "XX"   # public holidays')
    fails(tmp_path, text, "calendars.CN.country", "'XX'")


def test_unknown_calendar_of_a_window(tmp_path):
    text = edited('calendar = "CN"', 'calendar = "HK"')
    fails(tmp_path, text, "windows.5x8.calendar", "no calendar named 'HK'")


def test_bad_makeup_weekday(tmp_path):
    text = edited('makeup_as = "mon"', 'makeup_as = "monday"')
    fails(tmp_path, text, "windows.5x8.makeup_as", "'monday'")


@pytest.mark.parametrize(
    ("warning", "critical"), [("0.9", "0.75"), ("0.8", "0.8"), ("0", "0.9"), ("0.75", "1.2")]
)
def test_thresholds_out_of_order(tmp_path, warning, critical):
    text = edited("warning = 0.75\ncritical = 0.90", f"warning = {warning}\ncritical = {critical}")
    fails(tmp_path, text, "thresholds", "0 < warning < critical < 1")


def test_threshold_of_the_wrong_type(tmp_path):
    text = edited("critical = 0.90", "critical = true")
    fails(tmp_path, text, "thresholds.critical", "expected a number")


def test_unknown_reopen_mode(tmp_path):
    text = edited('reopen = "full"', 'reopen = "sometimes"')
    fails(tmp_path, text, "reopen", "'sometimes'")


def test_level_that_is_not_a_number(tmp_path):
    text = edited("[levels.3]", "[levels.three]")
    fails(tmp_path, text, "levels.three", "whole number")


def test_deadline_for_an_unknown_level(tmp_path):
    text = edited("levels = [3]", "levels = [3, 4]")
    fails(tmp_path, text, "deadlines[2].levels", "no level 4")


def test_unknown_deadline_clock(tmp_path):
    text = edited('clock = "remote_fix"', 'clock = "remote_repair"')
    fails(tmp_path, text, "deadlines[3].clock", "remote_fix")


def test_two_deadlines_of_a_kind_for_one_level(tmp_path):
    text = edited("levels = [3]", "levels = [2, 3]")
    fails(tmp_path, text, "deadlines", "two solution deadlines for level 2")


def test_onsite_arrival_needs_its_condition(tmp_path):
    text = edited('unresponded_after = "1h"\n', "")
    fails(tmp_path, text, "deadlines[5].unresponded_after", "missing")


def test_missing_override_file(tmp_path):
    text = edited(
        'override_file = "calendar-overrides.toml"', 'override_file = "no-such-overrides.toml"'
    )
    fails(tmp_path, text, "calendars.CN.override_file", "not found", "no-such-overrides.toml")


def test_invalid_override_file(tmp_path):
    fails(
        tmp_path,
        DEFAULT,
        "calendars.CN.override_file",
        "calendar-overrides.toml",
        overrides="holidays = [2026-13-01]\n",
    )


def test_override_file_with_a_bad_date(tmp_path):
    path = write_policy(tmp_path, DEFAULT, overrides='holidays = ["the first of May"]\n')
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "calendar-overrides.toml"))
    assert "holidays" in message and "'the first of May' is not a date" in message


def test_override_file_with_a_date_in_both_lists(tmp_path):
    path = write_policy(
        tmp_path,
        DEFAULT,
        overrides="holidays = [2027-02-08, 2027-02-09]\nworkdays = [2027-02-06, 2027-02-09]\n",
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "calendar-overrides.toml")), message
    assert "2027-02-09" in message and "2027-02-08" not in message
    assert "holidays" in message and "workdays" in message


def test_policy_and_override_disagree_on_a_date(tmp_path):
    text = edited(
        'country = "CN"   # public holidays',
        'holidays = [2027-02-06]\ncountry = "CN"   # public holidays',
    )
    fails(
        tmp_path,
        text,
        "calendars.CN",
        "2027-02-06",
        "both a holiday and a working day",
        overrides="workdays = [2027-02-06]\n",
    )


# -- durations --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("8h", 8 * H),
        ("90m", 5400),
        ("1h30m", 5400),
        ("45s", 45),
        ("1h 2m 3s", 3723),
        (" 40h ", 40 * H),
    ],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("seconds", [1, 59, 60, 3600, 3723, 40 * H, 86_400 + 1])
def test_format_duration_round_trips(seconds):
    assert parse_duration(format_duration(seconds)) == seconds


def test_override_file_that_is_not_utf8(tmp_path):
    path = write_policy(tmp_path, DEFAULT)
    (tmp_path / "calendar-overrides.toml").write_bytes(b"holidays = []\n# \xff\xfe\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and "calendars.CN.override_file" in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[thresholds]\nwarning = 0.75\ncritical = 0.9\nreopen = 'full'\n", "thresholds.reopen"),
        ("colour = 'red'\n", "colour"),
    ],
)
def test_unknown_keys_are_refused(tmp_path, text, key):
    """A misplaced line (e.g. a top-level key written under a table) is an error, not lost."""
    body = DEFAULT.replace("[thresholds]\nwarning = 0.75\ncritical = 0.90\n", "")
    path = tmp_path / "sla.toml"
    (tmp_path / "calendar-overrides.toml").write_text("", encoding="utf-8")
    # top-level keys must come before the first table
    path.write_text(text + body if text.startswith("colour") else body + "\n" + text, "utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert key in str(err.value)
    assert "unknown key" in str(err.value)

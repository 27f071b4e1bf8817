"""The calendar file cache lives outside the SLA engine: ``oncall/sla`` writes no file,
the command line hands the engine its ``CalendarCache`` (``oncall/calendar_cache.py``)."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from oncall import calendar_cache
from oncall.calendar_cache import CALENDAR_CACHE
from oncall.cli import main
from oncall.resources import data_path
from oncall.sla import calendar as calendar_mod
from oncall.sla import load_policy
from oncall.sla.calendar import WorkingCalendar
from oncall.sla.served import served_range

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def cache_dir(monkeypatch, tmp_path):
    """An empty cache folder, and none of what this process already read or worked out
    (another test in the same worker may have filled the memos)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ONCALL_CACHE_DIR", str(folder))
    monkeypatch.setattr(calendar_cache, "_READ", {})
    monkeypatch.setattr(calendar_cache, "_FIRST_YEARS", {})
    return folder


def test_the_engine_writes_no_file(cache_dir):
    """A policy loaded without a cache answers every calendar question and leaves no file."""
    policy = load_policy(data_path("sla.toml"))
    cn = policy.calendars["CN"]
    assert cn.day_kind(date(2026, 10, 1)) is calendar_mod.DayKind.OFF  # National Day
    assert cn.weekend_days() == frozenset({5, 6})
    assert served_range(policy, datetime(2026, 3, 4, tzinfo=SH)).first.astimezone(SH).year >= 1970
    assert not cache_dir.exists()


def test_the_command_line_keeps_the_countries_days_in_the_cache(cache_dir, capsys):
    argv = ["sla", "due", "--level", "2", "--channel", "phone"]
    assert main([*argv, "--reported-at", "2026-01-05T10:00"]) == 0
    files = sorted(p.name for p in cache_dir.iterdir())
    assert any(name.startswith("calendar-v2-CN-") for name in files), files
    assert any(name.startswith("first-year-calendar-v2-CN-") for name in files), files
    (cached,) = [p for p in cache_dir.iterdir() if p.name.startswith("calendar-v2-CN-")]
    assert "2026" in json.loads(cached.read_text(encoding="utf-8"))


def test_a_cached_year_is_not_asked_of_the_package_again(cache_dir, monkeypatch):
    cn = WorkingCalendar("CN", country="CN", countries=CALENDAR_CACHE)
    first = cn.day_kind(date(2026, 10, 1))

    def no_package(*_args):
        raise AssertionError("asked the holidays package for a cached year")

    monkeypatch.setattr(calendar_mod, "from_package", no_package)
    again = WorkingCalendar("CN", country="CN", countries=CALENDAR_CACHE)
    assert again.day_kind(date(2026, 10, 1)) is first
    assert again.weekend_days() == frozenset({5, 6})
    # Without the cache the engine asks the package each time.
    with pytest.raises(AssertionError, match="asked the holidays package"):
        WorkingCalendar("CN", country="CN").day_kind(date(2026, 10, 1))

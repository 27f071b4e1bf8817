"""The console's small parts: countdowns, column layout, partial repaints, filters."""

from __future__ import annotations

import sys

import pytest

from oncall.text import cell_width
from oncall.tui import fmt
from oncall.tui.filters import QueueFilter
from oncall.tui.lines import changed_span
from oncall.tui.queue import layout_columns


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "-"),
        (0, "0:00:00"),
        (-725, "-0:12:05"),
        (3599, "0:59:59"),
        (3600, "1h00m"),
        (3930, "1h05m"),
        (-3 * 3600 - 300, "-3h05m"),
        (86_399, "23h59m"),
        (2 * 86_400 + 4 * 3600 + 59, "2d 04h"),
        (-(11 * 86_400), "-11d 00h"),
    ],
)
def test_countdowns_show_seconds_only_within_an_hour(seconds, shown):
    assert fmt.countdown(seconds) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "-"),
        (0, "0s"),
        (59, "59s"),
        (-59, "-59s"),
        (60, "1m"),
        (-725, "-12m"),
        (3599, "59m"),
        (3600, "1h00m"),
        (-3 * 3600 - 300, "-3h05m"),
        (2 * 86_400 + 4 * 3600 + 59, "2d 04h"),
    ],
)
def test_queue_rows_show_seconds_only_in_the_last_minute(seconds, shown):
    assert fmt.row_countdown(seconds) == shown


@pytest.mark.parametrize("width", [60, 73, 80, 100, 120, 200])
def test_columns_fill_the_width_and_keep_the_essentials(width):
    columns = layout_columns(width)
    keys = [c.key for c in columns]
    assert {"band", "left", "level", "customer", "title"} <= set(keys)
    last = columns[-1]
    assert last.x + last.width == width
    if width >= 120:
        assert "ref" in keys and "assignee" in keys


def test_a_tick_repaints_only_the_changed_cells():
    old = [("10:00:00", "t"), (" │ ", "s"), ("BRCH 2", "b")]
    new = [("10:00:01", "t"), (" │ ", "s"), ("BRCH 2", "b")]
    assert changed_span(old, new) == (7, 8)
    assert changed_span(old, old) is None
    # wide characters count two cells, and repaint whole
    assert changed_span([("华东电网", "")], [("华东电力", "")]) == (6, 8)
    assert changed_span([("a", "x")], [("a", "y")]) == (0, 1)  # a style change counts
    # A line that grew or shrank moved everything after the change: to the end.
    old = [("alerts 0", "a"), (" │ duty │ sqlite:/tmp/desk.sqlite3", "")]
    new = [("alerts 41", "a"), (" │ duty │ sqlite:/tmp/desk.sqlite3", "")]
    assert changed_span(old, new) == (7, 43)
    assert changed_span(new, old) == (7, 43)


def test_fit_keeps_cjk_columns_aligned():
    from oncall.text import fit

    for text in ("华东电网调度中心/EMS", "Contoso Hospital Group/HIS", "短"):
        assert cell_width(fit(text, 13)) == 13


class _Fault:
    def __init__(self, **kw):
        base = dict(
            ref="F-1",
            title="EMS down",
            customer="华东电网",
            system="EMS",
            contact="张工",
            assignee="alice",
            status="new",
            level=1,
        )
        base.update(kw)
        self.__dict__.update(base)


class _Item:
    def __init__(self, band="ok", **kw):
        self.fault = _Fault(**kw)
        self.band = band


def test_filters():
    item = _Item(band="breached")
    assert QueueFilter().matches(item, "bob")
    assert not QueueFilter(mine=True).matches(item, "bob")
    assert QueueFilter(mine=True).matches(item, "alice")
    assert QueueFilter(level=1, band="breached", customer="华东电网").matches(item, None)
    assert not QueueFilter(level=0).matches(item, None)
    assert QueueFilter(text="ems").matches(item, None)
    assert QueueFilter(text="张工").matches(item, None)
    assert not QueueFilter(text="scada").matches(item, None)
    assert not QueueFilter().active and QueueFilter(text="x").active
    assert QueueFilter().next_show().show == "resolved"


def test_oncall_without_a_terminal_says_so(capsys, monkeypatch):
    from oncall.cli import main

    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main([]) == 2
    assert "needs a terminal" in capsys.readouterr().err


def test_oncall_with_no_subcommand_opens_the_console_on_the_configured_database(
    engine, db_url, tmp_path, monkeypatch
):
    from oncall.cli import main
    from oncall.tui.app import OncallApp

    seen = {}

    def fake_run(self):
        desk = self.open_desk()  # what the console's backend thread calls
        seen["switch"] = sys.getswitchinterval()  # hand-overs between threads: 1 ms
        seen["url"] = str(desk.engine.url)
        seen["user"] = desk.user
        seen["language"] = __import__("oncall.i18n").i18n.language()
        return 0

    (tmp_path / "config.toml").write_text('language = "zh_CN"\n')
    monkeypatch.setattr(OncallApp, "run", fake_run)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.delenv("ONCALL_USER", raising=False)
    monkeypatch.setattr("oncall.identity.real_user", lambda: "duty")
    monkeypatch.setenv("ONCALL_CONFIG", str(tmp_path / "config.toml"))
    try:
        assert main(["--db", db_url]) == 0
    finally:
        __import__("oncall.i18n").i18n.set_language("en")
    assert seen == {"url": db_url, "user": "duty", "language": "zh_CN", "switch": 0.001}
    assert sys.getswitchinterval() == 0.005  # Python's own, back after the console

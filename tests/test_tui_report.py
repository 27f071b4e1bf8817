"""The console's report key (``P``): the report on screen, the printable page written to
the reports folder (the screen says where); snapshots at 80x24 and 120x40, both languages."""

from __future__ import annotations

import pytest
from report_support import REPORT_NOW, known_fault
from tui_support import make_app, settle, until

from oncall.clock import FixedClock
from oncall.tui.report_screen import ReportScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def home(tmp_path, monkeypatch):
    """The reports folder under a home of the test's own (shown as ~ on the screen)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    return tmp_path


@pytest.fixture
def clock():
    return FixedClock(REPORT_NOW)


async def _open_report(pilot) -> None:
    await settle(pilot)
    await pilot.press("d", "d")  # the closed list: the known fault
    await settle(pilot)
    await pilot.press("P")
    await until(pilot, lambda: isinstance(pilot.app.screen, ReportScreen))
    await settle(pilot)


async def test_the_key_shows_the_report_and_writes_the_page(desk, home):
    ref = known_fault(desk)
    app = make_app(desk, desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_report(pilot)
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        page = home / ".local/share/oncall/reports" / f"{ref}.html"
        assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        written = str(screen.query_one("#report-written").render())
        assert written == f"Written to ~/.local/share/oncall/reports/{ref}.html"
        text = str(screen.query_one("#report-text").render())
        assert "breached by 0:30:00" in text and "张工, 2026-03-10 12:15" in text
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ReportScreen)


async def test_a_folder_it_cannot_write_is_said_on_the_screen(desk, home):
    known_fault(desk)
    (home / ".local/share/oncall").mkdir(parents=True)
    (home / ".local/share/oncall/reports").write_text("a file, not a folder")
    app = make_app(desk, desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_report(pilot)
        written = str(app.screen.query_one("#report-written").render())
        assert written.startswith("Not written: ")


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("size", SIZES)
def test_report_screen(snap_compare, desk, home, size, language):
    known_fault(desk)
    app = make_app(desk, desk.clock, language=language)
    assert snap_compare(app, terminal_size=size, run_before=_open_report)

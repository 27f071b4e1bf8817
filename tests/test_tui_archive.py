"""The console's customer archive: ``C`` on a fault, ``K`` for the customer list and
Enter on one; snapshots of both screens at 80x24 and 120x40, English and Chinese."""

from __future__ import annotations

import pytest
from report_support import REPORT_NOW, known_fault
from tui_support import make_app, settle, until

from oncall.clock import FixedClock
from oncall.tui.archive_screen import ArchiveScreen, CustomersScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def clock():
    return FixedClock(REPORT_NOW)


@pytest.fixture
def archived(desk):
    """The known fault (closed), the customer's requirements and notes filled."""
    desk.customers.edit("华东电网", requirements="重大故障一天到场", usage_notes="调度中心\x1b[31m")
    return known_fault(desk)


async def _from_the_fault(pilot) -> None:
    await settle(pilot)
    await pilot.press("d", "d")  # the closed list: the known fault
    await settle(pilot)
    await pilot.press("C")
    await until(pilot, lambda: isinstance(pilot.app.screen, ArchiveScreen))
    await settle(pilot)


async def _the_list(pilot) -> None:
    await settle(pilot)
    await pilot.press("d", "d")  # behind the list: the closed list, the known fault
    await settle(pilot)
    await pilot.press("K")
    await until(pilot, lambda: isinstance(pilot.app.screen, CustomersScreen))
    await settle(pilot)


async def test_from_the_fault_and_from_the_list(desk, archived):
    app = make_app(desk, desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _from_the_fault(pilot)
        assert isinstance(app.screen, ArchiveScreen)
        text = str(app.screen.query_one("#archive-text").render())
        assert "Requirements\n  重大故障一天到场" in text
        assert "调度中心\\e[31m" in text and "\x1b" not in text
        assert f"{archived}" in text and "solution: breached by 0:30:00" in text
        assert "Signed for the customer: 张工 03-10 12:15" in text
        await pilot.press("escape")
        await settle(pilot)
        await _the_list(pilot)
        assert isinstance(app.screen, CustomersScreen)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ArchiveScreen))
        await settle(pilot)
        assert isinstance(app.screen, ArchiveScreen)
        assert app.screen.archive.customer.name == "华东电网"


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("size", SIZES)
def test_archive_screen(snap_compare, desk, archived, size, language):
    app = make_app(desk, desk.clock, language=language)
    assert snap_compare(app, terminal_size=size, run_before=_from_the_fault)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("size", SIZES)
def test_customers_screen(snap_compare, desk, archived, size, language):
    app = make_app(desk, desk.clock, language=language)
    assert snap_compare(app, terminal_size=size, run_before=_the_list)

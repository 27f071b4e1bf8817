"""Snapshots of the alerts screen with a withdrawn alert: 80x24 and 120x40, English and
Chinese. A warning that stands (answered after it) and a breach taken back by a
response logged after the fact, dated a minute before the deadline.

Update after an intended change: pytest tests/test_alerts_withdrawn_snapshots.py --snapshot-update
"""

# ruff: noqa: F811  (the fixtures are imported)

from __future__ import annotations

from datetime import timedelta

import pytest
from alerts_support import BREACH, WARNING, started
from tui_support import make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _withdrawn_screen(desk, clock, fault):
    async def run_before(pilot) -> None:
        from oncall.tui.alerts_bridge import attach_alerts
        from oncall.tui.alerts_screen import AlertsScreen

        await settle(pilot)
        app = pilot.app
        service = attach_alerts(app, desk, None, clock, poll_every=3600)
        app.alerts = service  # closed with the app
        await started(pilot, service)
        service.on_alert.clear()  # no toasts: the screen is what is shown
        service.on_withdrawn.clear()
        for instant in (WARNING, BREACH + timedelta(minutes=5)):
            clock.set(instant)
            await service.sync()
        desk.faults.respond(fault.ref, version=None, how="phone", at=BREACH - timedelta(minutes=1))
        await service.sync()
        app.push_screen(AlertsScreen(service))
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_alerts_screen_with_a_withdrawn_alert(snap_compare, desk, clock, fault, size, language):
    app = make_app(desk, clock, language=language)
    assert snap_compare(app, terminal_size=size, run_before=_withdrawn_screen(desk, clock, fault))

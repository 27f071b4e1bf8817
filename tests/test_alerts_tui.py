"""Alerts in the console: toasts, the bell, the header count, the alerts screen, and
an alert a few seconds ahead that fires in the running console in real time.

Nothing waits for a length of time: each step waits for what shows it happened.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from alerts_support import BREACH, CRITICAL, WARNING, alert_rows, started, wait_until
from catchup_support import morning_calls
from desk_support import log_fault, one_customer_desk
from sqlalchemy import select
from tui_support import make_app, settle

from oncall.alerts import AlertSettings
from oncall.clock import SystemClock
from oncall.config import Config
from oncall.store.models import Fault
from oncall.tui.alerts_bridge import attach_alerts
from oncall.tui.alerts_screen import AlertsScreen


@pytest.fixture(autouse=True)
def _no_hook_from_the_environment(monkeypatch):
    monkeypatch.delenv("ONCALL_NOTIFY_COMMAND", raising=False)


class Seen:
    """What the app showed: toasts and bells."""

    def __init__(self, app) -> None:
        self.toasts: list[dict] = []
        self.bells = 0
        notify, bell = app.notify, app.bell

        def record_notify(message, **kwargs):
            self.toasts.append({"message": message, **kwargs})
            notify(message, **kwargs)

        def record_bell():
            self.bells += 1
            bell()

        app.notify = record_notify
        app.bell = record_bell


async def test_toasts_the_bell_and_the_header_count(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = Seen(app)
        service = attach_alerts(app, desk, None, clock, poll_every=3600)
        await started(pilot, service)
        clock.set(WARNING)
        await service.sync()
        await pilot.pause()
        (toast,) = seen.toasts
        assert toast["title"] == f"Warning · {fault.ref}"
        assert toast["severity"] == "warning"
        assert toast["message"].splitlines()[0] == "respond: 0:30:00 left, due 2026-03-10 11:00"
        assert "华东电网 · EMS: EMS front end drops telemetry" in toast["message"]
        assert seen.bells == 0  # no bell for a warning
        assert "alerts 1" in app.main.header.plain()
        clock.set(BREACH + timedelta(minutes=5))  # critical missed: the breach alone, late
        await service.sync()
        # a late alert waits to see if a burst follows, then shows
        await wait_until(lambda: len(seen.toasts) == 2)
        assert [t["title"] for t in seen.toasts][1:] == [f"Breach · {fault.ref}"]
        breach = seen.toasts[1]
        assert breach["severity"] == "error"
        assert breach["message"].splitlines()[0] == "respond deadline 2026-03-10 11:00 passed"
        assert breach["message"].splitlines()[-1] == "Fired late, by 5m"
        assert seen.bells == 1
        assert "alerts 2" in app.main.header.plain()
        service.close()


async def test_the_bell_can_be_turned_off(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = Seen(app)
        config = Config(path=None, values={"bell": False})
        service = attach_alerts(app, desk, config, clock, poll_every=3600)
        await started(pilot, service)
        assert service.settings == AlertSettings(bell=False)
        clock.set(CRITICAL)
        await service.sync()
        await pilot.pause()
        assert [t["severity"] for t in seen.toasts] == ["error"]
        assert seen.bells == 0
        service.close()


async def test_the_alerts_screen_lists_newest_first_and_acknowledges(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(140, 40)) as pilot:
        service = attach_alerts(app, desk, None, clock, poll_every=3600)
        await started(pilot, service)
        for instant in (WARNING, CRITICAL):
            clock.set(instant)
            await service.sync()
        screen = AlertsScreen(service)
        app.push_screen(screen)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = screen.table
        assert table.row_count == 2
        first = [str(c) for c in table.get_row_at(0)]
        second = [str(c) for c in table.get_row_at(1)]
        assert first[0] == "●" and first[2] == "Critical" and first[3] == fault.ref
        assert first[4] == "respond" and first[1] == "03-10 10:48"
        assert second[2] == "Warning"
        await pilot.press("a")  # acknowledge the one under the cursor (the newest)
        await app.workers.wait_for_complete()
        await pilot.pause()
        rows = {r.threshold: r for r in alert_rows(desk.engine)}
        assert rows["critical"].acked_by == "duty" and rows["critical"].acked_at == CRITICAL
        assert rows["warning"].acked_at is None
        assert [str(c) for c in table.get_row_at(0)][0] == " "
        assert "alerts 1" in app.main.header.plain()
        await pilot.press("A")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert all(r.acked_at is not None for r in alert_rows(desk.engine))
        assert app.unacked_alerts == 0
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main
        service.close()


async def test_the_alerts_screen_shows_a_delivery_unknown_and_resends_it_on_r(desk, clock, fault):
    from sqlalchemy import update

    from oncall.store.alert_models import Alert

    app = make_app(desk, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        seen = Seen(app)
        service = attach_alerts(app, desk, None, clock, poll_every=3600)
        await started(pilot, service)
        for instant in (WARNING, CRITICAL):
            clock.set(instant)
            await service.sync()
        rows = {r.threshold: r for r in alert_rows(desk.engine)}
        with desk.engine.begin() as conn:  # its sender died mid-send; the other was sent
            table = Alert.__table__
            conn.execute(
                update(table)
                .where(table.c.id == rows["critical"].id)
                .values(notify_state="unknown", notify_by="watch", notify_pid=7)
            )
            conn.execute(
                update(table).where(table.c.id == rows["warning"].id).values(notify_state="sent")
            )
        screen = AlertsScreen(service)
        app.push_screen(screen)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        notify_column = 7
        cells = [str(screen.table.get_row_at(n)[notify_column]) for n in (0, 1)]
        assert cells == ["delivery unknown", "sent"]
        note = str(screen.query_one("#alerts-note").render())
        assert "1 with delivery unknown: R sends one again." in note
        await pilot.press("R")  # the cursor is on the newest: the unknown one
        await app.workers.wait_for_complete()
        await pilot.pause()
        again = {r.threshold: r for r in alert_rows(desk.engine)}["critical"]
        assert again.notify_state is None and again.notify_resent_by == "duty"
        assert again.notify_resent_at == CRITICAL
        assert seen.toasts[-1]["message"] == f"Alert {again.id} will be sent again."
        assert str(screen.table.get_row_at(0)[notify_column]) == "not sent"
        await pilot.press("down", "R")  # a sent alert is not sent again
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert seen.toasts[-1]["severity"] == "warning"
        assert {r.threshold: r for r in alert_rows(desk.engine)}["warning"].notify_state == "sent"
        service.close()


async def test_the_console_toasts_a_delivery_it_finds_unknown(desk, clock, fault):
    from datetime import timedelta

    from sqlalchemy import update

    from oncall.store.alert_models import Alert

    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = Seen(app)
        service = attach_alerts(app, desk, None, clock, poll_every=3600)
        await started(pilot, service)
        clock.set(WARNING)
        await service.sync()
        service.close()
        with desk.engine.begin() as conn:  # a watcher and its supervisor died mid-send
            conn.execute(
                update(Alert.__table__).values(
                    notify_state="sending",
                    notify_by="watch",
                    notify_pid=7,
                    notify_claimed_at=WARNING - timedelta(hours=1),
                )
            )
        paging = attach_alerts(
            app, desk, None, clock, settings=AlertSettings(notify_command="true"), poll_every=3600
        )
        await started(pilot, paging)
        await pilot.pause()
        (toast,) = [t for t in seen.toasts if "Delivery unknown" in t["message"]]
        assert toast["message"].startswith(f"Delivery unknown for {fault.ref} (Warning): ")
        assert toast["severity"] == "error"
        assert [r.notify_state for r in alert_rows(desk.engine)] == ["unknown"]
        paging.close()


def fault_id_of(engine, ref: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(Fault.id).where(Fault.ref == ref)).scalar_one()


async def test_an_alert_seconds_ahead_fires_in_the_running_console(engine, policy):
    """Real time: the scheduler's job fires it, not the poll nor a test calling sync()."""
    clock = SystemClock()
    desk = one_customer_desk(engine, policy, clock)
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = Seen(app)
        service = attach_alerts(app, desk, None, clock, poll_every=100_000)  # no poll
        await started(pilot, service)
        # A level-0 fault (7x24) whose respond clock warns `lead` seconds after it is
        # logged. The sync plans it; if this machine took longer than `lead` to get
        # there the sync fired it itself, late, and a fault with a longer lead is
        # logged: whatever the machine's speed, one warning is left to the job.
        for lead in (2, 8, 32, 128):
            fault = log_fault(
                desk,
                title=f"down ({lead} s)",
                level=0,
                at=clock.now() - timedelta(minutes=45) + timedelta(seconds=lead),
            )
            await service.sync()
            fault_id = fault_id_of(engine, fault.ref)
            plans = [
                p
                for p in service.planned()
                if (p.key.fault_id, p.key.clock, p.key.threshold)
                == (fault_id, "respond", "warning")
            ]
            if plans:
                break
        (plan,) = plans
        title = f"Warning · {fault.ref}"
        await wait_until(lambda: title in [t["title"] for t in seen.toasts])
        (row,) = [r for r in alert_rows(engine) if r.fault_id == fault_id]
        assert (row.clock, row.threshold) == ("respond", "warning")
        assert row.planned_at == plan.planned_at
        assert row.fired_at >= row.planned_at  # never early (how punctual: bench/)
        assert [t["title"] for t in seen.toasts].count(title) == 1
        await pilot.pause()
        assert f"alerts {len(alert_rows(engine))}" in app.main.header.plain()
        service.close()


def integrated_app(desk, clock):
    """The console as `oncall` runs it: the alert service starts with the main screen."""
    from oncall.tui.app import OncallApp

    return OncallApp(
        lambda: desk,
        clock,
        None,
        user=desk.user,
        language="en",
        theme="textual-dark",
        tick=False,
        alerts=True,
    )


async def wait_for_alerts(pilot):
    await wait_until(lambda: pilot.app.alerts is not None)
    return pilot.app.alerts


async def test_the_integrated_console_catches_up_on_its_own_desk(desk, clock, fault):
    clock.set(BREACH + timedelta(hours=1))
    app = integrated_app(desk, clock)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await started(pilot, await wait_for_alerts(pilot))
        await pilot.pause()
        assert app.alerts.desk is app.backend.desk
        # the respond breach, missed while nothing ran
        assert [(r.clock, r.threshold) for r in alert_rows(desk.engine)] == [("respond", "breach")]
        assert app.unacked_alerts == 1
        await pilot.press("exclamation_mark")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AlertsScreen) and app.screen.table.row_count == 1
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.unacked_alerts == 0
        await pilot.press("escape")
    assert not app.alerts.running  # closed on unmount


async def test_a_catch_up_burst_is_one_summary_toast_not_a_screenful(desk, clock):
    """Four faults breached while no console ran: one toast says so, the list has them all."""
    for n in range(4):
        desk.faults.log(
            customer="华东电网",
            system="EMS",
            title=f"fault {n}",
            level=1,
            channel="phone",
            at=clock.now().replace(hour=1),
        )
    clock.set(BREACH + timedelta(minutes=30))  # every respond clock breached long ago
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = Seen(app)
        service = attach_alerts(app, desk, None, clock, poll_every=3600)
        await started(pilot, service)
        await wait_until(lambda: seen.toasts)  # all at once, when the burst ends
        await pilot.pause()
        assert len(seen.toasts) == 1
        (toast,) = seen.toasts
        assert toast["message"].startswith("4 alerts (4 Breach)")
        assert "Press ! to list them" in toast["message"]
        assert toast["severity"] == "error"
        assert seen.bells == 1
        assert "alerts 4" in app.main.header.plain()
        service.close()


WITHDRAWN = {
    "en": "Withdrawn: Breach · {ref} (respond), by an entry logged later",
    "zh_CN": "已撤回：超时 · {ref}（响应），依据后补的记录",
}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
async def test_a_withdrawn_alert_is_a_one_line_toast(desk, clock, fault, language):
    app = make_app(desk, clock, language=language)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = Seen(app)
        service = attach_alerts(app, desk, None, clock, poll_every=3600)
        await started(pilot, service)
        clock.set(BREACH)
        await service.sync()
        assert len(seen.toasts) == 1  # the breach
        # answered at 10:50, logged now: the breach is taken back
        desk.faults.respond(fault.ref, version=None, how="phone", at=BREACH - timedelta(minutes=10))
        await service.sync()
        await pilot.pause()
        toast = seen.toasts[-1]
        assert toast["message"] == WITHDRAWN[language].format(ref=fault.ref)
        assert toast["severity"] == "information" and len(seen.toasts) == 2
        service.close()


async def test_a_burst_of_withdrawn_alerts_is_one_toast(desk, clock):
    refs = morning_calls(desk, clock, 4)
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = Seen(app)
        service = attach_alerts(app, desk, None, clock, poll_every=3600)
        await started(pilot, service)
        clock.set(BREACH)
        await service.sync()
        before = len(seen.toasts)
        for ref in refs:
            desk.faults.respond(ref, version=None, how="phone", at=BREACH - timedelta(minutes=10))
        await service.sync()
        await pilot.pause()
        assert [t["message"] for t in seen.toasts[before:]] == [
            "4 alerts withdrawn, by entries logged later"
        ]
        service.close()


async def test_no_toast_covers_the_alerts_list_and_they_come_back_over_the_queue(
    desk, clock, fault
):
    from textual.widgets._toast import Toast

    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        service = attach_alerts(app, desk, None, clock, poll_every=3600)
        await started(pilot, service)
        app.notify("Breach · F-1", timeout=600)
        app.push_screen(AlertsScreen(service))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AlertsScreen)
        assert [t for t in app.screen.query(Toast) if t.region.area] == []
        app.pop_screen()
        await pilot.pause()
        await pilot.pause()
        assert [t for t in app.screen.query(Toast) if t.region.area]

"""The notify hook: its JSON on stdin, one sender among several schedulers, failures."""

# ruff: noqa: F811  (the fixtures are imported from alerts_support)

from __future__ import annotations

import asyncio
import json
import logging
import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from alerts_support import (  # noqa: F401  (fixtures)
    BREACH,
    CRITICAL,
    HANG,
    WARNING,
    alert_rows,
    hook_settings,
    notify_states,
    open_for_writing,
    other_desk,
    sending,
    services,
    wait_until,
)
from sqlalchemy import update

from oncall.alerts import AlertRecord, AlertSettings, payload, run_hook
from oncall.config import Config
from oncall.store.alert_models import Alert

SH = ZoneInfo("Asia/Shanghai")


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie does not), killed processes being reaped by init."""
    try:
        status = open(f"/proc/{pid}/status").read()  # noqa: SIM115, PTH123
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_the_payload_format():
    alert = AlertRecord(
        id=17,
        fault_id=3,
        ref="F-2026-00042",
        title="EMS front end drops telemetry",
        customer="华东电网",
        system="EMS",
        level=1,
        clock="respond",
        threshold="breach",
        deadline=datetime(2026, 3, 10, 3, 0, tzinfo=UTC),
        planned_at=datetime(2026, 3, 10, 3, 0, tzinfo=UTC),
        fired_at=datetime(2026, 3, 10, 3, 0, 12, 345678, tzinfo=UTC),
        late_seconds=12.345678,
        fired_by="watch:oncall@jump1:4242",
    )
    assert payload(alert, SH) == {
        "alert": 17,
        "fault": "F-2026-00042",
        "title": "EMS front end drops telemetry",
        "customer": "华东电网",
        "system": "EMS",
        "level": 1,
        "clock": "respond",
        "threshold": "breach",
        "deadline": "2026-03-10T11:00:00+08:00",
        "planned_at": "2026-03-10T11:00:00+08:00",
        "fired_at": "2026-03-10T11:00:12+08:00",
        "late": True,
        "late_seconds": 12.346,
        "fired_by": "watch:oncall@jump1:4242",
    }


def test_settings_from_the_config_and_the_environment():
    config = Config(
        path=None,
        values={"notify_command": "page-duty", "notify_timeout": 3, "notify_retries": 5},
    )
    settings = AlertSettings.from_config(config, env={})
    assert settings == AlertSettings("page-duty", 3.0, 5, True)
    assert AlertSettings.from_config(
        config, env={"ONCALL_NOTIFY_COMMAND": "other"}
    ).notify_command == ("other")
    quiet = AlertSettings.from_config(Config(path=None, values={"bell": False}), env={})
    assert quiet == AlertSettings(None, 10.0, 2, False)
    assert AlertSettings.from_config(None, env={}).notify_command is None


async def test_run_hook_passes_stdin_and_reports_failures(tmp_path):
    out = tmp_path / "got.json"
    ok = await run_hook(f'cat > "{out}"', b'{"a": 1}\n', 5)
    assert ok.ok and out.read_text() == '{"a": 1}\n'
    bad = await run_hook("echo no route to pager >&2; exit 3", b"{}", 5)
    assert not bad.ok and bad.error == "the notify command exited with status 3: no route to pager"
    # It never ends by itself: run_hook returns by its timeout, having killed the
    # shell and what it started (the sleep, in the background: its pid in a file).
    pid_file = tmp_path / "sleep.pid"
    hung = await asyncio.wait_for(
        run_hook(f'sleep 100000 & echo $! > "{pid_file}"; wait', b"{}", 0.3), HANG
    )
    assert not hung.ok and "timed out after 0.3 s" in hung.error
    if pid_file.exists() and pid_file.read_text().strip():  # the shell got that far
        # SIGKILL is delivered when the kernel next runs the sleep: wait for its end
        # (unkilled, it would sleep 100000 s: the bound fails the test).
        pid = int(pid_file.read_text())
        async with asyncio.timeout(HANG):
            while alive(pid):
                await asyncio.sleep(0.01)
    deaf = await run_hook("exit 0", b"x" * 1_000_000, 5)  # does not read stdin: fine
    assert deaf.ok


async def test_the_hook_gets_each_alert_as_one_json_object(desk, clock, fault, services, tmp_path):
    rec = services(desk, settings=hook_settings(f'cat > "{tmp_path}/$$.json"'))
    await rec.service.start()
    clock.set(WARNING)
    await rec.service.sync()
    await wait_until(lambda: notify_states(desk.engine) == [("sent", 1)])
    (file,) = tmp_path.glob("*.json")
    sent = json.loads(file.read_text())
    assert sent == payload(rec.shown[0], SH)
    assert sent["fault"] == fault.ref and sent["clock"] == "respond"
    assert sent["threshold"] == "warning" and sent["deadline"] == "2026-03-10T11:00:00+08:00"
    assert sent["planned_at"] == sent["fired_at"] == "2026-03-10T10:30:00+08:00"
    assert sent["late_seconds"] == 0 and sent["late"] is False
    assert sent["customer"] == "华东电网" and sent["level"] == 1


async def test_one_sender_per_alert_among_two_schedulers(
    desk, clock, fault, services, other_desk, tmp_path
):
    command = f'cat > "{tmp_path}/$$.json"'
    one = services(desk, settings=hook_settings(command))
    two = services(other_desk, settings=hook_settings(command))
    await asyncio.gather(one.service.start(), two.service.start())
    for n, instant in enumerate((WARNING, CRITICAL, BREACH), start=1):
        clock.set(instant)
        await asyncio.gather(one.service.sync(), two.service.sync())
        # Sent before the test clock jumps on: a jump past the claim's lease (here
        # 18 and 12 minutes in a few milliseconds) would rightly let the other
        # scheduler take over a send still under way, as if its sender had died.
        await wait_until(lambda n=n: [s for s, _ in notify_states(desk.engine)] == ["sent"] * n)
    assert len(one.shown) == len(two.shown) == 3  # both consoles show all three
    await wait_until(lambda: [s for s, _ in notify_states(desk.engine)] == ["sent"] * 3)
    await wait_until(lambda: not sending(one, two))  # both tried to send each: done
    sent = [json.loads(f.read_text()) for f in tmp_path.glob("*.json")]
    assert sorted(s["alert"] for s in sent) == [r.id for r in alert_rows(desk.engine)]
    assert sorted(s["threshold"] for s in sent) == ["breach", "critical", "warning"]


async def test_a_failing_hook_is_retried_a_bounded_number_of_times(
    desk, clock, fault, services, tmp_path, caplog
):
    calls = tmp_path / "calls"
    failed = []
    rec = services(
        desk,
        settings=hook_settings(
            f'echo x >> "{calls}"; echo pager down >&2; exit 3', notify_retries=2
        ),
        notify_backoff=0.01,
    )
    rec.service.on_notify_failed.append(lambda alert, error: failed.append((alert.id, error)))
    caplog.set_level(logging.WARNING, logger="oncall.alerts")
    await rec.service.start()
    clock.set(CRITICAL)
    await rec.service.sync()
    await wait_until(lambda: failed)  # told once the supervisor recorded the outcome
    assert notify_states(desk.engine) == [("failed", 3)]
    assert calls.read_text().count("x") == 3  # 1 + 2 retries, then it gives up
    (row,) = alert_rows(desk.engine)
    assert row.notify_error == "the notify command exited with status 3: pager down"
    assert row.notify_exit == 3
    assert failed == [(row.id, row.notify_error)]
    assert any("giving up" in r.message for r in caplog.records)
    rec.service._last_backlog = None  # this poll looks for unsent alerts too
    await rec.service.sync()
    await wait_until(lambda: not sending(rec))
    assert calls.read_text().count("x") == 3  # not retried forever


async def test_the_hook_runs_aside_the_alert_is_shown_at_once(
    desk, clock, fault, services, tmp_path
):
    # The command cannot end before this test opens the fifo's other end.
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    rec = services(desk, settings=hook_settings(f'cat "{gate}" > /dev/null', notify_timeout=HANG))
    await rec.service.start()
    clock.set(WARNING)
    await rec.service.sync()
    assert rec.shown_keys() == [("respond", "warning")]  # shown, the hook not done
    writer = None

    def hook_waits() -> bool:
        nonlocal writer
        writer = open_for_writing(gate)
        return writer is not None

    await wait_until(hook_waits)  # the command runs, blocked on the gate
    await rec.service.sync()  # and the service goes on meanwhile
    assert notify_states(desk.engine) == [("sending", 0)] and sending(rec)
    os.close(writer)
    await wait_until(lambda: notify_states(desk.engine) == [("sent", 1)])


async def test_a_hanging_hook_is_killed_retried_and_given_up(desk, clock, fault, services):
    rec = services(
        desk,
        settings=hook_settings("sleep 100000", notify_timeout=0.3, notify_retries=1),
        notify_backoff=0.01,
    )
    await rec.service.start()
    clock.set(WARNING)
    await rec.service.sync()
    assert rec.shown_keys() == [("respond", "warning")]
    await wait_until(lambda: notify_states(desk.engine) == [("failed", 2)])
    (row,) = alert_rows(desk.engine)
    assert row.notify_error == "the notify command timed out after 0.3 s"


async def test_a_console_without_hook_leaves_the_alert_to_a_watcher(
    desk, clock, fault, services, other_desk, tmp_path
):
    console = services(desk)  # no notify command
    await console.service.start()
    clock.set(WARNING)
    await console.service.sync()
    assert notify_states(desk.engine) == [(None, 0)]
    watcher = services(
        other_desk, kind="watch", settings=hook_settings(f'cat > "{tmp_path}/$$.json"')
    )
    await watcher.service.start()
    await watcher.service.sync()  # the backlog: fired, nobody sent it
    await wait_until(lambda: notify_states(desk.engine) == [("sent", 1)])
    assert len(list(tmp_path.glob("*.json"))) == 1
    (row,) = alert_rows(desk.engine)
    assert row.notify_by == watcher.service.name and row.fired_by == console.service.name


async def test_stopping_leaves_a_started_delivery_to_its_supervisor(
    desk, clock, fault, services, other_desk, tmp_path
):
    gate = tmp_path / "go"
    sent = tmp_path / "sent"
    command = f'p=$(cat); while [ ! -e "{gate}" ]; do sleep 0.02; done; echo "$p" >> "{sent}"'
    slow = services(desk, settings=hook_settings(command, notify_timeout=30))
    await slow.service.start()
    clock.set(WARNING)
    await slow.service.sync()
    await wait_until(lambda: alert_rows(desk.engine)[0].notify_pid is not None)
    await slow.service.stop()
    assert notify_states(desk.engine) == [("sending", 0)]  # not given back: it may page
    gate.touch()
    await wait_until(lambda: notify_states(desk.engine) == [("sent", 1)])
    other = services(other_desk, settings=hook_settings(command))
    clock.advance(hours=1)  # past any lease
    await other.service.start()
    await other.service.sync()
    await asyncio.gather(*other.service._tasks)
    (row, *_later) = alert_rows(desk.engine)
    sent_ids = [json.loads(line)["alert"] for line in sent.read_text().splitlines()]
    assert sent_ids.count(row.id) == 1


async def test_a_stale_claim_is_taken_over(desk, clock, fault, services, other_desk, tmp_path):

    crashed = services(desk)
    await crashed.service.start()
    clock.set(WARNING)
    await crashed.service.sync()
    (row,) = alert_rows(desk.engine)
    # a sender that died mid-send: claimed long ago, never finished
    assert desk.alerts.claim_notify(row.id, "dead", WARNING, WARNING)
    watcher = services(other_desk, settings=hook_settings(f'cat > "{tmp_path}/$$.json"'))
    await watcher.service.start()
    await watcher.service.sync()  # looks for unsent alerts: that one is claimed
    await wait_until(lambda: not sending(watcher))
    assert notify_states(desk.engine) == [("sending", 0)]  # still within its lease
    assert not list(tmp_path.glob("*.json"))
    with desk.engine.begin() as conn:  # an hour later, by the claim's age
        conn.execute(update(Alert.__table__).values(notify_claimed_at=WARNING - timedelta(hours=1)))
    watcher.service._last_backlog = None
    await watcher.service.sync()
    await wait_until(lambda: notify_states(desk.engine) == [("sent", 1)])
    assert alert_rows(desk.engine)[0].notify_by == watcher.service.name
    assert len(list(tmp_path.glob("*.json"))) == 1

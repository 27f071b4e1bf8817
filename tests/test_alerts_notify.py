"""The notify hook: its JSON on stdin, one sender among several schedulers, failures."""

# ruff: noqa: F811  (the fixtures are imported from alerts_support)

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from alerts_support import (  # noqa: F401  (fixtures)
    BREACH,
    CRITICAL,
    WARNING,
    alert_rows,
    hook_settings,
    other_desk,
    services,
)
from sqlalchemy import update

from oncall.alerts import AlertRecord, AlertSettings, payload, run_hook
from oncall.config import Config
from oncall.store.alert_models import Alert

SH = ZoneInfo("Asia/Shanghai")


async def wait_until(condition, timeout: float = 5.0) -> None:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)


def notify_states(engine) -> list[tuple]:
    return [(r.notify_state, r.notify_attempts) for r in alert_rows(engine)]


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
    started = time.monotonic()
    hung = await run_hook("sleep 30", b"{}", 0.3)
    assert not hung.ok and "timed out after 0.3 s" in hung.error
    assert time.monotonic() - started < 3
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
    await asyncio.sleep(0.2)  # a second sender would have written by now
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
    await wait_until(lambda: notify_states(desk.engine) == [("failed", 3)])
    assert calls.read_text().count("x") == 3  # 1 + 2 retries, then it gives up
    (row,) = alert_rows(desk.engine)
    assert row.notify_error == "the notify command exited with status 3: pager down"
    assert failed == [(row.id, row.notify_error)]
    assert sum("attempt" in r.message for r in caplog.records) == 3
    assert any("giving up" in r.message for r in caplog.records)
    await rec.service.sync()
    await asyncio.sleep(0.1)
    assert calls.read_text().count("x") == 3  # not retried forever


async def test_a_hanging_hook_never_blocks_the_loop(desk, clock, fault, services):
    rec = services(
        desk,
        settings=hook_settings("sleep 30", notify_timeout=0.3, notify_retries=1),
        notify_backoff=0.01,
    )
    await rec.service.start()
    clock.set(WARNING)
    started = time.monotonic()
    await rec.service.sync()
    assert time.monotonic() - started < 0.5  # the alert is shown; the hook runs aside
    assert rec.shown_keys() == [("respond", "warning")]
    gaps = []
    last = time.monotonic()
    while notify_states(desk.engine) != [("failed", 2)]:
        await asyncio.sleep(0.01)
        now = time.monotonic()
        gaps.append(now - last)
        last = now
        assert now - started < 5
    assert max(gaps) < 0.2
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


async def test_stopping_gives_the_claim_back(desk, clock, fault, services, other_desk, tmp_path):
    slow = services(desk, settings=hook_settings("sleep 30", notify_timeout=60))
    await slow.service.start()
    clock.set(WARNING)
    await slow.service.sync()
    await wait_until(lambda: notify_states(desk.engine) == [("sending", 0)])
    await slow.service.stop()
    assert notify_states(desk.engine) == [(None, 0)]
    fast = services(other_desk, settings=hook_settings(f'cat > "{tmp_path}/$$.json"'))
    clock.advance(seconds=1)
    await fast.service.start()
    await fast.service.sync()
    await wait_until(lambda: notify_states(desk.engine) == [("sent", 1)])
    assert len(list(tmp_path.glob("*.json"))) == 1


async def test_a_stale_claim_is_taken_over(desk, clock, fault, services, other_desk, tmp_path):
    from oncall.alerts import store

    crashed = services(desk)
    await crashed.service.start()
    clock.set(WARNING)
    await crashed.service.sync()
    (row,) = alert_rows(desk.engine)
    # a sender that died mid-send: claimed long ago, never finished
    assert store.claim_notify(desk.engine, row.id, "dead", WARNING, WARNING)
    watcher = services(other_desk, settings=hook_settings(f'cat > "{tmp_path}/$$.json"'))
    await watcher.service.start()
    await watcher.service.sync()
    await asyncio.sleep(0.2)
    assert notify_states(desk.engine) == [("sending", 0)]  # still within its lease
    with desk.engine.begin() as conn:  # an hour later, by the claim's age
        conn.execute(update(Alert.__table__).values(notify_claimed_at=WARNING - timedelta(hours=1)))
    watcher.service._last_backlog = None
    await watcher.service.sync()
    await wait_until(lambda: notify_states(desk.engine) == [("sent", 1)])
    assert alert_rows(desk.engine)[0].notify_by == watcher.service.name
    assert len(list(tmp_path.glob("*.json"))) == 1

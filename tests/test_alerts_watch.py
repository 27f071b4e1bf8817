"""``oncall watch`` as a process: alerts on stdout, the notify hook, SIGTERM, a database
that cannot be reached at start, a schema that does not match."""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import re
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from oncall.clock import SystemClock
from oncall.desk import Desk, SystemInfo

PYTHON = [sys.executable, "-c", "import sys; from oncall.cli import main; sys.exit(main())"]


def environment(folder: Path, config: str = "") -> dict[str, str]:
    (folder / "config.toml").write_text(config, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCALL_")}
    env.update(
        ONCALL_CONFIG=str(folder / "config.toml"),
        XDG_DATA_HOME=str(folder / "data"),
    )
    return env


@pytest.fixture
def live_desk(engine, policy):
    """A desk on the real clock: one fault breached 10 min ago, one that warns 1 s from now."""
    clock = SystemClock()
    desk = Desk(engine, policy, clock, "duty")
    desk.add_engineer("duty", "Duty Officer", "engineer", on_duty=True)
    desk.add_customer("华东电网", systems=[SystemInfo("EMS")])
    # level 0 (7x24): respond within 1 h, warning at 45 min
    desk.log_fault(
        customer="华东电网",
        system="EMS",
        title="down since this morning",
        level=0,
        channel="phone",
        at=clock.now() - timedelta(minutes=70),  # solution proposal warns at 90 min
    )
    desk.log_fault(
        customer="华东电网",
        system="EMS",
        title='slow "alarms"',
        level=0,
        channel="phone",
        at=clock.now() - timedelta(minutes=45) + timedelta(seconds=1),
    )
    return desk


async def start_watch(db_url: str, env: dict[str, str], *args: str):
    return await asyncio.create_subprocess_exec(
        *PYTHON,
        "watch",
        "--db",
        db_url,
        "--poll",
        "0.2",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def read_lines(proc, count: int, timeout: float = 8.0) -> list[str]:
    lines = []
    end = time.monotonic() + timeout
    while len(lines) < count:
        line = await asyncio.wait_for(proc.stdout.readline(), max(end - time.monotonic(), 0.01))
        if not line:
            break
        lines.append(line.decode().rstrip("\n"))
    return lines


async def terminate(proc) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    begun = time.monotonic()
    _out, err = await asyncio.wait_for(proc.communicate(), 10)
    assert time.monotonic() - begun < 5
    return proc.returncode, err.decode()


async def test_watch_logs_each_alert_on_stdout_and_stops_on_sigterm(live_desk, db_url, tmp_path):
    proc = await start_watch(db_url, environment(tmp_path))
    try:
        lines = await read_lines(proc, 2)
    finally:
        code, err = await terminate(proc)
    assert code == 0, err
    assert len(lines) == 2, (lines, err)
    caught_up, live = lines
    # the breach missed while nothing ran: at once, alone, late
    assert " BREACH   F-2026-00001 respond deadline=" in caught_up
    assert re.search(r" level=0 late=60\ds alert=1 ", caught_up)
    assert 'customer="华东电网" title="down since this morning"' in caught_up
    assert "+08:00" in caught_up
    # the warning, live, on time
    assert " WARNING  F-2026-00002 respond " in live and "late=" not in live
    assert 'title="slow \\"alarms\\""' in live
    assert "watching" in err and "stopping" in err and "Traceback" not in err


async def test_watch_json_and_the_notify_command(live_desk, db_url, tmp_path):
    hook = tmp_path / "sent"
    hook.mkdir()
    env = environment(tmp_path, f"notify_command = 'cat > \"{hook}/$$.json\"'\n")
    env.update(ONCALL_USER="mallory", LOGNAME="mallory", USER="mallory")
    proc = await start_watch(db_url, env, "--json")
    try:
        lines = await read_lines(proc, 1)
        alert = json.loads(lines[0])["alert"]
        # the supervisor records "sent" once the command has exited (a bound, not a limit)
        end = time.monotonic() + 30
        while _states(live_desk.engine).get(alert) != "sent" and time.monotonic() < end:
            await asyncio.sleep(0.05)
    finally:
        code, err = await terminate(proc)
    assert code == 0, err
    printed = json.loads(lines[0])
    sent = {}
    for file in hook.glob("*.json"):
        got = json.loads(file.read_text())
        assert got["alert"] not in sent  # once each
        sent[got["alert"]] = got
    assert sent[printed["alert"]] == printed
    assert printed["fault"] == "F-2026-00001" and printed["threshold"] == "breach"
    # the watcher's real OS user, from its uid (ONCALL_USER, LOGNAME, USER cannot change it)
    assert printed["fired_by"].startswith(f"watch:{pwd.getpwuid(os.geteuid()).pw_name}@")


def _states(engine) -> dict[int, str | None]:
    """Each alert's notify state, by id."""
    from sqlalchemy import select

    from oncall.store.alert_models import Alert

    with engine.connect() as conn:
        return dict(conn.execute(select(Alert.id, Alert.notify_state)).all())


async def test_watch_waits_for_an_unreachable_database_and_still_stops_cleanly(tmp_path):
    url = "postgresql+psycopg://oncall@127.0.0.1:9/oncall?connect_timeout=1"
    proc = await start_watch(url, environment(tmp_path))
    await asyncio.sleep(1.2)
    assert proc.returncode is None  # still trying
    code, err = await terminate(proc)
    assert code == 0
    assert "cannot open the database yet, retrying" in err
    assert "Traceback" not in err


async def test_watch_refuses_a_database_without_the_schema(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    proc = await start_watch(f"sqlite:///{empty}", environment(tmp_path))
    out, err = await asyncio.wait_for(proc.communicate(), 10)
    assert proc.returncode == 2
    assert out == b""
    assert "oncall db upgrade" in err.decode() and "Traceback" not in err.decode()

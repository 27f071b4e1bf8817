"""``oncall watch`` as a process: alerts on stdout, the notify hook, SIGTERM, a database
that cannot be reached at start, a schema that does not match."""

from __future__ import annotations

import asyncio
import json
import os
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
        ONCALL_USER="oncall",
    )
    return env


@pytest.fixture
def live_desk(engine, policy):
    """A desk on the real clock with one fault whose respond clock breached 10 min ago."""
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
    return desk


def log_a_fault_that_warns_soon(desk) -> None:
    """A level-0 fault whose respond clock warns 2 s from now."""
    desk.log_fault(
        customer="华东电网",
        system="EMS",
        title='slow "alarms"',
        level=0,
        channel="phone",
        at=desk.clock.now() - timedelta(minutes=45) + timedelta(seconds=2),
    )


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


async def until_stderr(proc, text: str, seen: list[str], timeout: float = 60.0) -> None:
    """Read the process's stderr until a line holds ``text`` (the lines go to ``seen``).

    The watcher says on stderr when it is up: the tests wait for that, not for a
    guess of how long a process takes to start (``timeout`` only ends a hang)."""

    async def read() -> None:
        while True:
            line = (await proc.stderr.readline()).decode()
            assert line, f"stderr ended before {text!r}: {''.join(seen)}"
            seen.append(line)
            if text in line:
                return

    await asyncio.wait_for(read(), timeout)


async def read_lines(proc, count: int, timeout: float = 60.0) -> list[str]:
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
    _out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, err.decode()


async def test_watch_logs_each_alert_on_stdout_and_stops_on_sigterm(live_desk, db_url, tmp_path):
    proc = await start_watch(db_url, environment(tmp_path))
    seen: list[str] = []
    try:
        await until_stderr(proc, "watching", seen)
        log_a_fault_that_warns_soon(live_desk)  # the next poll (0.2 s) plans it
        lines = await read_lines(proc, 2)
    finally:
        code, rest = await terminate(proc)
    err = "".join(seen) + rest
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
    # the file gets its name once the hook has written it all (waited for below)
    command = f'cat > "{hook}/$$.part" && mv "{hook}/$$.part" "{hook}/$$.json"'
    env = environment(tmp_path, f"notify_command = '{command}'\n")
    proc = await start_watch(db_url, env, "--json")
    try:
        lines = await read_lines(proc, 1)
        end = time.monotonic() + 60
        while not list(hook.glob("*.json")) and time.monotonic() < end:
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
    assert printed["fired_by"].startswith("watch:oncall@")


async def test_watch_waits_for_an_unreachable_database_and_still_stops_cleanly(tmp_path):
    url = "postgresql+psycopg://oncall@127.0.0.1:9/oncall?connect_timeout=1"
    proc = await start_watch(url, environment(tmp_path))
    seen: list[str] = []
    await until_stderr(proc, "cannot open the database yet, retrying", seen)
    assert proc.returncode is None  # still trying
    code, rest = await terminate(proc)
    err = "".join(seen) + rest
    assert code == 0, err
    assert "Traceback" not in err


async def test_watch_refuses_a_database_without_the_schema(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    proc = await start_watch(f"sqlite:///{empty}", environment(tmp_path))
    out, err = await asyncio.wait_for(proc.communicate(), 10)
    assert proc.returncode == 2
    assert out == b""
    assert "oncall db upgrade" in err.decode() and "Traceback" not in err.decode()

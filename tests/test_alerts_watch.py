"""``oncall watch`` as a process: alerts on stdout, the notify hook, SIGTERM (at any
moment of its start-up too), a database that cannot be reached at start, a schema
that does not match.

No wall-clock limits: each step waits for what proves it happened (a line, a file, a
signal handler in /proc); ``HANG`` only keeps a broken build from hanging the suite.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import re
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from alerts_support import HANG, alert_rows, open_for_writing
from alerts_support import wait_until as until
from cli_support import PYTHON, environment, read_lines
from desk_support import log_fault, one_customer_desk

from oncall.clock import SystemClock
from oncall.desk.alert_views import LATE_AFTER


@pytest.fixture
def live_desk(engine, policy):
    """A desk on the real clock with one fault whose respond clock breached 10 min ago."""
    clock = SystemClock()
    desk = one_customer_desk(engine, policy, clock)
    # level 0 (7x24): respond within 1 h, warning at 45 min
    log_fault(
        desk,
        title="down since this morning",
        level=0,
        at=clock.now() - timedelta(minutes=70),  # solution proposal warns at 90 min
    )
    return desk


def warns_in_a_second(desk):
    """A level-0 fault whose respond clock warns (at 45 min) a second from now."""
    return desk.faults.log(
        customer="华东电网",
        system="EMS",
        title='slow "alarms"',
        level=0,
        channel="phone",
        at=desk.clock.now() - timedelta(minutes=45) + timedelta(seconds=1),
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


async def stderr_until(proc, marker: str) -> str:
    """What it wrote on stderr up to and including the first line with ``marker``."""
    seen = []
    async with asyncio.timeout(HANG):
        while not seen or marker not in seen[-1]:
            line = await proc.stderr.readline()
            assert line, f"stderr closed before {marker!r}: {''.join(seen)}"
            seen.append(line.decode())
    return "".join(seen)


async def terminate(proc, signalled: bool = False) -> tuple[int, str]:
    """SIGTERM (unless sent already), then its exit code and the rest of its stderr."""
    if not signalled:
        proc.send_signal(signal.SIGTERM)
    _out, err = await asyncio.wait_for(proc.communicate(), HANG)
    return proc.returncode, err.decode()


async def test_watch_logs_each_alert_on_stdout_and_stops_on_sigterm(live_desk, db_url, tmp_path):
    proc = await start_watch(db_url, environment(tmp_path))
    try:
        (caught_up,) = await read_lines(proc, 1)
        started = await stderr_until(proc, "watching")
        # Logged once the watcher runs (it sees it by its poll), so whatever the
        # start-up took, its warning is a live one.
        live_fault = warns_in_a_second(live_desk)
        (live,) = await read_lines(proc, 1)
    finally:
        code, err = await terminate(proc)
    err = started + err
    assert code == 0, err
    # the breach missed while nothing ran: at once, alone, late (by 10 min at least)
    assert " BREACH   F-2026-00001 respond deadline=" in caught_up
    late = re.search(r" level=0 late=(\d+)s alert=1 ", caught_up)
    assert late and int(late[1]) >= 600, caught_up
    assert 'customer="华东电网" title="down since this morning"' in caught_up
    assert "+08:00" in caught_up
    # the warning, fired while it ran; "late=" only if it says it was late (how
    # punctual it is, is bench/alert_latency.py's to measure)
    assert f" WARNING  {live_fault.ref} respond " in live
    (row,) = [r for r in alert_rows(live_desk.engine) if r.threshold == "warning"]
    assert ("late=" in live) == (row.late_seconds > LATE_AFTER) and row.id == 2
    assert 'title="slow \\"alarms\\""' in live
    assert "watching" in err and "stopping" in err and "Traceback" not in err


async def test_watch_json_and_the_notify_command(live_desk, db_url, tmp_path):
    hook = tmp_path / "sent"
    hook.mkdir()
    # Written aside and renamed: a "*.json" file is a whole run's input.
    command = f'cat > "{hook}/$$.part" && mv "{hook}/$$.part" "{hook}/$$.json"'
    env = environment(tmp_path, f"notify_command = '{command}'\n")
    env.update(ONCALL_USER="mallory", LOGNAME="mallory", USER="mallory")
    proc = await start_watch(db_url, env, "--json")
    try:
        lines = await read_lines(proc, 1)
        printed = json.loads(lines[0])
        # the supervisor records "sent" once the command has exited
        await until(lambda: _states(live_desk.engine).get(printed["alert"]) == "sent")
        await until(
            lambda: (
                printed["alert"]
                in {json.loads(f.read_text())["alert"] for f in hook.glob("*.json")}
            )
        )
    finally:
        code, err = await terminate(proc)
    assert code == 0, err
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


UNREACHABLE = "postgresql+psycopg://oncall@127.0.0.1:9/oncall?connect_timeout=1"


async def test_watch_waits_for_an_unreachable_database_and_still_stops_cleanly(tmp_path):
    proc = await start_watch(UNREACHABLE, environment(tmp_path))
    said = await stderr_until(proc, "cannot open the database yet, retrying")
    assert proc.returncode is None  # still trying
    code, err = await terminate(proc)
    assert code == 0, said + err
    assert "Traceback" not in said + err


# -- SIGTERM at any moment of the start-up -------------------------------------------------

SIGTERM_CAUGHT = 1 << (signal.SIGTERM - 1)  # its bit in /proc/PID/status's SigCgt mask


def catches_sigterm(pid: int) -> bool:
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    assert not fields["State"].strip().startswith("Z"), "it exited"
    return bool(int(fields["SigCgt"], 16) & SIGTERM_CAUGHT)


@pytest.mark.parametrize("moment", ["handler", "config", "database", "watching"])
async def test_sigterm_at_any_moment_of_the_start_up_stops_cleanly(moment, db_url, tmp_path):
    """On a fresh holiday cache (the slowest start), SIGTERM: (handler) as soon as it
    catches SIGTERM, before anything is read; (config) while it reads its config file,
    before the policy loads; (database) while it waits for a database it cannot reach;
    (watching) once it watches. Each time: exit 0, no traceback."""
    env = environment(tmp_path)
    env["ONCALL_CACHE_DIR"] = str(tmp_path / "cache")
    if moment == "config":
        # A fifo: opening its writing end returns once the watcher opened the file to
        # read it, and the watcher's read waits until this end is closed.
        fifo = tmp_path / "config.fifo"
        os.mkfifo(fifo)
        env["ONCALL_CONFIG"] = str(fifo)
    proc = await start_watch(UNREACHABLE if moment == "database" else db_url, env)
    said, signalled = "", False
    try:
        if moment == "handler":
            await until(lambda: catches_sigterm(proc.pid))
        elif moment == "config":
            writer = None

            def opened() -> bool:
                nonlocal writer
                writer = open_for_writing(fifo)
                return writer is not None

            await until(opened)
            proc.send_signal(signal.SIGTERM)
            signalled = True
            os.close(writer)  # an empty config: the start-up goes on, then stops
        elif moment == "database":
            said = await stderr_until(proc, "cannot open the database yet, retrying")
        else:
            said = await stderr_until(proc, "watching")
    finally:
        code, err = await terminate(proc, signalled)
    err = said + err
    assert code == 0, err
    assert "Traceback" not in err
    if moment in ("handler", "config"):
        assert "watching" not in err  # it stopped during the start-up, as asked
    assert not list((tmp_path / "cache").glob("*.tmp*"))  # no cache file left half written


async def test_watch_refuses_a_database_without_the_schema(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    proc = await start_watch(f"sqlite:///{empty}", environment(tmp_path))
    out, err = await asyncio.wait_for(proc.communicate(), HANG)
    assert proc.returncode == 2
    assert out == b""
    assert "oncall db upgrade" in err.decode() and "Traceback" not in err.decode()


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
async def test_watch_prints_a_line_for_an_alert_withdrawn(live_desk, db_url, tmp_path, as_json):
    proc = await start_watch(db_url, environment(tmp_path), *(["--json"] if as_json else []))
    try:
        (caught_up,) = await read_lines(proc, 1)  # the respond breach, missed
        # answered 20 min ago, before the deadline (10 min ago), and logged only now
        answered = SystemClock().now() - timedelta(minutes=20)
        live_desk.faults.respond("F-2026-00001", version=None, how="phone", at=answered)
        (withdrawn,) = await read_lines(proc, 1)
    finally:
        code, err = await terminate(proc)
    assert code == 0, err
    reason = f"respond: stopped {answered.isoformat()}"
    if as_json:
        alert, line = json.loads(caught_up), json.loads(withdrawn)
        assert line == alert | {"withdrawn_at": line["withdrawn_at"], "withdrawn_reason": reason}
        assert line["withdrawn_at"].endswith("+08:00")
    else:
        assert " BREACH   F-2026-00001 respond " in caught_up
        assert re.fullmatch(
            r"\S+\+08:00 WITHDRAWN F-2026-00001 respond breach deadline=\S+ alert=1 "
            r'reason="respond: stopped [^"]+"',
            withdrawn,
        ), withdrawn
        assert reason in withdrawn

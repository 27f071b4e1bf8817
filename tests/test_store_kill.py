"""kill -9 in the middle of writing: every entry whose commit returned is still there,
and the database is sound (SQLite's integrity check) and usable, on SQLite and PostgreSQL."""

# ruff: noqa: F811  (fixtures imported from other test modules)
from __future__ import annotations

import asyncio
import signal
import sys

import pytest
from cli_support import read_lines
from sqlalchemy import text

from oncall.store import make_engine, sqlite_file
from oncall.store.health import integrity

ACKED = 20  # entries acknowledged before the kill

# A writer: appends work entries as fast as it can, printing each id after its commit.
WRITER = """
import sys
from datetime import timedelta
from oncall.clock import SystemClock
from oncall.desk import Desk
from oncall.resources import data_path
from oncall.sla import load_policy
from oncall.store import make_engine
url, ref = sys.argv[1:3]
clock = SystemClock()
desk = Desk(make_engine(url), load_policy(data_path("sla.toml")), clock, "duty")
start = clock.now() - timedelta(minutes=5)
while True:
    entry = desk.work.add(ref, version=None, mode="phone", start=start, done="x" * 200)
    print(entry.id, flush=True)
"""


async def kill_mid_write(url: str, ref: str) -> set[int]:
    """Two writers on ``ref``, killed with SIGKILL once they acknowledged ACKED entries."""
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", WRITER, url, ref, stdout=asyncio.subprocess.PIPE
        )
        for _ in range(2)
    ]
    acked: set[int] = set()
    try:
        for proc in procs:
            acked |= {int(line) for line in await read_lines(proc, ACKED // 2)}
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGKILL)
    for proc in procs:
        rest, _ = await proc.communicate()  # printed before the kill: acknowledged too
        acked |= {int(x) for x in rest.split() if x.isdigit()}
        assert proc.returncode == -signal.SIGKILL
    return acked


def stored(url: str) -> set[int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {r[0] for r in conn.execute(text("SELECT id FROM work_entry"))}
    finally:
        engine.dispose()


async def test_kill_9_loses_no_committed_entry_on_sqlite(desk, fault, db_url):
    acked = await kill_mid_write(db_url, fault.ref)
    assert len(acked) >= ACKED
    assert acked <= stored(db_url)  # every acknowledged commit survived
    assert integrity(sqlite_file(db_url), full=True) is None
    desk.work.add(fault.ref, version=None, mode="phone", done="after the kill")  # still usable


@pytest.mark.usefixtures("pg_url")
async def test_kill_9_loses_no_committed_entry_on_postgres(pg_desk):
    url = pg_desk.engine.url.render_as_string(hide_password=False)
    f = pg_desk.faults.log(
        customer="华东电网", system="EMS", title="down", level=1, channel="phone",
        symptom="x", contact="张工", at=pg_desk.clock.now().replace(hour=1),
    )  # fmt: skip
    acked = await kill_mid_write(url, f.ref)
    assert len(acked) >= ACKED
    assert acked <= stored(url)
    pg_desk.work.add(f.ref, version=None, mode="phone", done="after the kill")

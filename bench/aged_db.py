"""The bench's database copies: aged (every stored time moved back) and an outage (5,000 open).

``age_copy(src, dst, hours)`` copies a database and moves every stored instant
``hours`` back: each DATETIME column of each table, and the ISO instants kept
inside the audit events' JSON (a work entry's ``start`` and ``end``, which the
on-site clocks read). Nothing else changes, so the copy is the same desk seen
``hours`` later: the alerts that came due meanwhile are due at once, as after
an outage or a night nobody watched (``bench/console_bench.py --aged``).
``multiply_open(path, target)`` copies the open faults (with their records,
work and events) until there are ``target`` of them: a region down.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path


def age_copy(src: Path, dst: Path, hours: float) -> None:
    """``dst``: a copy of ``src`` with every stored time ``hours`` earlier."""
    for p in (dst, Path(f"{dst}-wal"), Path(f"{dst}-shm")):
        p.unlink(missing_ok=True)
    with (
        contextlib.closing(sqlite3.connect(src)) as source,
        contextlib.closing(sqlite3.connect(dst)) as target,
    ):
        source.backup(target)
        if hours:
            shift_times(target, timedelta(hours=hours))


def time_columns(con: sqlite3.Connection) -> dict[str, list[str]]:
    """Each table's DATETIME columns (dates are days, not instants: left alone)."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    found = {}
    for table in tables:
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")') if r[2] == "DATETIME"]
        if cols:
            found[table] = cols
    return found


def shift_times(con: sqlite3.Connection, by: timedelta) -> None:
    """Move every stored instant back by ``by`` (whole seconds), in one transaction."""
    seconds = int(by.total_seconds())
    # The audit trail refuses changes (triggers): off for the move, back after it.
    triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    with con:
        for name, _sql in triggers:
            con.execute(f'DROP TRIGGER "{name}"')
        for table, cols in time_columns(con).items():
            # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff': the fraction is kept as it is.
            sets = ", ".join(
                f"\"{c}\" = strftime('%Y-%m-%d %H:%M:%S', \"{c}\", '-{seconds} seconds')"
                f' || substr("{c}", 20)'
                for c in cols
            )
            con.execute(f'UPDATE "{table}" SET {sets}')
        rows = con.execute("SELECT id, data FROM audit_event WHERE data LIKE '%T__:__:__%'")
        changed = []
        for event_id, data in rows.fetchall():
            value = json.loads(data)
            moved = _shift_json(value, by)
            if moved != value:
                changed.append((json.dumps(moved), event_id))
        con.executemany("UPDATE audit_event SET data = ? WHERE id = ?", changed)
        for _name, sql in triggers:
            con.execute(sql)


def _shift_json(value, by: timedelta):
    """ISO instants with an offset, at the top level or one dict down, moved back."""
    if isinstance(value, dict):
        return {k: _shift_json(v, by) for k, v in value.items()}
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            return value
        if instant.tzinfo is not None:
            return (instant - by).isoformat()
    return value


def multiply_open(path: Path, target: int) -> int:
    """Copy the open faults (with their records, work and events) until there are ``target``."""
    with contextlib.closing(sqlite3.connect(path)) as con:
        cur = con.cursor()
        opened = [r[0] for r in cur.execute("SELECT id FROM fault WHERE status != 'closed'")]
        have = len(opened)
        cols = {
            t: [r[1] for r in cur.execute(f"PRAGMA table_info({t})")]
            for t in ("fault", "fault_record", "work_entry", "audit_event")
        }
        top = cur.execute("SELECT max(id), max(seq) FROM fault").fetchone()
        k = 0
        while have < target:
            k += 1
            off, seq_off = k * (top[0] + 1), k * (top[1] + 1)
            subset = ",".join(map(str, opened[: min(len(opened), target - have)]))
            sel = [
                f"id + {off}"
                if c == "id"
                else f"printf('F-%d-%07d', year, seq + {seq_off})"
                if c == "ref"
                else f"seq + {seq_off}"
                if c == "seq"
                else c
                for c in cols["fault"]
            ]
            cur.execute(
                f"INSERT INTO fault ({','.join(cols['fault'])}) SELECT {','.join(sel)} "
                f"FROM fault WHERE id IN ({subset})"
            )
            for table in ("fault_record", "work_entry", "audit_event"):
                tcols = [c for c in cols[table] if c != "id" or table == "fault_record"]
                sel = [f"fault_id + {off}" if c == "fault_id" else c for c in tcols]
                cur.execute(
                    f"INSERT INTO {table} ({','.join(tcols)}) SELECT {','.join(sel)} "
                    f"FROM {table} WHERE fault_id IN ({subset})"
                )
            have += subset.count(",") + 1
        con.commit()
        count = cur.execute("SELECT count(*) FROM fault WHERE status != 'closed'").fetchone()[0]
        con.execute("ANALYZE")
    return count


def catch_up(db: Path, user: str) -> dict[str, float]:
    """Start an alert service on ``db`` in this process and stop it once its catch-up
    has fired: the alerts fired, the wall and CPU seconds of the start (its read of
    every open fault, the jobs armed, the firing), the wall seconds of the firing
    alone (the batches' INSERTs), and the longest the loop was held meanwhile (a
    1 ms ticker's longest gap, in wall time and in the loop thread's CPU time)."""
    import asyncio
    import time

    from oncall.alerts import AlertService, settle
    from oncall.clock import SystemClock
    from oncall.desk import Desk
    from oncall.resources import data_path
    from oncall.sla import load_policy
    from oncall.store import make_engine

    def count() -> int:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
            return con.execute("SELECT count(*) FROM alert").fetchone()[0]

    engine = make_engine(f"sqlite:///{db}")
    desk = Desk(engine, load_policy(data_path("sla.toml")), SystemClock(), user)
    before = count()

    held = [0.0, 0.0]  # wall, and the loop thread's own CPU (a busy machine's waits left out)

    async def ticker() -> None:
        last, last_cpu = time.perf_counter(), time.thread_time()
        while True:
            await asyncio.sleep(0.001)
            now, now_cpu = time.perf_counter(), time.thread_time()
            held[0] = max(held[0], now - last - 0.001)
            held[1] = max(held[1], now_cpu - last_cpu)
            last, last_cpu = now, now_cpu

    async def run() -> tuple[float, float]:
        service = AlertService(desk, kind="bench", poll_every=3600)
        watch = asyncio.create_task(ticker())
        await asyncio.sleep(0.01)
        wall, cpu = time.perf_counter(), time.process_time()
        await service.start()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        watch.cancel()
        await service.stop()
        return wall, cpu

    firing = [0.0]
    real_fire = settle.fire

    def timed_fire(*args):  # on the service's database thread
        started = time.perf_counter()
        try:
            return real_fire(*args)
        finally:
            firing[0] += time.perf_counter() - started

    settle.fire = timed_fire
    try:
        wall, cpu = asyncio.run(run())
    finally:
        settle.fire = real_fire
        engine.dispose()
    return {
        "alerts": count() - before,
        "wall": wall,
        "cpu": cpu,
        "firing": firing[0],
        "held": held[0],
        "held_cpu": held[1],
    }


if __name__ == "__main__":  # one catch-up in a process of its own: python aged_db.py DB USER
    import sys

    print(json.dumps(catch_up(Path(sys.argv[1]), sys.argv[2])))

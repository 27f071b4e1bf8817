"""Does the store keep every committed entry, under concurrent writers and kill -9?

    .venv/bin/python bench/reliability_store.py [--entries 25] [--rounds 3] [--pg URL]

On SQLite (a temporary file) and on PostgreSQL (``--pg URL`` or
``$ONCALL_TEST_PG_URL``, else a throwaway cluster made with Debian's
``initdb`` like ``tests/pgcluster.py``; a line says when it is skipped):

  * 5 and 20 writer processes at once, each appending ``--entries`` work entries
    to a fault of its own through the desk (``Desk.add_work``: one transaction
    each), printing each entry's id once its commit returned: entries kept (in
    the database) of entries written (acknowledged);
  * ``--rounds`` kill rounds: 5 writers appending as fast as they can are
    killed with SIGKILL once each has acknowledged a few entries, that is in
    the middle of a write; entries lost = acknowledged ids missing afterwards
    (committed ones must all be there); then SQLite's ``PRAGMA integrity_check``
    (PostgreSQL: every table read through).

``run() -> list[tuple[str, str]]`` gives the figures (``bench/reliability.py``
prints them with the others); run as a script it prints them. Never asserted
in the tests: figures, not checks.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WRITERS = (5, 20)
KILL_WRITERS = 5
KILL_AFTER = 5  # acknowledged entries per writer before the kill
ENTRIES = 25
ROUNDS = 3
WAIT = 120.0  # seconds at most for writers to get going (a stuck bench says so)


# -- one writer (a process of its own) -------------------------------------------------


def writer(url: str, ref: str, count: int) -> int:
    """Append ``count`` work entries to ``ref``, printing each id once committed."""
    from oncall.clock import SystemClock
    from oncall.desk import Desk
    from oncall.resources import data_path
    from oncall.sla import load_policy
    from oncall.store import make_engine

    clock = SystemClock()
    desk = Desk(make_engine(url), load_policy(data_path("sla.toml")), clock, "bench")
    start = clock.now() - timedelta(minutes=30)
    for i in range(count):
        entry = desk.work.add(
            ref, version=None, mode="remote", start=start, end=start + timedelta(minutes=5),
            done=f"{ref} #{i}",
        )  # fmt: skip
        print(entry.id, flush=True)  # after the commit: acknowledged
    return 0


# -- the databases ---------------------------------------------------------------------


def prepare(url: str, faults: int) -> list[str]:
    """The schema, a roster of one and ``faults`` faults; their refs."""
    from oncall.clock import SystemClock
    from oncall.desk import Desk, SystemInfo
    from oncall.resources import data_path
    from oncall.sla import load_policy
    from oncall.store import make_engine, upgrade

    upgrade(url)
    engine = make_engine(url)
    clock = SystemClock()
    desk = Desk(engine, load_policy(data_path("sla.toml")), clock, "bench")
    desk.roster.add("bench", "Bench", "engineer", on_duty=True)
    desk.customers.add("Bench Co", systems=[SystemInfo("EMS")])
    at = clock.now() - timedelta(hours=1)
    refs = [
        desk.faults.log(
            customer="Bench Co", system="EMS", title=f"writer {i}", level=2,
            channel="electronic", symptom="bench", contact="bench", at=at,
        ).ref
        for i in range(faults)
    ]  # fmt: skip
    engine.dispose()
    return refs


def stored_ids(url: str) -> set[int]:
    from sqlalchemy import text

    from oncall.store import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {r[0] for r in conn.execute(text("SELECT id FROM work_entry"))}
    finally:
        engine.dispose()


def soundness(url: str) -> str:
    """SQLite: ``PRAGMA integrity_check``; PostgreSQL: every table read through."""
    from oncall.store import sqlite_file

    file = sqlite_file(url)
    if file is not None:
        from oncall.store.health import integrity

        return integrity(file, full=True) or "ok"
    from sqlalchemy import inspect, text

    from oncall.store import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                conn.execute(text(f'SELECT count(*) FROM "{table}"')).all()  # noqa: S608
        return "ok (every table read through)"
    except Exception as exc:  # noqa: BLE001 - the figure is what went wrong
        return f"FAILED: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()


class Postgres:
    """Fresh databases on a PostgreSQL server (its URL)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine

        self.url = url
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")

    def fresh(self) -> str:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        name = f"oncall_bench_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        with self.admin.connect() as conn:
            name = make_url(url).database
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str | None]:
    """A PostgreSQL cluster in a temporary folder (Unix socket only); None without one."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        yield None
        return
    bins = Path(found[-1]).parent
    user = "postgres" if os.geteuid() == 0 else None  # PostgreSQL refuses to run as root
    owner = ["runuser", "-u", user, "--"] if user else []
    root = Path(tempfile.mkdtemp(prefix="oncall-bench-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if user:
        shutil.chown(root, user)
        shutil.chown(sock, user)

    def run(*cmd: str) -> None:
        subprocess.run([*owner, *cmd], check=True, capture_output=True)

    try:
        run(str(bins / "initdb"), "-D", str(data), "-A", "trust", "-U", "oncall", "--no-sync")
        options = f"-k {sock} -c listen_addresses='' -c max_connections=100"
        run(str(bins / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(root / "log"),
            "start")  # fmt: skip
        try:
            yield f"postgresql+psycopg://oncall@/postgres?host={sock}"
        finally:
            run(str(bins / "pg_ctl"), "-D", str(data), "-m", "fast", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


# -- the rounds ------------------------------------------------------------------------


def _spawn(url: str, ref: str, count: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, __file__, "--writer", url, ref, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _collect(procs: list[subprocess.Popen], until_each: int | None) -> dict[int, list[int]]:
    """Acknowledged ids per writer: all of them (``until_each`` None: until every writer
    ends), or until each writer has acknowledged ``until_each``."""
    acked: dict[int, list[int]] = {i: [] for i in range(len(procs))}
    sel = selectors.DefaultSelector()
    for i, p in enumerate(procs):
        sel.register(p.stdout, selectors.EVENT_READ, i)
    open_ = len(procs)
    deadline = time.monotonic() + WAIT
    while open_ and time.monotonic() < deadline:
        if until_each is not None and all(len(v) >= until_each for v in acked.values()):
            break
        for key, _mask in sel.select(timeout=1.0):
            line = key.fileobj.readline()
            if not line:
                sel.unregister(key.fileobj)
                open_ -= 1
            elif line.strip().isdigit():
                acked[key.data].append(int(line))
    sel.close()
    return acked


def concurrent(url: str, writers: int, entries: int) -> tuple[int, int, int, list[str]]:
    """(kept, acknowledged, asked, the failed writers' last words) for ``writers``
    processes writing ``entries`` each."""
    refs = prepare(url, writers)
    procs = [_spawn(url, ref, entries) for ref in refs]
    acked = _collect(procs, None)
    failures = []
    for p in procs:
        _out, err = p.communicate()
        if p.returncode:
            failures.append((err.strip().splitlines() or ["?"])[-1])
    ids = {i for v in acked.values() for i in v}
    return len(stored_ids(url) & ids), len(ids), writers * entries, failures


def kill_round(url: str) -> tuple[int, int, int]:
    """(acknowledged, lost, committed but not yet acknowledged) over one kill -9 round."""
    refs = prepare(url, KILL_WRITERS)
    procs = [_spawn(url, ref, 1_000_000) for ref in refs]
    acked = _collect(procs, KILL_AFTER)
    for p in procs:
        with contextlib.suppress(ProcessLookupError):
            os.kill(p.pid, signal.SIGKILL)
    for p in procs:
        rest, _err = p.communicate()  # what was printed before the kill still counts
        acked_ids = [int(x) for x in rest.split() if x.isdigit()]
        acked[procs.index(p)].extend(acked_ids)
    ids = {i for v in acked.values() for i in v}
    stored = stored_ids(url)
    return len(ids), len(ids - stored), len(stored - ids)


def figures(name: str, fresh, entries: int, rounds: int, drop=None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for n in WRITERS:
        url = fresh()
        kept, acked, asked, failures = concurrent(url, n, entries)
        out.append((f"{name}: {n} writers × {entries} entries, kept", f"{kept} of {acked}"))
        if acked != asked:
            out.append((f"{name}: {n} writers, entries not acknowledged", str(asked - acked)))
        if failures:
            out.append((f"{name}: {n} writers, failed writers", f"{len(failures)}: {failures[0]}"))
        if drop:
            drop(url)
    total_acked = lost = extra = 0
    verdicts = []
    for _ in range(rounds):
        url = fresh()
        a, lo, ex = kill_round(url)
        total_acked, lost, extra = total_acked + a, lost + lo, extra + ex
        verdicts.append(soundness(url))
        if drop:
            drop(url)
    out.append((f"{name}: kill -9 rounds ({KILL_WRITERS} writers each)", str(rounds)))
    out.append((f"{name}: entries acknowledged before the kills", str(total_acked)))
    out.append((f"{name}: entries lost", str(lost)))
    out.append((f"{name}: committed, killed before acknowledging", str(extra)))
    bad = [v for v in verdicts if not v.startswith("ok")]
    out.append((f"{name}: integrity after the kills", bad[0] if bad else verdicts[0]))
    return out


def run(
    entries: int = ENTRIES, rounds: int = ROUNDS, pg: str | None = None
) -> list[tuple[str, str]]:
    """The figures, on SQLite and PostgreSQL: (figure, value)."""
    out: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="oncall-reliability-") as folder:
        files = iter(range(1_000))

        def fresh_sqlite() -> str:
            return f"sqlite:///{Path(folder) / f'desk{next(files)}.sqlite3'}"

        out += figures("sqlite", fresh_sqlite, entries, rounds)
    pg = pg or os.environ.get("ONCALL_TEST_PG_URL")
    with contextlib.ExitStack() as stack:
        if pg is None:
            pg = stack.enter_context(throwaway_cluster())
        if pg is None:
            out.append(("postgresql", "skipped: PostgreSQL is not installed"))
            return out
        try:
            import psycopg  # noqa: F401
        except ImportError:
            out.append(("postgresql", "skipped: psycopg is not installed"))
            return out
        server = Postgres(pg)
        try:
            out += figures("postgresql", server.fresh, entries, rounds, server.drop)
        finally:
            server.admin.dispose()
    return out


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--writer":
        _flag, url, ref, count = sys.argv[1:5]
        return writer(url, ref, int(count))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=ENTRIES, help="per writer")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="kill -9 rounds")
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL server (admin URL)")
    args = parser.parse_args()
    rows = run(args.entries, args.rounds, args.pg)
    width = max(len(f) for f, _v in rows)
    for figure, value in rows:
        print(f"{figure:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

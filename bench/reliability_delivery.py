"""A watcher killed mid-send: does any alert page twice, or get lost without a word?

    .venv/bin/python bench/reliability_delivery.py [--rounds 5]

On SQLite and on PostgreSQL (a throwaway cluster, as the tests make one; a
line says so when PostgreSQL is not installed), ``--rounds`` rounds of each:

  * a watcher (``oncall watch``, a real process, clock ``ONCALL_NOW``) fires
    an alert whose notify command blocks until released; once the command runs
    the watcher gets ``kill -9``; the command is released and delivers; then a
    second watcher starts with its clock past the claim's lease and sends an
    alert of its own (the sign it has done its work);
  * the same with the delivery supervisor killed too (``kill -9``), so that
    nobody can record the outcome.

Counts deliveries per alert, from what the notify command wrote: duplicates
(an alert delivered more than once: must be 0), unknowns (alerts left
``delivery unknown``, flagged for a person: expected only when the supervisor
was killed too), lost (an alert neither delivered nor flagged: must be 0).
Prints, never asserts. ``run()`` gives the figures to ``bench/reliability.py``.
The rounds are the kill tests' (``tests/delivery_support.py``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from delivery_support import Stage, kill_round, seed  # noqa: E402
from pgcluster import throwaway_cluster  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from oncall.store import upgrade  # noqa: E402

ROUNDS = 5


class _Tally:
    def __init__(self) -> None:
        self.rounds = 0
        self.alerts = 0
        self.duplicates = 0
        self.unknown = 0
        self.lost = 0
        self.seconds: list[float] = []

    def add(self, got, seconds: float) -> None:
        self.rounds += 1
        self.seconds.append(seconds)
        for row in (got.first, got.second):
            self.alerts += 1
            times = got.deliveries[row.id]
            self.duplicates += max(times - 1, 0)
            if row.notify_state == "unknown":
                self.unknown += 1
            elif times == 0:
                self.lost += 1


def _sqlite_urls(folder: Path):
    n = 0
    while True:
        n += 1
        url = f"sqlite:///{folder / f'round{n}.sqlite3'}"
        yield url, None


def _pg_urls(base_url: str):
    base = make_url(base_url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        while True:
            name = f"oncall_bench_{uuid.uuid4().hex[:12]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            yield base.set(database=name).render_as_string(hide_password=False), name
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _rounds(urls, folder: Path, rounds: int, kill_supervisor: bool) -> _Tally:
    """``rounds`` kill rounds, each on a fresh database and in a folder of its own."""
    tally = _Tally()
    for _ in range(rounds):
        url, _name = next(urls)
        upgrade(url)
        seed(url)
        stage = Stage(Path(tempfile.mkdtemp(dir=folder)))
        begun = time.monotonic()
        try:
            got = kill_round(url, stage, kill_supervisor=kill_supervisor)
        finally:
            stage.release()
        tally.add(got, time.monotonic() - begun)
    return tally


def _figures(backend: str, watcher: _Tally, both: _Tally) -> list[tuple[str, str]]:
    per_round = sorted(watcher.seconds + both.seconds)
    median = f"{per_round[len(per_round) // 2]:.1f}" if per_round else "-"
    rows = [
        ("kill rounds (watcher / watcher and supervisor)", f"{watcher.rounds} / {both.rounds}"),
        ("duplicate deliveries (must be 0)", str(watcher.duplicates + both.duplicates)),
        ("lost alerts, neither delivered nor flagged (must be 0)", str(watcher.lost + both.lost)),
        ("delivery unknown, watcher killed", f"{watcher.unknown} of {watcher.alerts} alerts"),
        ("delivery unknown, supervisor killed too", f"{both.unknown} of {both.alerts} alerts"),
        ("seconds per round (median)", median),
    ]
    return [(f"{backend}: {name}", value) for name, value in rows]


def run(rounds: int = ROUNDS) -> list[tuple[str, str]]:
    """The figures, as (figure, value) lines: SQLite, then PostgreSQL."""
    figures: list[tuple[str, str]] = []
    folder = Path(tempfile.mkdtemp(prefix="oncall-delivery-"))
    try:
        urls = _sqlite_urls(folder)
        figures += _figures(
            "SQLite",
            _rounds(urls, folder, rounds, False),
            _rounds(urls, folder, rounds, True),
        )
        with ExitStack() as stack:
            pg = stack.enter_context(throwaway_cluster())
            if pg is None:
                figures.append(("PostgreSQL", "skipped: PostgreSQL is not installed"))
            else:
                urls = _pg_urls(pg)
                stack.callback(urls.close)
                figures += _figures(
                    "PostgreSQL",
                    _rounds(urls, folder, rounds, False),
                    _rounds(urls, folder, rounds, True),
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="kill rounds of each kind")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds: at least 1")
    for figure, value in run(args.rounds):
        print(f"{figure}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

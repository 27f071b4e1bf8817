"""How late alerts fire, and whether any fires or is sent twice, with two watchers.

    .venv/bin/python bench/alert_latency.py [--alerts 200] [--window 60] [--db URL]

Builds a database (a temporary SQLite file, or the empty database at ``--db``,
e.g. a PostgreSQL one) with ``--alerts`` level-0 faults whose respond-clock
warning comes due at a random instant within the next ``--window`` seconds
(after a 10 s lead), then runs two ``oncall watch`` processes on it, each with
a notify command that writes the alert it gets into a file of its own.

Prints, never asserts:
  * the distribution of (fired - planned) over the alerts, from the database
    (min, p50, p90, p99, max, and a histogram), against the target p99 <= 1 s;
  * duplicates: alerts stored twice for one key, and notify runs beyond one per
    alert; missing: alerts never fired or never sent (target: 0 and 0);
  * how the work split between the two watchers, and (sent - planned).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from oncall.clock import SystemClock  # noqa: E402
from oncall.desk import Desk, SystemInfo  # noqa: E402
from oncall.resources import data_path  # noqa: E402
from oncall.sla import load_policy  # noqa: E402
from oncall.store import make_engine, upgrade  # noqa: E402
from oncall.store.alert_models import Alert  # noqa: E402

SEED = 20261126
LEAD = 10  # seconds between the setup and the first alert
WARNING_AT = timedelta(minutes=45)  # level 0: respond in 1 h, warning at 75%


def build(url: str, alerts: int, window: int) -> list:
    """The faults; returns the planned instants of their warnings."""
    upgrade(url)
    engine = make_engine(url)
    clock = SystemClock()
    desk = Desk(engine, load_policy(data_path("sla.toml")), clock, "bench")
    desk.roster.add("bench", "Bench", "engineer", on_duty=True)
    desk.customers.add("Bench Co", systems=[SystemInfo("EMS")])
    rng = random.Random(SEED)
    base = clock.now() + timedelta(seconds=LEAD)
    planned = []
    with desk.batch():
        for i in range(alerts):
            due = base + timedelta(seconds=rng.randrange(window))
            planned.append(due)
            desk.faults.log(
                customer="Bench Co",
                system="EMS",
                title=f"bench fault {i}",
                level=0,
                channel="phone",
                at=due - WARNING_AT,
            )
    engine.dispose()
    return planned


def watcher(url: str, folder: Path, name: str) -> subprocess.Popen:
    sent = folder / f"sent-{name}"
    sent.mkdir()
    config = folder / f"config-{name}.toml"
    config.write_text(f"notify_command = 'cat > \"{sent}/$$.json\"'\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCALL_")}
    env.update(ONCALL_CONFIG=str(config), XDG_DATA_HOME=str(folder / "data"))
    return subprocess.Popen(
        [sys.executable, "-c", "import sys; from oncall.cli import main; sys.exit(main())"]
        + ["watch", "--db", url, "--quiet", "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(folder / f"{name}.log").open("w"),
    )


def rows(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(Alert.__table__)).all()
    finally:
        engine.dispose()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


EDGES_MS = (0, 10, 20, 50, 100, 200, 500, 1000)


def histogram(values: list[float]) -> list[str]:
    """Counts of ``values`` (seconds) in millisecond buckets, with a bar each."""
    counts = Counter(sum(1 for e in EDGES_MS if v * 1000 >= e) - 1 for v in values)
    top = max(counts.values(), default=1)
    lines = []
    for i, low in enumerate(EDGES_MS):
        high = EDGES_MS[i + 1] if i + 1 < len(EDGES_MS) else None
        label = f"{low:5d}-{high:<5d} ms" if high else f">= {low:<9d} ms"
        bar = "#" * round(40 * counts.get(i, 0) / top)
        lines.append(f"  {label} {counts.get(i, 0):5d} {bar}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=200)
    parser.add_argument("--window", type=int, default=60, help="seconds the alerts spread over")
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="oncall-alert-bench-"))
    url = args.db or f"sqlite:///{folder / 'bench.sqlite3'}"
    started = time.monotonic()
    planned = build(url, args.alerts, args.window)
    print(f"database: {url}")
    print(f"{args.alerts} alerts due within {args.window} s, the first in about {LEAD} s")
    print(f"setup: {time.monotonic() - started:.1f} s")

    watchers = [watcher(url, folder, name) for name in ("watch-a", "watch-b")]
    deadline = max(planned)
    try:
        while True:
            time.sleep(1)
            stored = rows(url)
            sent = [r for r in stored if r.notify_state in ("sent", "failed")]
            done = len(stored) >= args.alerts and len(sent) >= len(stored)
            overdue = SystemClock().now() > deadline + timedelta(seconds=30)
            if done or overdue:
                break
        time.sleep(1)  # a duplicate notify run would show up by now
    finally:
        for proc in watchers:
            proc.send_signal(signal.SIGTERM)
        codes = [proc.wait(timeout=15) for proc in watchers]

    stored = rows(url)
    lateness = [(r.fired_at - r.planned_at).total_seconds() for r in stored]
    send_lag = [
        (r.notify_done_at - r.planned_at).total_seconds()
        for r in stored
        if r.notify_done_at is not None
    ]
    keys = Counter((r.fault_id, r.clock, r.threshold, r.deadline) for r in stored)
    runs: Counter[int] = Counter()
    for name in ("watch-a", "watch-b"):
        for file in (folder / f"sent-{name}").glob("*.json"):
            runs[json.loads(file.read_text())["alert"]] += 1
    # kind:user@host:pid: the watchers run as one OS user, so they differ by pid
    by_whom = Counter(r.fired_by.split("@", 1)[1] for r in stored)
    sent_by = Counter((r.notify_by or "-@-").split("@", 1)[1] for r in stored)

    print()
    print(f"fired: {len(stored)} of {args.alerts}; watchers exited with {codes}")
    if lateness:
        print(
            "fired - planned: "
            f"min {min(lateness) * 1000:.0f} ms, p50 {pct(lateness, 50) * 1000:.0f} ms, "
            f"p90 {pct(lateness, 90) * 1000:.0f} ms, p99 {pct(lateness, 99) * 1000:.0f} ms, "
            f"max {max(lateness) * 1000:.0f} ms, mean {statistics.mean(lateness) * 1000:.0f} ms"
        )
        print(*histogram(lateness), sep="\n")
        verdict = "met" if pct(lateness, 99) <= 1.0 else "MISSED"
        print(f"target p99 <= 1 s: {verdict}")
    if send_lag:
        print(
            "notify done - planned: "
            f"p50 {pct(send_lag, 50) * 1000:.0f} ms, p99 {pct(send_lag, 99) * 1000:.0f} ms, "
            f"max {max(send_lag) * 1000:.0f} ms"
        )
    duplicates = sum(n - 1 for n in keys.values()) + sum(n - 1 for n in runs.values())
    print(
        f"duplicates: {duplicates} (stored twice: {sum(n - 1 for n in keys.values())}, "
        f"notify runs beyond one: {sum(n - 1 for n in runs.values())})"
    )
    print(f"missing: {args.alerts - len(stored)} never fired, {len(stored) - len(runs)} never sent")
    print(f"fired by: {dict(by_whom)}; sent by: {dict(sent_by)}")
    print(f"(logs and hook files in {folder})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

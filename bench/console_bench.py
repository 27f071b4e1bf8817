"""How fast and how quiet the console is, measured in a real pseudo-terminal.

    .venv/bin/python bench/console_bench.py            # builds the databases once, then measures
    .venv/bin/python bench/console_bench.py --quick    # fewer runs, shorter idle windows
    .venv/bin/python bench/console_bench.py --aged 6   # the catch-up: stored times 6 h back

Figures are printed, not asserted. Every program runs in its own process on a
pty of 120x40 (like an ssh session), started the same way, so ratios are fair:

- first frame: the console's header with an empty queue saying "loading…",
  against a bare Textual app that shows one static line (same run, medians);
- first full queue: the header's band counts are on the screen;
- idle: CPU per second (the one-second tick, the poll, the repaint) from
  /proc, and the bytes per second the terminal receives once the first screen
  is drawn, with the demo queue (about 40 open faults) and with the big one;
- key press: from writing "j" to the pty until the repaint has arrived;
- for comparison, a naive DataTable that updates one cell per row every second.

The big database has 1,000 open and 100,000 closed faults: the demo data
(written through the desk's verbs), its closed faults then copied in SQL.
Before it is measured, what came due since the last run fires in this
process (so the fresh figures have no catch-up in them; that count is printed).

The catch-up (``--aged HOURS``, default 6; 0 skips it): a copy of the big
database with every stored time moved HOURS back (``aged_db.age_copy``), so the
hundreds of alerts due since are due at once, as after an outage or a night
nobody watched. Printed: its cost in this process (``catch-up: N alerts in T
ms``), then in a console on a fresh copy key presses from the moment the queue
shows (during the catch-up) with the CPU and the alerts fired meanwhile, an idle
window once caught up, and key presses after it.

The outage: a copy of the big database with its open faults copied to 5,000
(``aged_db.multiply_open``): first frames, tick, idle and key presses, the lines
saying ``5,000`` beside the 1,000 ones.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import select
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

import aged_db

from oncall import identity

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "oncall-bench"
SIZE = (120, 40)
USER = identity.real_user()  # the console acts as the OS user; the demo puts it on the roster

BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("bare app: one static line")

Bare().run()
"""

NAIVE_APP = """
import time
from textual.app import App
from textual.widgets import DataTable

class Naive(App):
    def compose(self):
        yield DataTable()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("left", "clock", "lv", "customer", "title", "assignee", "status")
        for i in range(40):
            table.add_row(self.left(i), "resolve", "L1", "江南电力调度中心/EMS",
                          "前置机通信中断 telemetry stale", "王芳", "working", key=str(i))
        self.set_interval(1.0, self.tick)

    def left(self, i):
        s = 3600 * (i % 7) + 600 * i - int(time.time()) % 86400
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"

    def tick(self):
        table = self.query_one(DataTable)
        for i in range(40):
            table.update_cell(str(i), table.ordered_columns[0].key, self.left(i))

Naive().run()
"""

CONSOLE = "import sys; from oncall.cli import main; sys.exit(main())"


# -- databases -------------------------------------------------------------------------


def build_demo(path: Path, open_faults: int, closed_faults: int) -> None:
    from oncall.clock import SystemClock
    from oncall.desk import Desk
    from oncall.desk.demo import load_demo
    from oncall.resources import data_path
    from oncall.sla import load_policy
    from oncall.store import make_engine, upgrade

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    desk = Desk(engine, load_policy(data_path("sla.toml")), SystemClock(), USER)
    load_demo(desk, open_faults=open_faults, closed_faults=closed_faults)
    engine.dispose()


def multiply_closed(path: Path, target: int) -> int:
    """Copy the closed faults (with their events and work) until there are ``target``."""
    con = sqlite3.connect(path)
    cur = con.cursor()
    closed = [r[0] for r in cur.execute("SELECT id FROM fault WHERE status = 'closed'")]
    have = len(closed)
    cols = {
        t: [r[1] for r in cur.execute(f"PRAGMA table_info({t})")]
        for t in ("fault", "fault_record", "work_entry", "audit_event")
    }
    ids = ",".join(map(str, closed))
    k = 0
    while have < target:
        k += 1
        off = k * 1_000_000
        take = min(len(closed), target - have)
        subset = ",".join(map(str, closed[:take]))
        fcols = cols["fault"]
        sel = [
            f"id + {off}"
            if c == "id"
            else f"printf('F-%d-%07d', year, seq + {k * 100_000})"
            if c == "ref"
            else f"seq + {k * 100_000}"
            if c == "seq"
            else c
            for c in fcols
        ]
        cur.execute(
            f"INSERT INTO fault ({','.join(fcols)}) SELECT {','.join(sel)} FROM fault "
            f"WHERE id IN ({subset})"
        )
        for table in ("fault_record", "work_entry", "audit_event"):
            tcols = [c for c in cols[table] if c != "id" or table == "fault_record"]
            sel = [f"fault_id + {off}" if c == "fault_id" else c for c in tcols]
            cur.execute(
                f"INSERT INTO {table} ({','.join(tcols)}) SELECT {','.join(sel)} FROM {table} "
                f"WHERE fault_id IN ({subset})"
            )
        have += take
    con.commit()
    del ids
    count = cur.execute("SELECT count(*) FROM fault WHERE status = 'closed'").fetchone()[0]
    con.execute("ANALYZE")
    con.close()
    return count


def on_roster(db: Path, user: str) -> bool:
    with contextlib.closing(sqlite3.connect(db)) as con:
        row = con.execute("SELECT 1 FROM engineer WHERE os_user = ?", (user,)).fetchone()
    return row is not None


def databases() -> tuple[Path, Path]:
    CACHE.mkdir(exist_ok=True)
    demo, big = CACHE / "demo.sqlite3", CACHE / "big.sqlite3"
    # The demo's deadlines are relative to when it was built: rebuild after a few hours.
    stale = not demo.exists() or time.time() - demo.stat().st_mtime > 3 * 3600
    stale = stale or not on_roster(demo, USER)  # built by another user
    if stale:
        for p in CACHE.glob("*.sqlite3*"):
            p.unlink()
        print("building the demo database (40 open faults) …", flush=True)
        build_demo(demo, 40, 300)
        print("building the big database (1,000 open, 100,000 closed) …", flush=True)
        started = time.perf_counter()
        build_demo(big, 1000, 200)
        closed = multiply_closed(big, 100_000)
        print(f"  {closed} closed faults, {time.perf_counter() - started:.0f} s", flush=True)
    else:  # the schema may have moved on since they were built
        for db in (demo, big):
            up_to_date(db)
    return demo, big


def up_to_date(db: Path) -> None:
    """The database upgraded to the schema of this checkout."""
    from oncall.store import make_engine, schema_state, upgrade

    engine = make_engine(f"sqlite:///{db}")
    if schema_state(engine) != "current":
        upgrade(engine)
    engine.dispose()


# -- running a program on a pty ----------------------------------------------------------


class Pty:
    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal, then become the program
            cols, rows = SIZE
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execvpe(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        self.out = bytearray()
        self.events: list[tuple[float, int]] = []  # (time, bytes) of each read

    def read(self, timeout: float) -> int:
        got = 0
        end = time.perf_counter() + timeout
        while True:
            left = end - time.perf_counter()
            if left <= 0:
                return got
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                return got
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return got
            if not chunk:
                return got
            self.out += chunk
            self.events.append((time.perf_counter(), len(chunk)))
            got += len(chunk)

    def wait_for(self, marker: bytes, timeout: float = 60.0) -> float:
        """Seconds from start until ``marker`` is in the output."""
        end = time.perf_counter() + timeout
        while marker not in self.out:
            if time.perf_counter() > end:
                raise TimeoutError(f"{marker!r} did not appear; got {bytes(self.out[-300:])!r}")
            self.read(0.01)
        return self.events[-1][0] - self.started

    def quiet(self, gap: float = 0.15, limit: float = 5.0) -> None:
        end = time.perf_counter() + limit
        while time.perf_counter() < end and self.read(gap):
            pass

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        os.close(self.fd)


def env_for(db: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONCALL_", "NO_COLOR", "LC_"))}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", LANG="en_US.UTF-8")
    env.update(ONCALL_CONFIG=str(CACHE / "none.toml"))
    (CACHE / "none.toml").write_text("")
    if db is not None:
        env["ONCALL_DB"] = str(db)
    return env


def console_argv() -> list[str]:
    return [sys.executable, "-c", CONSOLE]


def first_frames(big: Path, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"bare": [], "frame": [], "queue": []}
    for run in range(runs + 1):  # the first round warms the bytecode caches: not counted
        p = Pty([sys.executable, "-c", BARE_APP], env_for())
        bare = p.wait_for(b"one static line")
        p.close()
        p = Pty(console_argv(), env_for(big))
        frame = p.wait_for("loading…".encode())
        queue = p.wait_for(b"BRCH ")
        p.close()
        if run:
            times["bare"].append(bare)
            times["frame"].append(frame)
            times["queue"].append(queue)
    return times


def settled(p: Pty, limit: float = 60.0) -> float:
    """Wait until the console's start-up work is done (under 5 % of a core for a
    second: the desk open, the alert plans armed); seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        cpu0, t0 = p.cpu_seconds(), time.perf_counter()
        p.read(1.0)
        if p.cpu_seconds() - cpu0 < 0.05 * (time.perf_counter() - t0):
            break
    return time.perf_counter() - started


def idle(db: Path | None, seconds: float, argv: list[str] | None = None) -> dict[str, float]:
    p = Pty(argv or console_argv(), env_for(db))
    try:
        if argv is None:
            p.wait_for(b"BRCH ")
        else:
            p.read(3.0)
        p.quiet(0.5, 10)  # the first screen is drawn
        waited = settled(p) if argv is None else 0.0
        alerts0 = alert_count(db)
        cpu0, t0 = p.cpu_seconds(), time.perf_counter()
        got = 0
        while time.perf_counter() - t0 < seconds:
            got += p.read(0.5)
        elapsed = time.perf_counter() - t0
        cpu = p.cpu_seconds() - cpu0
        return {
            "bytes_per_s": got / elapsed,
            "cpu_ms_per_s": 1000 * cpu / elapsed,
            "alerts": alert_count(db) - alerts0,
            "settled": waited,
        }
    finally:
        p.close()


def alert_count(db: Path | None) -> int:
    """Alerts fired so far (each one is a toast: the console is not quite idle then)."""
    if db is None:
        return 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM alert").fetchone()[0]
    finally:
        con.close()


def key_presses(db: Path, presses: int) -> list[float]:
    p = Pty(console_argv(), env_for(db))
    try:
        p.wait_for(b"BRCH ")
        p.quiet(0.5, 10)
        settled(p)
        return press(p, presses)
    finally:
        p.close()


def press(p: Pty, presses: int) -> list[float]:
    """``presses`` j/k presses: the seconds from each to the end of its repaint."""
    latencies = []
    for i in range(presses):
        p.quiet(0.12, 2)
        sent = time.perf_counter()
        # j j k k: the cursor stays near the top, so every press moves it (at the end of
        # a short queue j would not repaint, and the next tick would be timed instead).
        os.write(p.fd, b"j" if i % 4 < 2 else b"k")
        first = None
        while time.perf_counter() - sent < 2:
            if p.read(0.02):
                first = first or p.events[-1][0]
            elif first is not None:
                break
        if first is not None:
            latencies.append(p.events[-1][0] - sent)
    return latencies


def aged_session(db: Path, presses: int, window: float) -> dict:
    """A console opened on an aged copy: key presses from the moment the queue shows
    (the catch-up under way), then an idle window, then key presses again."""
    p = Pty(console_argv(), env_for(db))
    try:
        alerts0 = alert_count(db)
        p.wait_for(b"BRCH ")
        cpu0, t0 = p.cpu_seconds(), time.perf_counter()
        during = press(p, presses)
        elapsed = time.perf_counter() - t0
        out = {
            "during": during,
            "during_cpu": 100 * (p.cpu_seconds() - cpu0) / elapsed,
            "during_s": elapsed,
            "during_alerts": alert_count(db) - alerts0,
        }
        p.quiet(0.5, 10)
        alerts1 = alert_count(db)
        cpu1, t1 = p.cpu_seconds(), time.perf_counter()
        got = 0
        while time.perf_counter() - t1 < window:
            got += p.read(0.5)
        elapsed = time.perf_counter() - t1
        out["idle_cpu"] = 100 * (p.cpu_seconds() - cpu1) / elapsed
        out["idle_kb"] = got / elapsed / 1024
        out["idle_alerts"] = alert_count(db) - alerts1
        out["after"] = press(p, presses)
        return out
    finally:
        p.close()


def spread(lat: list[float]) -> str:
    """``p50 X ms, p95 Y ms, max Z ms (N presses)``."""
    if not lat:
        return "no repaint seen"
    lat = sorted(lat)
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
    return (
        f"p50 {1000 * statistics.median(lat):.1f} ms, p95 {1000 * p95:.1f} ms,"
        f" max {1000 * lat[-1]:.1f} ms ({len(lat)} presses)"
    )


def outage_database(big: Path, open_faults: int = 5000) -> Path:
    """The big database with its open faults copied to ``open_faults`` (cached: rebuilt
    with the others)."""
    five = CACHE / "outage.sqlite3"
    if not five.exists():
        print(f"building the outage database ({open_faults:,} open) …", flush=True)
        aged_db.age_copy(big, five, 0)
        aged_db.multiply_open(five, open_faults)
    up_to_date(five)
    return five


def tick_cost(db: Path, ticks: int = 50) -> float:
    """Milliseconds of Python work in one tick (countdowns, header, detail), in-process."""
    import asyncio

    from oncall.clock import SystemClock
    from oncall.desk import Desk
    from oncall.resources import data_path
    from oncall.sla import load_policy
    from oncall.store import make_engine
    from oncall.tui.app import OncallApp

    policy = load_policy(data_path("sla.toml"))
    desk = Desk(make_engine(f"sqlite:///{db}"), policy, SystemClock(), USER)

    async def run() -> float:
        app = OncallApp(lambda: desk, SystemClock(), None, user=USER, language="en", tick=False)
        async with app.run_test(size=SIZE) as pilot:
            await app.ready.wait()
            await pilot.pause()
            main = app.main
            costs = []
            for _ in range(ticks):
                started = time.process_time()
                main.header.show(main.clock.now())
                main.queue.tick(main.clock.now())
                main.detail.tick(main.clock.now())
                costs.append(time.process_time() - started)
                await asyncio.sleep(0.02)
            return 1000 * statistics.median(costs)

    return asyncio.run(run())


def catch_up_line(label: str, db: Path) -> None:
    """``catch-up: N alerts in T ms (X ms per alert)``: the whole start (its read of
    every open fault, the jobs armed, the firing), then the firing alone."""
    # In a process of its own, like a console starting (not this one's heap and imports).
    run = subprocess.run(
        [sys.executable, str(Path(aged_db.__file__)), str(db), USER],
        capture_output=True,
        text=True,
        check=True,
    )
    r = json.loads(run.stdout.strip().splitlines()[-1])
    n = r["alerts"]
    per = (lambda s: f" ({1000 * s / n:.2f} ms per alert)") if n else (lambda s: "")
    print(
        f"catch-up, {label}: {n} alerts in {1000 * r['wall']:.0f} ms{per(r['wall'])};"
        f" CPU {1000 * r['cpu']:.0f} ms{per(r['cpu'])}; the INSERTs alone"
        f" {1000 * r['firing']:.0f} ms{per(r['firing'])};"
        f" loop held at most {1000 * r['held']:.0f} ms ({1000 * r['held_cpu']:.0f} ms of CPU)",
        flush=True,
    )


def idle_line(label: str, r: dict[str, float]) -> None:
    print(
        f"idle, {label:24s} {r['cpu_ms_per_s'] / 10:5.2f} % of a core,"
        f" {r['bytes_per_s'] / 1024:5.2f} KB/s to the terminal,"
        f" {r['alerts']} alerts fired in the window"
        f" (start-up work done {r['settled']:.1f} s after the first screen)",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, shorter windows")
    parser.add_argument(
        "--aged",
        type=float,
        default=6.0,
        metavar="HOURS",
        help="the catch-up on a copy with its stored times HOURS back (default 6; 0: skip)",
    )
    args = parser.parse_args()
    runs, window, presses = (3, 10.0, 100) if args.quick else (7, 30.0, 200)
    demo, big = databases()
    five = outage_database(big)
    print(f"\nconsole bench: {SIZE[0]}x{SIZE[1]} pty, {runs} runs each, medians,", end=" ")
    print(f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC\n")
    # What came due since the last run fires here, so that the fresh figures have none.
    for label, db in (("fresh demo", demo), ("fresh 1,000", big), ("5,000", five)):
        catch_up_line(f"{label} (due since the last run)", db)

    print()
    for label, db in (("1,000", big), ("5,000", five)):
        t = first_frames(db, runs)
        bare, frame, queue = (statistics.median(t[k]) for k in ("bare", "frame", "queue"))
        print(f"{label}: bare Textual app, first frame      {1000 * bare:7.0f} ms")
        print(
            f"{label}: console first frame (loading…)     {1000 * frame:7.0f} ms"
            f"   {frame / bare:4.2f}x bare"
        )
        print(
            f"{label}: console first full queue           {1000 * queue:7.0f} ms"
            f"   {queue / bare:4.2f}x bare",
            flush=True,
        )

    print()
    for label, db in (("fresh 1,000 open", big), ("5,000 open", five)):
        print(f"tick, Python work, {label}  {tick_cost(db):6.2f} ms", flush=True)
    for label, db in (("fresh demo (~40 open)", demo), ("fresh 1,000 open", big)):
        idle_line(label, idle(db, window))
    idle_line("5,000 open", idle(five, window))
    naive = idle(None, window, [sys.executable, "-c", NAIVE_APP])
    print(
        f"idle, naive DataTable (40 rows)   {naive['cpu_ms_per_s'] / 10:5.2f} % of a core, "
        f"{naive['bytes_per_s'] / 1024:5.2f} KB/s to the terminal (for comparison)"
    )
    print()
    for label, db in (("fresh demo", demo), ("fresh 1,000 open", big), ("5,000 open", five)):
        lat = key_presses(db, presses)
        print(f"key press to repaint (j/k), {label}: {spread(lat)}", flush=True)

    if args.aged > 0:
        hours = f"{args.aged:g} h"
        aged = CACHE / "aged.sqlite3"
        print(f"\naged: copies of the 1,000 open database, stored times {hours} back")
        aged_db.age_copy(big, aged, args.aged)
        catch_up_line(f"aged {hours}, in-process", aged)
        fresh = aged_session(big, presses, 1.0)  # the same start-up, nothing due
        print(
            "key press to repaint (j/k), fresh 1,000 open, from the queue on:"
            f" {spread(fresh['during'])}; {fresh['during_cpu']:.2f} % of a core"
            f" over those {fresh['during_s']:.0f} s, {fresh['during_alerts']} alerts fired"
        )
        aged_db.age_copy(big, aged, args.aged)  # again: the console catches up itself
        r = aged_session(aged, presses, window)
        print(
            f"key press to repaint (j/k), catch-up (aged {hours}, from the queue on):"
            f" {spread(r['during'])}"
        )
        print(
            f"idle, catch-up (aged {hours}, those {r['during_s']:.0f} s)"
            f"   {r['during_cpu']:5.2f} % of a core (keys pressed),"
            f" {r['during_alerts']} alerts fired in the window"
        )
        print(
            f"idle, aged {hours}, caught up      {r['idle_cpu']:5.2f} % of a core,"
            f" {r['idle_kb']:5.2f} KB/s to the terminal, {r['idle_alerts']} alerts fired"
            " in the window"
        )
        print(f"key press to repaint (j/k), aged {hours}, after the catch-up: {spread(r['after'])}")
        for p in CACHE.glob("aged.sqlite3*"):
            p.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())

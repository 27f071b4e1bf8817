"""How fast the SLA engine computes deadlines.

    .venv/bin/python bench/sla_bench.py [--seconds 2]

Prints, never asserts:
  * ``window.add`` per second (one deadline in service time), as datetimes and
    as epoch seconds, on a mix of every level's window and target over report
    instants spread over 2026 (seed fixed); the target is >= 100,000 per second;
  * ``between`` per second;
  * ``evaluate`` per second (one computation = every clock of one fault), for a
    fresh fault and for one with a response, remote work and two pauses;
  * the one-off cost of building the windows' yearly indexes;
  * for comparison, the time of ``import holidays`` in a fresh interpreter.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from oncall.resources import data_path  # noqa: E402
from oncall.sla import CHANNELS, FaultHistory, evaluate, load_policy  # noqa: E402

SEED = 20260101
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)


def rate(work, items, seconds: float) -> tuple[float, int]:
    """Calls per second of ``work(item)`` cycling over ``items`` for about ``seconds``."""
    done = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for item in items:
            work(item)
        done += len(items)
        now = time.perf_counter()
        if now >= deadline:
            return done / (now - started), done


def import_holidays_seconds(runs: int = 5) -> list[float]:
    code = "import time; t = time.perf_counter(); import holidays; print(time.perf_counter() - t)"
    out = []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        out.append(float(result.stdout))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--faults", type=int, default=5000, help="report instants in 2026")
    args = parser.parse_args()

    rng = random.Random(SEED)
    started = time.perf_counter()
    policy = load_policy(data_path("sla.toml"))
    load_s = time.perf_counter() - started

    # Building each window's yearly index (2025-2027) happens once per process.
    started = time.perf_counter()
    for window in policy.windows.values():
        window.between(YEAR_START - timedelta(days=300), YEAR_START + timedelta(days=700))
    index_s = time.perf_counter() - started

    year = 365 * 86_400
    reports = [YEAR_START + timedelta(seconds=rng.randrange(year)) for _ in range(args.faults)]
    levels = [rng.choice(sorted(policy.levels)) for _ in reports]
    channels = [rng.choice(CHANNELS) for _ in reports]

    # One deadline each: the level's window and one of its targets.
    adds = []
    for at, number, channel in zip(reports, levels, channels, strict=True):
        level = policy.level(number)
        target = rng.choice((level.respond[channel], level.resolve))
        adds.append((level.window, at, target))
    adds_epoch = [(w, int(at.timestamp()), s) for w, at, s in adds]
    spans = [(w, at, at + timedelta(seconds=rng.randrange(30 * 86_400))) for w, at, _ in adds]

    fresh = [
        FaultHistory(level=n, channel=c, reported_at=at)
        for at, n, c in zip(reports, levels, channels, strict=True)
    ]
    worked = [
        FaultHistory(
            level=h.level,
            channel=h.channel,
            reported_at=h.reported_at,
            responded_at=h.reported_at + timedelta(minutes=20),
            remote_started_at=h.reported_at + timedelta(minutes=40),
            pauses=(
                (h.reported_at + timedelta(hours=1), h.reported_at + timedelta(hours=3)),
                (h.reported_at + timedelta(hours=20), h.reported_at + timedelta(hours=26)),
            ),
        )
        for h in fresh
    ]
    later = timedelta(days=2)

    print(f"SLA engine benchmark: {args.faults} report instants in 2026 (seed {SEED}),")
    print(f"levels 0-3 and both channels mixed; {args.seconds:g} s per measurement.")
    print(f"  load data/sla.toml                {load_s * 1000:10.1f} ms")
    print(f"  build the windows' indexes        {index_s * 1000:10.1f} ms  (once per process)")

    per_s, n = rate(lambda a: a[0].add(a[1], a[2]), adds, args.seconds)
    print(
        f"  window.add (datetime)             {per_s:10,.0f} /s   ({n:,} calls; target >= 100,000)"
    )
    for name in ("7x8", "5x8"):
        only = [a for a in adds if a[0].name == name]
        per_s, n = rate(lambda a: a[0].add(a[1], a[2]), only, args.seconds / 2)
        print(f"    of which on {name} only           {per_s:10,.0f} /s   ({n:,} calls)")
    per_s, n = rate(lambda a: a[0].add_epoch(a[1], a[2]), adds_epoch, args.seconds)
    print(f"  window.add_epoch (epoch seconds)  {per_s:10,.0f} /s   ({n:,} calls)")
    per_s, n = rate(lambda a: a[0].between(a[1], a[2]), spans, args.seconds)
    print(f"  window.between (datetime)         {per_s:10,.0f} /s   ({n:,} calls)")
    per_s, n = rate(lambda h: evaluate(policy, h, h.reported_at + later), fresh, args.seconds)
    print(f"  evaluate, fresh fault             {per_s:10,.0f} /s   ({n:,} faults)")
    per_s, n = rate(lambda h: evaluate(policy, h, h.reported_at + later), worked, args.seconds)
    print(f"  evaluate, worked fault + 2 pauses {per_s:10,.0f} /s   ({n:,} faults)")

    runs = import_holidays_seconds()
    print(
        f"  import holidays (fresh process)   {statistics.median(runs) * 1000:10.1f} ms  "
        f"(median of {len(runs)}; min {min(runs) * 1000:.1f} ms)"
    )


if __name__ == "__main__":
    main()

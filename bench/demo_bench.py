"""How long ``oncall demo`` takes, against a bare ``oncall db upgrade`` of an empty database.

Target: the demo (344 faults with their work and audit trails, on a new SQLite
file, schema included) within 3x the bare upgrade, both measured here in the
same run, alternating, each on a new file. Prints the medians, the ratio and,
from the last demo run, the seconds ``load_demo`` itself reported; asserts
nothing (timing belongs in figures, not in tests).

    .venv/bin/python bench/demo_bench.py [runs]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    oncall = str(BIN / "oncall")
    with tempfile.TemporaryDirectory(prefix="oncall-demo-bench-") as tmp:
        folder = Path(tmp)
        config = folder / "config.toml"
        config.write_text("", encoding="utf-8")
        env = dict(
            os.environ,
            ONCALL_CONFIG=str(config),
            ONCALL_NOW="2026-03-10T10:00",
            ONCALL_CACHE_DIR=str(folder / "cache"),
            XDG_DATA_HOME=str(folder / "data"),
        )
        env.pop("ONCALL_DB", None)
        run([oncall, "db", "upgrade", "--db", str(folder / "warm.sqlite3")], env)  # disk cache
        upgrades, demos, inside = [], [], []
        for i in range(runs):
            seconds, _ = run([oncall, "db", "upgrade", "--db", str(folder / f"u{i}.sqlite3")], env)
            upgrades.append(seconds)
            cmd = [oncall, "demo", "--json", "--db", str(folder / f"d{i}.sqlite3")]
            seconds, out = run(cmd, env)
            demos.append(seconds)
            inside.append(json.loads(out)["seconds"])
    upgrade, demo = statistics.median(upgrades), statistics.median(demos)
    print(f"median of {runs} runs each, alternating, each on a new SQLite file")
    print(f"oncall db upgrade (empty database)  {upgrade * 1000:7.0f} ms")
    print(f"oncall demo (344 faults)            {demo * 1000:7.0f} ms")
    print(f"ratio                               {demo / upgrade:7.2f}x   (target 3x)")
    print(f"load_demo itself, as it reported    {statistics.median(inside) * 1000:7.0f} ms")


if __name__ == "__main__":
    main()

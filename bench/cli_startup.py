"""How long a one-shot ``oncall sla due`` takes, against ``python -c "import holidays"``.

Target (issue 2): within 1.5x. Prints medians of repeated runs and the ratio;
asserts nothing (timing belongs in figures, not in tests).

    .venv/bin/python bench/cli_startup.py [runs]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def timed(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, check=True, capture_output=True)  # warm the disk cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    oncall = str(BIN / "oncall")
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import holidays'": [sys.executable, "-c", "import holidays"],
        "oncall sla due (level 2, 5x8)": [
            oncall,
            "sla",
            "due",
            "--level",
            "2",
            "--channel",
            "phone",
            "--reported-at",
            "2026-09-30T16:30",
        ],
        "oncall sla due --json (level 0)": [
            oncall,
            "sla",
            "due",
            "--level",
            "0",
            "--channel",
            "phone",
            "--reported-at",
            "2026-09-30T16:30",
            "--json",
        ],
        "oncall sla between (5x8)": [
            oncall,
            "sla",
            "between",
            "--window",
            "5x8",
            "--from",
            "2026-01-01T00:00",
            "--to",
            "2026-12-31T00:00",
        ],
    }
    results = {name: timed(cmd, runs) for name, cmd in cases.items()}
    base = results["python -c 'import holidays'"]
    print(f"median of {runs} runs each")
    for name, seconds in results.items():
        print(f"{name:34s} {seconds * 1000:7.1f} ms   {seconds / base:4.2f}x import holidays")


if __name__ == "__main__":
    main()

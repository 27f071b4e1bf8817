"""What the desk keeps when it is pushed: concurrent writers, kills, hostile input.

    .venv/bin/python bench/reliability.py [--only store|delivery|inputs]

Prints, never asserts, the figures of three benches (each runnable on its own):

* ``reliability_store.py``: on SQLite and PostgreSQL, writers x entries kept of
  entries written; kill -9 rounds of writers and the committed entries lost;
  the integrity check afterwards;
* ``reliability_delivery.py``: on SQLite and PostgreSQL, watchers killed mid-send
  with a slow notify command, then a second watcher after the claim's lease:
  duplicate deliveries, deliveries marked unknown, alerts lost;
* ``reliability_inputs.py``: the hostile corpus through every CLI verb: inputs
  tried, refused (exit 2), accepted and shown escaped, tracebacks, and the slowest
  accepted input against a normal one.

PostgreSQL parts start a throwaway cluster with Debian's ``initdb`` and say so
when it is not installed.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

PARTS = {
    "store": "reliability_store",
    "delivery": "reliability_delivery",
    "inputs": "reliability_inputs",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(PARTS), action="append")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    for name in args.only or list(PARTS):
        module = importlib.import_module(PARTS[name])
        began = time.monotonic()
        rows = module.run()
        took = time.monotonic() - began
        print(f"== {name} ({PARTS[name]}.py, {took:.0f} s)")
        width = max((len(figure) for figure, _ in rows), default=0)
        for figure, value in rows:
            print(f"  {figure:<{width}}  {value}")
        print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

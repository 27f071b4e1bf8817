"""What the catch-up tests share: a desk with many faults whose respond clocks
breached while nothing ran, and the bench's database copier (``bench/aged_db.py``).

The desk is conftest's (the ``fault`` fixture's customer): each fault is a level-1
phone call reported at 09:00 Shanghai, its respond breach at 11:00 (``BREACH``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from alerts_support import BREACH

ROOT = Path(__file__).resolve().parent.parent


def morning_calls(desk, clock, count: int) -> list[str]:
    """``count`` level-1 phone faults reported at 09:00 Shanghai (respond breach at
    ``BREACH``): their refs."""
    return [
        desk.faults.log(
            customer="华东电网",
            system="EMS",
            title=f"fault {n}",
            level=1,
            channel="phone",
            at=clock.now().replace(hour=1),
        ).ref
        for n in range(count)
    ]


def breached_faults(desk, clock, count: int) -> list[str]:
    """``count`` faults whose respond breach is due (the clock an hour past it): refs."""
    refs = morning_calls(desk, clock, count)
    clock.set(BREACH.replace(hour=BREACH.hour + 1))
    return refs


def bench_module(name: str):
    """A module of ``bench/`` (not a package: loaded from its file)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]

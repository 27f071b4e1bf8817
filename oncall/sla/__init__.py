"""The SLA engine: pure functions and dataclasses, no I/O beyond reading the policy.

- ``policy``: the policy file (levels, windows, calendars, further deadlines).
- ``window``: service windows and exact, closed-form service-time arithmetic.
- ``calendar``: working days, public holidays and make-up days.
- ``clocks``: a fault's clocks, deadlines, pauses and bands, from its history.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from oncall.vocabulary import CHANNELS, CLOCKS  # the engine's fixed names (no engine loaded)

if TYPE_CHECKING:
    from .clocks import Band, ClockState, Event, FaultClocks, FaultHistory, HistoryEvent, evaluate
    from .policy import Policy, PolicyError, load_policy, parse_duration
    from .window import ServiceWindow

# Loaded on first use (PEP 562): the console's first frame and ``oncall --help``
# need none of the engine.
_HOME = {
    **dict.fromkeys(
        ("Band", "ClockState", "Event", "FaultClocks", "FaultHistory", "HistoryEvent", "evaluate"),
        "clocks",
    ),
    **dict.fromkeys(("Policy", "PolicyError", "load_policy", "parse_duration"), "policy"),
    "ServiceWindow": "window",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "CHANNELS",
    "CLOCKS",
    "Band",
    "ClockState",
    "Event",
    "FaultClocks",
    "FaultHistory",
    "HistoryEvent",
    "Policy",
    "PolicyError",
    "ServiceWindow",
    "evaluate",
    "load_policy",
    "parse_duration",
]

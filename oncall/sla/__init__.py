"""The SLA engine: pure functions and dataclasses, no I/O beyond reading the policy.

- ``policy``: the policy file (levels, windows, calendars, further deadlines).
- ``window``: service windows and exact, closed-form service-time arithmetic.
- ``calendar``: working days, public holidays and make-up days.
- ``clocks``: a fault's clocks, deadlines, pauses and bands, from its history.
"""

from .clocks import Band, ClockState, Event, FaultClocks, FaultHistory, HistoryEvent, evaluate
from .policy import CHANNELS, CLOCKS, Policy, PolicyError, load_policy, parse_duration
from .window import ServiceWindow

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

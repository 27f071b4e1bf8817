"""Histories and instants for the SLA engine's tests, written as the desk reads them.

Times are the desk's (Asia/Shanghai); a bare ``"03-04 10:15"`` is in 2026.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from oncall.sla import FaultHistory, HistoryEvent

SH = ZoneInfo("Asia/Shanghai")
H = 3600
M = 60


def at(text: str) -> datetime:
    """``"03-04 10:15"`` (2026) or a full ISO date and time, in the desk's zone."""
    if len(text) <= 11:
        text = "2026-" + text
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def fault(level: int = 0, channel: str = "phone", reported: str = "03-04 10:00", **fields):
    """A FaultHistory; datetime fields given as text, pauses/resolutions as text pairs."""
    values = {}
    for key, value in fields.items():
        if key in ("pauses", "resolutions"):
            values[key] = tuple((at(s), at(e) if e else None) for s, e in value)
        else:
            values[key] = at(value) if value else None
    return FaultHistory(level=level, channel=channel, reported_at=at(reported), **values)


def events(*items) -> FaultHistory:
    """FaultHistory.from_events from (kind, "MM-DD HH:MM"[, data]) tuples."""
    return FaultHistory.from_events(
        HistoryEvent(kind, at(when), *data) for kind, when, *data in items
    )

"""The one place that reads the current time.

Domain code takes a ``Clock`` and asks it for ``now()``; tests pass a
``FixedClock`` or a ``SteppingClock`` so that results and snapshots are
deterministic. All instants are timezone-aware UTC, whole seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time, truncated to whole seconds (the engine works in seconds)."""

    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)


class PreciseClock:
    """The real time to the microsecond: when an alert fired, and how late."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that shows one instant until told otherwise."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def advance(self, seconds: float = 0, **kwargs: float) -> datetime:
        self._at += timedelta(seconds=seconds, **kwargs)
        return self._at


class SteppingClock(FixedClock):
    """Each reading moves the clock on by ``step`` (for code that loops on time)."""

    def __init__(self, at: datetime, step: timedelta = timedelta(seconds=1)) -> None:
        super().__init__(at)
        self._step = step

    def now(self) -> datetime:
        at = self._at
        self._at += self._step
        return at

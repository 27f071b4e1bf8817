"""Bands move with time: which open faults change band, and when, without a read.

The desk evaluates each fault's clocks with their threshold instants; between
two reads a fault's band at a later instant follows from those alone
(``QueueItem.band_at``). ``BandTracker`` keeps the faults in order of their next
change, so a one-second tick costs one comparison and a change touches only the
faults that changed. Plain Python (no Textual), made off the event loop.
"""

from __future__ import annotations

import heapq
from collections import Counter
from datetime import datetime

from . import fmt


class BandTracker:
    def __init__(self, items: list, now: datetime) -> None:
        self.items = {i.fault.ref: i for i in items}
        self.bands: dict[str, str] = {}
        self.counts: Counter = Counter()
        self._heap: list[tuple[datetime, str]] = []
        for ref, item in self.items.items():
            self._place(ref, item, now)

    @property
    def next_at(self) -> datetime | None:
        """The next instant a band may change (None: not without an event)."""
        return self._heap[0][0] if self._heap else None

    def advance(self, now: datetime) -> dict[str, str]:
        """Move to ``now``: {ref: new band value} of the faults whose band changed."""
        changed: dict[str, str] = {}
        while self._heap and self._heap[0][0] <= now:
            _at, ref = heapq.heappop(self._heap)
            before = self.bands[ref]
            self.counts[before] -= 1
            self._place(ref, self.items[ref], now)
            if self.bands[ref] != before:
                changed[ref] = self.bands[ref]
        return changed

    def _place(self, ref: str, item, now: datetime) -> None:
        band = fmt.band_value(item.band_at(now))
        self.bands[ref] = band
        self.counts[band] += 1
        at = item.changes_after(now)
        if at is not None:
            heapq.heappush(self._heap, (at, ref))

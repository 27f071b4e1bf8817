"""Which faults the queue shows: mine, a level, a customer, a band, a text search.

Plain Python (no Textual): it filters the read models the desk gave, it does no
SLA arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from ..i18n import _
from . import fmt
from .bands import BandTracker

if TYPE_CHECKING:
    from ..desk import FaultSummary, QueueItem

SHOW = ("open", "resolved", "closed")


@dataclass(frozen=True)
class QueueFilter:
    show: str = "open"  # open queue, resolved (awaiting close), closed (recent)
    mine: bool = False
    level: int | None = None
    customer: str | None = None
    band: str | None = None
    text: str = ""

    @property
    def active(self) -> bool:
        return self != QueueFilter(show=self.show) or self.show != "open"

    def next_show(self) -> QueueFilter:
        return replace(self, show=SHOW[(SHOW.index(self.show) + 1) % len(SHOW)])

    def matches(self, item, me: str | None, band: str | None = None) -> bool:
        """``band``: the item's band now (default: as the desk evaluated it)."""
        f = item.fault
        if self.mine and (me is None or f.assignee != me):
            return False
        if self.level is not None and f.level != self.level:
            return False
        if self.customer and f.customer != self.customer:
            return False
        if self.band and (band or fmt.band_value(item.band)) != self.band:
            return False
        if self.text:
            needle = self.text.casefold()
            hay = " ".join(
                (f.ref, f.title, f.customer, f.system, f.contact, f.assignee or "", f.status)
            ).casefold()
            if needle not in hay:
                return False
        return True

    def describe(self) -> str:
        parts = [
            {
                "open": _("open queue"),
                "resolved": _("resolved, awaiting close"),
                "closed": _("closed (latest)"),
            }[self.show]
        ]
        if self.mine:
            parts.append(_("mine"))
        if self.level is not None:
            parts.append(f"L{self.level}")
        if self.customer:
            parts.append(fmt.safe(self.customer))
        if self.band:
            parts.append(fmt.band_name(self.band))
        if self.text:
            parts.append(f'"{fmt.safe(self.text)}"')
        return " · ".join(parts)


class _NoClocks:
    next_clock = None


class DoneItem:
    """A resolved or closed fault in the queue's place (it has no running clock)."""

    band = "ok"
    paused = False
    done = True
    clocks = _NoClocks()

    def __init__(self, fault: FaultSummary) -> None:
        self.fault = fault

    def left(self, now: datetime) -> int | None:
        return None

    def band_at(self, now: datetime) -> str:
        return self.band

    def changes_after(self, now: datetime) -> None:
        return None


@dataclass(frozen=True)
class QueueView:
    """The queue as the main screen shows it: made off the event loop, applied on it."""

    items: list  # the open queue as the desk gave it
    bands: BandTracker  # the open faults' bands now, and when they change next
    rows: list  # PreparedRow of the faults shown (filtered)
    total: int  # how many the list has before the filter
    note: str  # what the queue says when no row shows
    now: datetime
    matched: int = 0  # how many faults match the filter (some may be folded)


@dataclass(frozen=True)
class QueueShape:
    """What the queue's rows depend on besides the desk's queue: made on the event loop,
    handed to the backend thread with the read (it never reads the screen's state)."""

    filter: QueueFilter = QueueFilter()
    done_items: Sequence[DoneItem] = ()  # the resolved or closed list, when shown
    me: str | None = None  # the user, when allowed to act ("mine")
    names: dict[str, str] = field(default_factory=dict)  # engineer -> name
    expanded: bool = False  # the faults breached long ago shown (z)

    def view(
        self, items: list[QueueItem], now: datetime, linger: tuple[int, DoneItem] | None = None
    ) -> QueueView:
        return queue_view(
            items,
            list(self.done_items),
            self.filter,
            self.me,
            self.names,
            now,
            expanded=self.expanded,
            linger=linger,
        )


def queue_view(
    items: list,
    done_items: list,
    flt: QueueFilter,
    me: str | None,
    names: dict[str, str],
    now: datetime,
    *,
    expanded: bool = False,
    linger: tuple[int, DoneItem] | None = None,
) -> QueueView:
    """The queue's rows for ``items`` under ``flt``: pure, safe on any thread.

    The open queue in the console's order (``group_queue``): the next breach on
    top, then the breaches, latest first; those breached long ago folded into one
    line unless ``expanded``. ``linger``: (row, item) of a fault that left the open
    queue under the cursor (resolved here): kept in its row until the cursor moves.
    """
    from ..desk.queue import group_queue
    from .queue import fold_row, prepare_rows  # the row texts (imports Textual: only when called)

    bands = BandTracker(items, now)
    shown = items if flt.show == "open" else done_items
    visible = [i for i in shown if flt.matches(i, me, bands.bands.get(i.fault.ref))]
    if not shown:
        note = _("No open faults.") if flt.show == "open" else _("No faults here.")
    else:
        note = _("No fault matches the filter (F clears it).")
    if flt.show != "open":
        rows = prepare_rows(visible, now, names)
        return QueueView(items, bands, rows, len(shown), note, now, len(visible))
    groups = group_queue(visible, now)
    rows = prepare_rows([*groups.due, *groups.breached], now, names)
    if groups.long_breached:
        rows.append(fold_row(len(groups.long_breached), expanded))
        if expanded:
            rows += prepare_rows(groups.long_breached, now, names)
    rows += prepare_rows(groups.idle, now, names)
    if linger is not None and all(r.ref != linger[1].fault.ref for r in rows):
        at, item = linger
        rows.insert(max(0, min(at, len(rows))), prepare_rows([item], now, names)[0])
    return QueueView(items, bands, rows, len(shown), note, now, len(visible))

"""The open queue from its rows: shared by ``Desk.reads.open_queue`` and the console's
quick read (``oncall.desk.peek``), so that the two cannot drift apart.

Both run the same query text (``OPEN_FAULTS_SQL``, ``OPEN_EVENTS_SQL``, made by
the store's one reader of faults, ``oncall.store.fault_reader``) and fold its
rows with the same code: the row's ``FaultSummary``, the events grouped and
decoded per fault, the clocks at now, the order.

No database library: plain tuples in, read models out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from oncall.sla import Policy, evaluate
from oncall.store import fault_reader as reader

from . import history as h
from .views import OPEN_STATUSES, FaultSummary, QueueItem

SUMMARY_COLUMNS = reader.FAULT_COLUMNS
assert ("ref", "customer", "system", *SUMMARY_COLUMNS[1:]) == tuple(
    FaultSummary.__dataclass_fields__
)
INSTANT_COLUMNS = reader.INSTANT_COLUMNS

# The open faults' rows, and their clock-relevant events (``history.HISTORY_VERBS``).
OPEN_FAULTS_SQL = reader.faults_sql(OPEN_STATUSES)
OPEN_EVENTS_SQL = reader.events_sql(h.HISTORY_VERBS, OPEN_STATUSES)
# The same, of the faults ``:ids`` (any status).
FAULTS_BY_ID_SQL = reader.faults_sql(None, by_ids=True)
EVENTS_BY_ID_SQL = reader.events_sql(h.HISTORY_VERBS, None)

_NEVER = datetime.min.replace(tzinfo=UTC)


def desk_now(now: datetime) -> datetime:
    """The instant the desk evaluates clocks at: UTC, whole seconds."""
    return now.astimezone(UTC).replace(microsecond=0)


def fault_summary(row: Sequence[Any]) -> FaultSummary:
    """A fault row (id, ``SUMMARY_COLUMNS``, customer, system) -> its ``FaultSummary``."""
    return FaultSummary(row[1], row[-2], row[-1], *row[2:-2])  # type: ignore[arg-type]


def group_events(
    rows: Iterable[Sequence[Any]],
    ids: Iterable[int],
    instant: Callable[[Any], datetime | None] | None = None,
) -> dict[int, list[tuple[str, datetime, Any]]]:
    """Event rows, oldest first -> per fault of ``ids``, its (verb, at, data) for
    ``history.fault_history`` (``oncall.store.fault_reader.group_events``)."""
    return reader.group_events(rows, ids, h.DATA_VERBS, instant)


def queue_key(item: QueueItem) -> tuple:
    """The queue's order: overdue first (most overdue on top, paused or not), then the
    soonest deadline, then the faults with no clock at stake (waiting on the customer
    in time); ties by report time, then by ref."""
    f = item.fault
    nb = item.clocks.next_breach
    return (nb is None, nb or _NEVER, f.reported_at, f.ref)


def queue_items(
    rows: Iterable[Sequence[Any]], histories: dict[int, Any], policy: Policy, now: datetime
) -> list[QueueItem]:
    """The open queue: each row's fault with its clocks (from its folded history, by
    fault id) evaluated at ``now`` (``desk_now``), in the queue's order."""
    items = [
        QueueItem(fault_summary(r), evaluate(policy, histories[r[0]], now, True), now) for r in rows
    ]
    items.sort(key=queue_key)
    return items


# A fault breached longer ago than this is folded into one line of the console's
# queue: by then the desk knows about it (the alerts went out, it is being
# chased), and a night's worth of old breaches must not push the clocks that can
# still be met below the first screen.
LONG_BREACHED = timedelta(days=1)


@dataclass(frozen=True)
class QueueGroups:
    """The open queue as the console orders it: what to do next first."""

    due: list  # clocks running, not yet breached: soonest deadline first
    breached: list  # breached within ``LONG_BREACHED``: most recent breach first
    long_breached: list  # breached longer ago: most recent breach first
    idle: list  # no clock at stake (waiting on the customer in time)

    def ordered(self, expanded: bool) -> list:
        """All of them in the console's order (the long-breached only when ``expanded``)."""
        return [*self.due, *self.breached, *(self.long_breached if expanded else ()), *self.idle]


def group_queue(
    items: Iterable[QueueItem], now: datetime, long_after: timedelta = LONG_BREACHED
) -> QueueGroups:
    """``items`` grouped at ``now``: the next breach first, then the breaches, latest
    first, so that the fault that breaches next is always the first row, however
    many have breached already. Paused faults sit by their clocks like any other
    (a breach stays one while paused). Ties as ``queue_key``."""
    due, breached, long_breached, idle = [], [], [], []
    for item in sorted(items, key=queue_key):
        nb = item.clocks.next_breach
        if nb is None:
            idle.append(item)
        elif nb > now:
            due.append(item)
        elif now - nb > long_after:
            long_breached.append(item)
        else:
            breached.append(item)
    latest_first = lambda i: -(i.clocks.next_breach - _NEVER).total_seconds()  # noqa: E731
    breached.sort(key=latest_first)  # stable: ties keep ``queue_key``'s order
    long_breached.sort(key=latest_first)
    return QueueGroups(due, breached, long_breached, idle)

"""The console's queue order (pure): the next breach first, then the breaches, latest
first, the long-breached apart, the faults with no clock at stake last."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from oncall.desk.queue import LONG_BREACHED, group_queue

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
H = timedelta(hours=1)


def item(ref: str, due: timedelta | None, reported: timedelta = -H):
    """A queue item whose next breach is ``NOW + due`` (None: no clock at stake)."""
    fault = SimpleNamespace(ref=ref, reported_at=NOW + reported)
    clocks = SimpleNamespace(next_breach=None if due is None else NOW + due)
    return SimpleNamespace(fault=fault, clocks=clocks)


def refs(items) -> list[str]:
    return [i.fault.ref for i in items]


def test_the_next_breach_comes_first_however_many_have_breached():
    breached = [item(f"B{n}", -n * 3 * H) for n in range(1, 15)]  # 14 breached, days old too
    soon = item("SOON", timedelta(minutes=5))
    later = item("LATER", H)
    idle = item("IDLE", None)
    groups = group_queue([*breached, later, idle, soon], NOW)
    assert refs(groups.due) == ["SOON", "LATER"]
    assert refs(groups.idle) == ["IDLE"]
    assert groups.ordered(expanded=False)[0].fault.ref == "SOON"


def test_breaches_latest_first_and_the_long_breached_apart():
    day = LONG_BREACHED
    items = [
        item("OLDEST", -3 * day),
        item("RECENT", -H),
        item("JUST", timedelta(0)),  # its deadline is now: breached
        item("OLD", -day - H),
        item("EDGE", -day),  # exactly a day: not yet long-breached
    ]
    groups = group_queue(items, NOW)
    assert refs(groups.breached) == ["JUST", "RECENT", "EDGE"]
    assert refs(groups.long_breached) == ["OLD", "OLDEST"]
    assert refs(groups.ordered(expanded=False)) == ["JUST", "RECENT", "EDGE"]
    assert refs(groups.ordered(expanded=True)) == ["JUST", "RECENT", "EDGE", "OLD", "OLDEST"]


def test_ties_by_report_time_then_ref():
    items = [
        item("F-2", H, reported=-H),
        item("F-1", H, reported=-H),
        item("F-0", H, reported=-2 * H),
        item("B-2", -H, reported=-H),
        item("B-1", -H, reported=-H),
    ]
    groups = group_queue(items, NOW)
    assert refs(groups.due) == ["F-0", "F-1", "F-2"]
    assert refs(groups.breached) == ["B-1", "B-2"]


def test_the_threshold_is_a_parameter():
    groups = group_queue([item("A", -2 * H)], NOW, long_after=H)
    assert refs(groups.long_breached) == ["A"]

"""The smallest desk a test of alerts or of the store starts from, on an engine of its own.

``desk`` in conftest.py is a fuller one on a fresh SQLite copy; these are for tests
that bring their own engine (PostgreSQL, two engines, the real clock) or seed a
database in another process (``delivery_support.seed``, also used by ``bench/``);
and the check that the quick first read (``peek``) equals the desk's open queue.
"""

from __future__ import annotations

from datetime import datetime

from oncall.desk import Desk, SystemInfo
from oncall.desk.peek import peek_open_queue

CUSTOMER, SYSTEM = "华东电网", "EMS"


def one_customer_desk(engine, policy, clock, *, duty_name: str = "Duty Officer") -> Desk:
    """A desk as ``duty``, the one engineer (on duty), with one customer and its system."""
    desk = Desk(engine, policy, clock, "duty")
    desk.add_engineer("duty", duty_name, "engineer", on_duty=True)
    desk.add_customer(CUSTOMER, systems=[SystemInfo(SYSTEM)])
    return desk


def log_fault(desk: Desk, *, at: datetime, level: int = 1, title: str = "t"):
    """A phone call about the customer's system, logged as reported ``at``."""
    return desk.log_fault(
        customer=CUSTOMER, system=SYSTEM, title=title, level=level, channel="phone", at=at
    )


def url_of(desk) -> str:
    return desk.engine.url.render_as_string(hide_password=False)


def assert_peek_is_open_queue(desk) -> None:
    peeked = peek_open_queue(url_of(desk), desk.policy, desk.clock.now())
    assert peeked is not None
    queue = desk.open_queue()
    assert [i.fault.ref for i in peeked.queue] == [i.fault.ref for i in queue]
    for quick, real in zip(peeked.queue, queue, strict=True):
        assert quick.fault == real.fault
        assert quick.clocks == real.clocks  # every clock, its deadline, band and thresholds
        assert quick.now == real.now
    assert peeked.queue == queue
    assert peeked.names == {e.user: e.name for e in desk.list_engineers()}
    assert peeked.database == f"sqlite:{desk.engine.url.database}"  # as the header names it
    assert peeked.policy is desk.policy

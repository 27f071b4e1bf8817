"""The smallest desk a test of alerts or of the store starts from, on an engine of its own.

``desk`` in conftest.py is a fuller one on a fresh SQLite copy; these are for tests
that bring their own engine (PostgreSQL, two engines, the real clock) or seed a
database in another process (``delivery_support.seed``, also used by ``bench/``);
and the check that the quick first read (``peek``) equals the desk's open queue.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from oncall.desk import ClaimRefused, Desk, SystemInfo, UnknownEngineer, ValidationError
from oncall.desk.peek import peek_open_queue

CUSTOMER, SYSTEM = "华东电网", "EMS"


def one_customer_desk(engine, policy, clock, *, duty_name: str = "Duty Officer") -> Desk:
    """A desk as ``duty``, the one engineer (on duty), with one customer and its system."""
    desk = Desk(engine, policy, clock, "duty")
    desk.roster.add("duty", duty_name, "engineer", on_duty=True)
    desk.customers.add(CUSTOMER, systems=[SystemInfo(SYSTEM)])
    return desk


def log_fault(desk: Desk, *, at: datetime, level: int = 1, title: str = "t"):
    """A phone call about the customer's system, logged as reported ``at``."""
    return desk.faults.log(
        customer=CUSTOMER, system=SYSTEM, title=title, level=level, channel="phone", at=at
    )


def url_of(desk) -> str:
    return desk.engine.url.render_as_string(hide_password=False)


def assert_peek_is_open_queue(desk) -> None:
    peeked = peek_open_queue(url_of(desk), desk.policy, desk.clock.now())
    assert peeked is not None
    queue = desk.reads.open_queue()
    assert [i.fault.ref for i in peeked.queue] == [i.fault.ref for i in queue]
    for quick, real in zip(peeked.queue, queue, strict=True):
        assert quick.fault == real.fault
        assert quick.clocks == real.clocks  # every clock, its deadline, band and thresholds
        assert quick.now == real.now
    assert peeked.queue == queue
    assert peeked.names == {e.user: e.name for e in desk.roster.all()}
    assert peeked.database == f"sqlite:{desk.engine.url.database}"  # as the header names it
    assert peeked.policy is desk.policy


def adding_a_system_is_audited(desk) -> None:
    """``add_system`` is a roster engineer's audited verb, as ``customers.add`` is: one
    event naming who acted and who really did; a stranger, a non-lead's claim or a taken
    name write nothing. ``desk``: acting as ``duty``, a lead, with ``alice`` on the roster
    (SQLite here, PostgreSQL in test_store_postgres.py)."""
    before = events(desk, "system_add")
    with pytest.raises(UnknownEngineer):
        desk.as_user("mallory").customers.add_system("华东电网", SystemInfo("X"))
    with pytest.raises(ClaimRefused):
        desk.as_user("alice").claim("duty").customers.add_system("华东电网", SystemInfo("X"))
    with pytest.raises(ValidationError, match="already has a system 'EMS'"):
        desk.customers.add_system("华东电网", SystemInfo("EMS"))
    assert events(desk, "system_add") == before
    desk.as_user("alice").customers.add_system("华东电网", SystemInfo("DMS", "OPEN3200", "v2"))
    desk.claim("alice").customers.add_system("华东电网", SystemInfo("OMS"))
    dms, oms = ["DMS", "OPEN3200", "v2"], ["OMS", "", ""]
    assert events(desk, "system_add")[len(before) :] == [
        ("alice", "alice", "system_add", {"customer": "华东电网", "system": dms}),
        ("alice", "duty", "system_add", {"customer": "华东电网", "system": oms}),
    ]
    assert "X" not in [s.name for s in desk.customers.get("华东电网").systems]


def events(desk, verb: str | None = None) -> list[tuple]:
    """(os_user, real_user, verb, data) of the audit trail, oldest first."""
    rows = desk.reads.events(limit=1000)[::-1]
    return [(e.user, e.real_user, e.verb, e.data) for e in rows if verb in (None, e.verb)]

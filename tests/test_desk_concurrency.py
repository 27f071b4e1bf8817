"""Two consoles on one fault: the version check refuses the second writer."""

from __future__ import annotations

import threading

import pytest
from conftest import NOW
from sqlmodel import Session, func, select

from oncall.desk import Desk, StaleVersion
from oncall.desk.tx import Tx
from oncall.store import make_engine
from oncall.store.models import AuditEvent, Fault, WorkEntryRow


def snapshot(engine):
    with Session(engine) as s:
        events = s.exec(select(func.count()).select_from(AuditEvent)).one()
        work = s.exec(select(func.count()).select_from(WorkEntryRow)).one()
        faults = [tuple(r) for r in s.exec(select(Fault.ref, Fault.version, Fault.status)).all()]
    return events, work, faults


def test_second_writer_with_stale_version_is_refused(desk, fault, db_url, policy, clock):
    # another console: its own engine (another process) and another engineer
    other_engine = make_engine(db_url)
    other = Desk(other_engine, policy, clock, "alice")
    seen_here = desk.reads.fault(fault.ref).version
    seen_there = other.reads.fault(fault.ref).version
    assert seen_here == seen_there == 1
    clock.advance(minutes=5)
    other.faults.assign(fault.ref, "alice", version=seen_there)
    before = snapshot(desk.engine)
    with pytest.raises(StaleVersion) as info:
        desk.faults.respond(fault.ref, version=seen_here, how="phone")
    error = info.value
    assert error.changed_by == "alice" and error.verb == "assign"
    assert error.changed_at == clock.now() and error.seen == 1 and error.current == 2
    message = str(error)
    assert "F-2026-00001 was changed by alice at 2026-03-10 10:05 (assign)" in message
    assert "reload" in message and "\n" not in message
    assert snapshot(desk.engine) == before  # nothing written
    # work-entry verbs check the fault's version too
    w = other.work.add(fault.ref, version=2, mode="phone")
    with pytest.raises(StaleVersion):
        desk.work.end(w.id, version=2)
    # with the fresh version it goes through
    assert desk.faults.respond(fault.ref, version=w.fault_version, how="phone").version == 4
    other_engine.dispose()


def test_guarded_update_refuses_a_row_changed_after_it_was_read(desk, fault, monkeypatch):
    """The UPDATE carries WHERE version = :seen: a stale read cannot overwrite."""
    real_lock = Tx._lock  # the fault verb's transaction (oncall.desk.tx)

    def stale_read(self, s, where):
        row = real_lock(self, s, where)
        values = row._asdict()
        values["version"] -= 1  # as if read before another process's commit
        return type("StaleRow", (), values)()

    f = desk.faults.assign(fault.ref, "alice", version=1)
    before = snapshot(desk.engine)
    monkeypatch.setattr(Tx, "_lock", stale_read)
    with pytest.raises(StaleVersion) as info:
        desk.faults.respond(f.ref, version=None, how="phone")  # None: "whatever is current"
    assert info.value.current == 2 and info.value.changed_by == "duty"
    monkeypatch.undo()
    assert snapshot(desk.engine) == before  # the event written before the UPDATE rolled back


def test_racing_writers_exactly_one_wins(desk, fault, db_url, policy, clock):
    users = ["alice", "bob", "carol", "duty"]
    engines = [make_engine(db_url) for _ in users]
    desks = [Desk(e, policy, clock, u) for e, u in zip(engines, users, strict=True)]
    barrier = threading.Barrier(len(desks))
    outcomes: list[str] = []

    def go(d: Desk) -> None:
        barrier.wait()
        try:
            d.faults.respond(fault.ref, version=1, how="phone", note=d.user)
            outcomes.append("ok")
        except StaleVersion:
            outcomes.append("stale")

    threads = [threading.Thread(target=go, args=(d,)) for d in desks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "stale", "stale", "stale"]
    f = desk.reads.fault(fault.ref)
    assert f.version == 2 and f.responded_at == NOW
    assert [e.verb for e in desk.reads.events(fault.ref)] == ["respond", "log"]
    for e in engines:
        e.dispose()


def test_version_none_takes_the_current_one(desk, fault):
    f = desk.faults.assign(fault.ref, "alice", version=None)
    assert f.version == 2
    assert desk.faults.respond(fault.ref, version=None, how="phone").version == 3


def test_concurrent_intake_gets_distinct_numbers(desk, fault, db_url, policy, clock):
    engines = [make_engine(db_url) for _ in range(4)]
    desks = [Desk(e, policy, clock, "duty") for e in engines]
    barrier = threading.Barrier(len(desks))
    refs: list[str] = []

    def go(d: Desk) -> None:
        barrier.wait()
        f = d.faults.log(customer="华东电网", system="EMS", title="t", level=2, channel="phone")
        refs.append(f.ref)

    threads = [threading.Thread(target=go, args=(d,)) for d in desks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(refs) == [f"F-2026-{n:05d}" for n in range(2, 6)]  # no gaps, no repeats
    for e in engines:
        e.dispose()

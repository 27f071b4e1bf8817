"""Demo data: counts, spread over levels, statuses and urgency bands; what the verbs write.

How long the demo takes is measured by bench/demo_bench.py, never asserted here.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import NOW, assert_cache_right, copy_database
from sqlmodel import Session, func, select

from oncall.clock import FixedClock
from oncall.desk import Desk, DeskError
from oncall.desk.demo import STAGES, load_demo
from oncall.store import make_engine
from oncall.store.models import AuditEvent, FaultRecordRow, WorkEntryRow, metadata


@pytest.fixture
def new_desk(tmp_path, policy, _schema_template):
    """``new_desk(name, user="someone")``: a desk over a new empty database at NOW."""
    engines = []

    def make(name: str = "demo.sqlite3", user: str = "someone") -> Desk:
        engines.append(make_engine(copy_database(_schema_template, tmp_path, name)))
        return Desk(engines[-1], policy, FixedClock(NOW), user)

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture(scope="module")
def demo(tmp_path_factory, policy, _schema_template):
    folder = tmp_path_factory.mktemp("demo")
    engine = make_engine(copy_database(_schema_template, folder, "demo.sqlite3"))
    desk = Desk(engine, policy, FixedClock(NOW), "someone")
    stages: list[str] = []
    summary = load_demo(desk, seed=7, progress=stages.append)
    yield desk, summary, stages
    engine.dispose()


def test_demo_counts_and_spread(demo):
    desk, summary, _ = demo
    assert summary.customers == 6 and summary.systems == 12
    names = [c.name for c in desk.customers.all()]
    assert any(n.isascii() for n in names) and any(not n.isascii() for n in names)
    assert summary.engineers == 10  # the roster and the acting user
    assert desk.roster.me().user == "someone"
    assert {e.seniority for e in desk.roster.all()} == {"engineer", "senior", "expert"}
    assert summary.open_faults == 40
    assert summary.closed_faults == 300 and summary.resolved_faults == 4
    assert summary.faults == 344 == sum(summary.by_level.values())
    assert sum(summary.by_status.values()) == 344
    queue = desk.reads.open_queue()
    assert {q.fault.level for q in queue} == {0, 1, 2, 3}
    assert {q.fault.status for q in queue} == {"new", "responded", "in_progress", "waiting"}
    assert {q.band.value for q in queue} == {"ok", "warning", "critical", "breached"}
    breached = [q for q in queue if q.breached]
    assert 5 <= len(breached) <= 25
    assert queue[0].breached and not queue[-1].breached
    assert any(q.fault.next_breach is None for q in queue)  # waiting on the customer


def test_progress_is_told_each_stage_in_order(demo):
    _, _, stages = demo
    assert stages == list(STAGES)


def test_closed_faults_have_a_history(demo):
    desk, summary, _ = demo
    closed = desk.reads.faults(status="closed")
    assert len(closed) == 300
    months = {f.reported_at.strftime("%Y-%m") for f in closed}
    assert len(months) >= 6  # spread over the past months
    assert all(f.closed_at and f.resolved_at and f.responded_at for f in closed)
    met = {"respond": [], "resolve": []}
    for f in closed[::5]:
        clocks = desk.reads.fault_view(f.ref).clocks
        for name, results in met.items():
            results.append(clocks.clock(name).met)
    for name, results in met.items():  # mostly in time, some late
        assert 0.5 < sum(results) / len(results) < 1, name
    with Session(desk.engine) as s:
        work = s.exec(select(func.count()).select_from(WorkEntryRow)).one()
        onsite = s.exec(
            select(func.count()).select_from(WorkEntryRow).where(WorkEntryRow.mode == "onsite")
        ).one()
        signed = s.exec(
            select(func.count())
            .select_from(WorkEntryRow)
            .where(WorkEntryRow.customer_signoff_at.is_not(None))
        ).one()
        events = s.exec(select(func.count()).select_from(AuditEvent)).one()
        records = s.exec(
            select(func.count()).select_from(FaultRecordRow).where(FaultRecordRow.diagnosis != "")
        ).one()
        verbs = set(s.exec(select(AuditEvent.verb).distinct()).all())
    assert work == summary.work_entries >= 300
    assert onsite > 20 and signed >= 20
    assert events == summary.events > 2000
    assert records >= 300
    assert {
        "log",
        "respond",
        "assign",
        "work_add",
        "sign_off",
        "escalate",
        "pause",
        "resume",
        "record",
        "resolve",
        "close",
        "propose_solution",
    } <= verbs
    view = desk.reads.fault_view(closed[0].ref)
    assert view.work and view.events[0].verb in ("close", "reopen")


def test_demo_cache_is_right(demo):
    """Every fault's cached next breach and clock is a fresh evaluation of its events."""
    desk, _, _ = demo
    assert_cache_right(desk)


def test_demo_refuses_a_database_with_data(demo):
    desk, _, _ = demo
    with pytest.raises(DeskError, match="already has customers"):
        load_demo(desk)


def test_demo_is_deterministic(new_desk):
    def made(seed: int, name: str):
        desk = new_desk(name)
        load_demo(desk, seed=seed, open_faults=8, closed_faults=10, resolved_faults=1)
        faults = desk.reads.faults(include_closed=True)
        return [(f.ref, f.title, f.level, f.status, f.reported_at, f.version) for f in faults]

    assert made(3, "a.sqlite3") == made(3, "b.sqlite3")
    assert made(3, "c.sqlite3") != made(4, "d.sqlite3")


def _every_row(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            for table in metadata.sorted_tables
        }


def test_the_demo_writes_what_the_verbs_would(new_desk):
    """The fast path (stories recorded in memory, written in bulk) against the same
    stories told to the desk's verbs one by one: every row of every table the same.

    Seed 3 at this size has every verb the demo uses (a level change, a reopen …);
    the acting user "aaron" is a senior on duty who sorts before the roster's, so
    escalations go to them: the writer picks the target as the desk does."""
    size = {"seed": 3, "open_faults": 16, "resolved_faults": 2, "closed_faults": 30}
    fast, verbs = new_desk("fast.sqlite3", "aaron"), new_desk("verbs.sqlite3", "aaron")
    told = replace(load_demo(fast, **size), seconds=0)
    assert told == replace(load_demo(verbs, **size, through_verbs=True), seconds=0)
    written, reference = _every_row(fast.engine), _every_row(verbs.engine)
    assert {e.verb for e in reference["audit_event"]} >= {
        "change_level",
        "reopen",
        "pause",
        "resume",
        "sign_off",
        "escalate",
        "propose_solution",
        "record",
    }
    assert any(e.verb == "escalate" and e.data["to"] == "aaron" for e in reference["audit_event"])
    for table, rows in reference.items():
        assert written[table] == rows, table
    assert_cache_right(fast)


def test_a_late_response_never_lands_after_now(new_desk):
    """Seed 24 at this size has a late response due after NOW (a fault reported before
    a weekend): the verbs refuse a future instant, so the demo keeps it in the past."""
    desk = new_desk()
    load_demo(desk, seed=24, open_faults=16, resolved_faults=2, closed_faults=30)
    assert max(e.at for e in desk.reads.events()) <= NOW
    assert_cache_right(desk)


def test_the_demo_fixture_is_the_demo(demo_desk):
    """conftest's ``demo_desk``, which the console's tests and snapshots use."""
    queue = demo_desk.reads.open_queue()
    assert len(queue) == 40
    assert demo_desk.roster.me().user == "duty"

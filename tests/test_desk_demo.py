"""Demo data: counts, spread over levels, statuses and urgency bands; made by the verbs."""

from __future__ import annotations

import shutil
import time

import pytest
from conftest import NOW, assert_cache_right
from sqlmodel import Session, func, select

from oncall.clock import FixedClock
from oncall.desk import Desk, DeskError
from oncall.desk.demo import load_demo
from oncall.store import make_engine
from oncall.store.models import AuditEvent, FaultRecordRow, WorkEntryRow


@pytest.fixture(scope="module")
def demo(tmp_path_factory, policy, _schema_template):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    shutil.copyfile(_schema_template, path)
    engine = make_engine(f"sqlite:///{path}")
    desk = Desk(engine, policy, FixedClock(NOW), "someone")
    started = time.perf_counter()
    summary = load_demo(desk, seed=7)
    elapsed = time.perf_counter() - started
    yield desk, summary, elapsed
    engine.dispose()


def test_demo_counts_and_spread(demo):
    desk, summary, elapsed = demo
    assert elapsed < 10, f"the demo took {elapsed:.1f} s"
    assert summary.customers == 6 and summary.systems == 12
    names = [c.name for c in desk.list_customers()]
    assert any(n.isascii() for n in names) and any(not n.isascii() for n in names)
    assert summary.engineers == 10  # the roster and the acting user
    assert desk.me().user == "someone"
    assert {e.seniority for e in desk.list_engineers()} == {"engineer", "senior", "expert"}
    assert summary.open_faults == 40
    assert summary.closed_faults == 300 and summary.resolved_faults == 4
    queue = desk.open_queue()
    assert {q.fault.level for q in queue} == {0, 1, 2, 3}
    assert {q.fault.status for q in queue} == {"new", "responded", "in_progress", "waiting"}
    assert {q.band.value for q in queue} == {"ok", "warning", "critical", "breached"}
    breached = [q for q in queue if q.breached]
    assert 5 <= len(breached) <= 25
    assert queue[0].breached and not queue[-1].breached
    assert any(q.fault.next_breach is None for q in queue)  # waiting on the customer


def test_closed_faults_have_a_history(demo):
    desk, summary, _ = demo
    closed = desk.fault_list(status="closed")
    assert len(closed) == 300
    months = {f.reported_at.strftime("%Y-%m") for f in closed}
    assert len(months) >= 6  # spread over the past months
    assert all(f.closed_at and f.resolved_at and f.responded_at for f in closed)
    met = {"respond": [], "resolve": []}
    for f in closed[::5]:
        clocks = desk.fault_view(f.ref).clocks
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
    view = desk.fault_view(closed[0].ref)
    assert view.work and view.events[0].verb in ("close", "reopen")


def test_demo_cache_is_right(demo):
    desk, _, _ = demo
    assert_cache_right(desk)


def test_demo_refuses_a_database_with_data(demo):
    desk, _, _ = demo
    with pytest.raises(DeskError, match="already has customers"):
        load_demo(desk)


def test_demo_is_deterministic(tmp_path, policy, _schema_template):
    def made(seed: int, name: str):
        path = tmp_path / name
        shutil.copyfile(_schema_template, path)
        engine = make_engine(f"sqlite:///{path}")
        desk = Desk(engine, policy, FixedClock(NOW), "someone")
        load_demo(desk, seed=seed, open_faults=8, closed_faults=10, resolved_faults=1)
        faults = desk.fault_list(include_closed=True)
        engine.dispose()
        return [(f.ref, f.title, f.level, f.status, f.reported_at, f.version) for f in faults]

    assert made(3, "a.sqlite3") == made(3, "b.sqlite3")
    assert made(3, "c.sqlite3") != made(4, "d.sqlite3")

"""The alert service with a controllable clock: planning, re-planning, pauses, stops,
catch-up after downtime, two schedulers on one database, a locked database."""

# ruff: noqa: F811  (the fixtures are imported from alerts_support)

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta

from alerts_support import (  # noqa: F401  (fixtures)
    BREACH,
    CRITICAL,
    WARNING,
    alert_rows,
    other_desk,
    services,
    wait_until,
)
from apscheduler.triggers.date import DateTrigger
from catchup_support import morning_calls

from oncall.alerts import settle
from oncall.desk import Desk
from oncall.store import db as store_db
from oncall.store import make_engine

H = timedelta(hours=1)


def respond_plans(service) -> dict[str, datetime]:
    return {p.key.threshold: p.planned_at for p in service.planned() if p.key.clock == "respond"}


async def test_start_plans_one_date_job_per_pending_alert(desk, fault, services):
    rec = services(desk, replan_every=7 * 86400)  # jobs for two weeks ahead: every plan
    await rec.service.start()
    plans = rec.service.planned()
    assert respond_plans(rec.service) == {
        "warning": WARNING,
        "critical": CRITICAL,
        "breach": BREACH,
    }
    # level 1: respond, resolve, solution (and on-site arrival, not yet responded): 3 each
    assert Counter(p.key.clock for p in plans) == {
        "respond": 3,
        "resolve": 3,
        "solution": 3,
        "onsite_arrival": 3,
    }
    jobs = {job.id: job for job in rec.service.scheduler.get_jobs()}
    assert set(jobs) == {p.key.job_id for p in plans}
    for job in jobs.values():
        assert isinstance(job.trigger, DateTrigger)
        assert job.misfire_grace_time is None  # late jobs run; never silently skipped
    assert alert_rows(desk.engine) == [] and rec.shown == []


async def test_jobs_only_within_the_horizon_and_the_next_replan_arms_the_rest(
    desk, clock, fault, services
):
    """Jobs only for the alerts due within twice the full re-plan's period (600 s: 20
    minutes): a big desk's thousands of alerts to come cost APScheduler 0.16 ms each on
    the loop. The next full re-plan arms what has come within it; it fires when due."""
    rec = services(desk)  # a full re-plan every 600 s

    def jobs() -> set[str]:
        return {job.id for job in rec.service.scheduler.get_jobs()}

    await rec.service.start()
    planned = {p.key.job_id: p for p in rec.service.planned()}
    near = {k for k, p in planned.items() if p.planned_at <= clock.now() + timedelta(minutes=20)}
    warning = next(
        k for k, p in planned.items() if (p.key.clock, p.key.threshold) == ("respond", "warning")
    )
    assert jobs() == near and warning not in jobs()  # 10:30 is beyond 10:20
    clock.set(WARNING - timedelta(minutes=15))  # 10:15: the next full re-plan is due
    await rec.service.sync()
    assert warning in jobs() and rec.shown == []
    clock.set(WARNING)
    await rec.service.sync()
    assert rec.shown_keys() == [("respond", "warning")]


async def test_each_threshold_fires_once_as_the_clock_reaches_it(desk, clock, fault, services):
    rec = services(desk)
    await rec.service.start()
    for instant, threshold in ((WARNING, "warning"), (CRITICAL, "critical"), (BREACH, "breach")):
        clock.set(instant - timedelta(seconds=1))
        await rec.service.sync()
        assert rec.shown_keys()[-1:] != [("respond", threshold)]
        clock.set(instant)
        await rec.service.sync()
        await rec.service.sync()  # a second look fires nothing more
        assert rec.shown_keys()[-1] == ("respond", threshold)
        assert rec.shown[-1].late_seconds == 0 and not rec.shown[-1].late
    assert rec.shown_keys() == [("respond", t) for t in ("warning", "critical", "breach")]
    rows = alert_rows(desk.engine)
    assert [(r.threshold, r.planned_at, r.fired_at) for r in rows] == [
        ("warning", WARNING, WARNING),
        ("critical", CRITICAL, CRITICAL),
        ("breach", BREACH, BREACH),
    ]
    assert {r.deadline for r in rows} == {BREACH}
    assert respond_plans(rec.service) == {}  # nothing left of the respond clock
    assert rec.counts[-1] == 3  # three unacknowledged alerts


async def test_a_level_change_elsewhere_replans_the_fault(desk, clock, fault, services, other_desk):
    rec = services(desk, replan_every=7 * 86400)  # jobs for two weeks ahead: every plan
    await rec.service.start()
    old_jobs = {p.key.job_id for p in rec.service.planned() if p.key.clock == "respond"}
    # another console makes it level 2 (5x8, respond by phone in 4 service hours)
    other_desk.faults.level(fault.ref, 2, version=None, reason="runs, degraded")
    await rec.service.sync()
    plans = respond_plans(rec.service)
    assert plans["breach"] == datetime(2026, 3, 10, 5, 0, tzinfo=UTC)  # 13:00 in Shanghai
    assert plans["warning"] == datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
    jobs = {job.id for job in rec.service.scheduler.get_jobs()}
    assert not old_jobs & jobs
    assert {p.key.job_id for p in rec.service.planned()} == jobs
    # then level 0: respond within 1 h of the report, i.e. now: the breach fires at once,
    # alone (its warning and critical are superseded)
    other_desk.faults.level(fault.ref, 0, version=None, reason="system down after all")
    await rec.service.sync()
    assert rec.shown_keys() == [("respond", "breach")]
    assert rec.shown[0].deadline == clock.now() and rec.shown[0].level == 0
    assert respond_plans(rec.service) == {}


async def test_a_paused_clock_fires_nothing_and_is_replanned_on_resume(
    desk, clock, fault, services
):
    desk.faults.respond(fault.ref, version=None, how="phone")
    rec = services(desk)
    await rec.service.start()
    resolve = {
        p.key.threshold: p.planned_at for p in rec.service.planned() if p.key.clock == "resolve"
    }
    # level 1: 8 h on 7x8 from 09:00 -> 17:00; warning at 6 h (15:00), critical 16:12
    assert resolve["warning"] == datetime(2026, 3, 10, 7, 0, tzinfo=UTC)
    clock.set(resolve["warning"])
    await rec.service.sync()
    assert rec.shown_keys() == [("resolve", "warning")]

    clock.advance(minutes=10)  # 15:10: waiting on the customer
    desk.faults.pause(fault.ref, version=None, reason="waiting for logs")
    await rec.service.sync()
    assert not [p for p in rec.service.planned() if p.key.clock == "resolve"]
    clock.set(datetime(2026, 3, 10, 9, 30, tzinfo=UTC))  # 17:30, past the old deadline
    await rec.service.sync()
    assert [k for k in rec.shown_keys() if k[0] == "resolve"] == [("resolve", "warning")]

    desk.faults.resume(fault.ref, version=None, note="logs received")
    await rec.service.sync()
    resolve = {p.key.threshold: p for p in rec.service.planned() if p.key.clock == "resolve"}
    # 6h10m used; the rest runs from 09:00 the next day: critical (7h12m) at 10:02,
    # breach (8 h) at 10:50; the warning (same crossing, 15:00) is not repeated
    assert set(resolve) == {"critical", "breach"}
    assert resolve["critical"].planned_at == datetime(2026, 3, 11, 2, 2, tzinfo=UTC)
    assert resolve["breach"].planned_at == datetime(2026, 3, 11, 2, 50, tzinfo=UTC)
    assert resolve["breach"].key.deadline == datetime(2026, 3, 11, 2, 50, tzinfo=UTC)
    for instant in (resolve["critical"].planned_at, resolve["breach"].planned_at):
        clock.set(instant)
        await rec.service.sync()
    assert [k for k in rec.shown_keys() if k[0] == "resolve"] == [
        ("resolve", "warning"),
        ("resolve", "critical"),
        ("resolve", "breach"),
    ]


async def test_a_response_and_a_resolution_cancel_pending_alerts(desk, clock, fault, services):
    rec = services(desk)
    await rec.service.start()
    assert respond_plans(rec.service)
    desk.faults.respond(fault.ref, version=None, how="phone")
    await rec.service.sync()
    assert respond_plans(rec.service) == {}
    assert rec.service.planned()  # resolve and solution still run
    desk.faults.resolve(fault.ref, version=None, summary="fixed")
    await rec.service.sync()
    assert rec.service.planned() == [] and rec.service.scheduler.get_jobs() == []
    clock.advance(hours=48)
    await rec.service.sync()
    assert rec.shown == [] and alert_rows(desk.engine) == []


async def test_a_job_fires_by_the_truth_not_by_its_plan(desk, clock, fault, services, other_desk):
    rec = services(desk)
    await rec.service.start()
    other_desk.faults.respond(fault.ref, version=None, how="phone")  # not polled yet
    clock.set(BREACH + H)
    await rec.service._job(_fault_id(desk, fault.ref))  # the respond breach's job runs
    assert [k for k in rec.shown_keys() if k[0] == "respond"] == []
    assert respond_plans(rec.service) == {}


async def test_catch_up_after_downtime_fires_the_highest_missed_threshold_late(
    desk, clock, fault, services
):
    first = services(desk)
    await first.service.start()
    await first.service.stop()
    clock.set(BREACH + 2 * H)  # everything was down for hours
    second = services(desk)
    await second.service.start()
    assert second.shown_keys() == [("respond", "breach")]  # not its warning nor its critical
    alert = second.shown[0]
    assert alert.late and alert.late_seconds == 7200
    assert alert.planned_at == BREACH and alert.fired_at == BREACH + 2 * H
    await second.service.stop()
    # restarted again: nothing fires twice, nothing old is shown again
    third = services(desk)
    await third.service.start()
    await third.service.sync()
    assert third.shown == []
    assert len(alert_rows(desk.engine)) == 1


async def test_two_schedulers_on_one_database_fire_each_alert_once(
    desk, clock, services, policy, db_url
):
    refs = [
        desk.faults.log(
            customer="华东电网",
            system="EMS",
            title=f"fault {i}",
            level=i % 2,
            channel="phone",
            at=clock.now() - timedelta(minutes=5 * i),
        ).ref
        for i in range(12)
    ]
    engine = make_engine(db_url)
    try:
        one = services(desk)
        two = services(Desk(engine, policy, clock, "alice"))
        await asyncio.gather(one.service.start(), two.service.start())
        for _ in range(30):
            clock.advance(minutes=6)
            await asyncio.gather(one.service.sync(), two.service.sync())
        rows = alert_rows(desk.engine)
        keys = [(r.fault_id, r.clock, r.threshold, r.deadline) for r in rows]
        assert len(rows) > len(refs) and len(keys) == len(set(keys))
        # each console showed every alert once, whichever of them fired it
        assert sorted(a.id for a in one.shown) == [r.id for r in rows]
        assert sorted(a.id for a in two.shown) == [r.id for r in rows]
        assert {r.fired_by for r in rows} <= {one.service.name, two.service.name}
    finally:
        engine.dispose()


async def test_two_schedulers_catching_up_at_once_fire_once(
    desk, clock, fault, services, other_desk
):
    clock.set(BREACH + H)
    one, two = services(desk), services(other_desk)
    await asyncio.gather(one.service.start(), two.service.start())
    rows = alert_rows(desk.engine)
    assert [(r.clock, r.threshold) for r in rows] == [("respond", "breach")]


async def test_a_change_elsewhere_is_seen_by_the_poll(desk, clock, fault, services, other_desk):
    """Nothing here calls sync(): the service's own poll finds the new fault and fires."""
    rec = services(desk, poll_every=0.05)
    await rec.service.start()
    late = other_desk.faults.log(
        customer="华东电网",
        system="SCADA",
        title="down",
        level=0,
        channel="phone",
        at=clock.now() - 2 * H,
    )
    await wait_until(lambda: rec.shown)
    assert [(a.ref, a.clock, a.threshold) for a in rec.shown][:1] == [
        (late.ref, "respond", "breach")
    ]


async def test_a_locked_database_delays_an_alert_and_never_loses_it(
    db_url, policy, clock, desk, fault, services, monkeypatch
):
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 50)
    engine = make_engine(db_url)  # new connections: 50 ms busy timeout
    try:
        rec = services(Desk(engine, policy, clock, "duty"))
        await rec.service.start()
        holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        clock.set(WARNING + timedelta(seconds=30))
        await rec.service.sync()
        assert not rec.service.healthy and rec.shown == []
        await rec.service.sync()  # still locked: still nothing, no error escapes
        holder.execute("ROLLBACK")
        holder.close()
        clock.advance(seconds=30)
        await rec.service.sync()
        assert rec.service.healthy
        assert rec.shown_keys() == [("respond", "warning")]
        assert rec.shown[0].late_seconds == 60 and rec.shown[0].late
        await rec.service.sync()
        assert len(alert_rows(engine)) == 1
    finally:
        engine.dispose()


async def test_acknowledging_clears_the_count_for_everyone(
    desk, clock, fault, services, other_desk
):
    one, two = services(desk), services(other_desk)
    await one.service.start()
    await two.service.start()
    clock.set(CRITICAL)
    await one.service.sync()
    await two.service.sync()
    assert one.counts[-1] == 1 and two.counts[-1] == 1  # critical only (warning superseded)
    assert await one.service.acknowledge(None) == 1
    await two.service.sync()
    assert one.counts[-1] == 0 and two.counts[-1] == 0
    (row,) = alert_rows(desk.engine)
    assert row.acked_by == "duty" and row.acked_at == CRITICAL


def _fault_id(desk, ref: str) -> int:
    from sqlmodel import Session, select

    from oncall.store.models import Fault

    with Session(desk.engine) as s:
        return s.exec(select(Fault.id).where(Fault.ref == ref)).one()


async def test_an_idle_poll_reads_nothing_until_something_is_committed(
    desk, clock, fault, services, other_desk, monkeypatch
):
    rec = services(desk)
    await rec.service.start()
    reads = Counter()
    for name in ("last_change", "open_queue"):
        method = getattr(desk.reads, name)

        def counted(*args, _name=name, _method=method, **kwargs):
            reads[_name] += 1
            return _method(*args, **kwargs)

        monkeypatch.setattr(desk.reads, name, counted)
    news = desk.alerts.news

    def counted_news(*args, **kwargs):
        reads["alert_news"] += 1
        return news(*args, **kwargs)

    monkeypatch.setattr(desk.alerts, "news", counted_news)
    for _ in range(5):
        clock.advance(seconds=1)  # before any threshold
        await rec.service.sync()
    assert reads == Counter()
    other_desk.faults.respond(fault.ref, version=fault.version, how="phone")  # a commit elsewhere
    await rec.service.sync()
    assert reads["last_change"] == 1 and reads["alert_news"] == 1
    assert "respond" not in {p.key.clock for p in rec.service.planned()}  # re-planned
    await rec.service.sync()
    assert reads["last_change"] == 1  # nothing new since


async def test_the_poll_only_rearms_a_job_and_the_job_fires(desk, clock, fault, services):
    """With nothing to re-read, a poll that finds the warning due by the clock arms its
    job to run now and fires nothing (the scheduler is paused); the job fires it once
    resumed. (A re-plan that reads the database fires what it finds due itself.)"""
    rec = services(desk, replan_every=86400)
    await rec.service.start()
    (warning,) = [
        p for p in rec.service.planned() if (p.key.clock, p.key.threshold) == ("respond", "warning")
    ]
    scheduler = rec.service.scheduler
    scheduler.pause()
    clock.set(WARNING)
    poll = asyncio.create_task(rec.service.sync())

    def armed_now() -> bool:
        job = scheduler.get_job(warning.key.job_id)
        return job is not None and job.next_run_time <= datetime.now(UTC)

    await wait_until(armed_now)
    assert not poll.done()  # it waits for the job it found due
    assert rec.shown == [] and alert_rows(desk.engine) == []
    scheduler.resume()
    await poll
    assert rec.shown_keys() == [("respond", "warning")]
    assert scheduler.get_job(warning.key.job_id) is None  # a date job runs once


async def test_alerts_due_together_fire_in_one_read_of_the_database(
    desk, clock, services, monkeypatch
):
    """Four respond breaches missed while nothing ran: one read of every open fault,
    which fires the four in one batch (no job each)."""
    morning_calls(desk, clock, 4)
    clock.set(BREACH + H)
    steps: list[set[int] | None] = []
    real_replan = settle.replan

    def counted(engine, policy, fault_ids, *rest):
        steps.append(fault_ids)
        return real_replan(engine, policy, fault_ids, *rest)

    monkeypatch.setattr(settle, "replan", counted)
    rec = services(desk)
    await rec.service.start()
    assert rec.shown_keys() == [("respond", "breach")] * 4
    assert steps == [None]  # the start's read of every open fault, nothing more
    assert rec.service.last_burst == (4,)

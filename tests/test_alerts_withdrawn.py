"""Withdrawn alerts: an entry logged after the fact that stops a clock in time takes
back the alerts that fired meanwhile (kept in the list, out of the count, never sent).

The ``fault`` fixture: level 1 by phone, reported 09:00 (Shanghai), clock at 10:00;
its respond clock warns at 10:30, turns critical at 10:48 and breaches at 11:00.
"""

# ruff: noqa: F811  (the fixtures are imported from alerts_support)

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from alerts_support import (  # noqa: F401  (fixtures)
    BREACH,
    CRITICAL,
    WARNING,
    alert_rows,
    hook_settings,
    notify_states,
    other_desk,
    services,
)
from desk_support import log_fault, one_customer_desk
from sqlalchemy import inspect, update

from oncall.alerts import deliver
from oncall.alerts.plan import applies_from, withdrawal
from oncall.sla import FaultHistory, evaluate
from oncall.store import head_revision, upgrade
from oncall.store.alert_models import Alert

M = timedelta(minutes=1)
REPORTED = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)


# -- the rule (pure) ----------------------------------------------------------------------


def _rule(policy, history, clock, threshold, deadline, planned, now=BREACH + 60 * M):
    clocks = evaluate(policy, history, now)
    return withdrawal(policy, history, clocks, clock, threshold, deadline, planned)


def _history(**marks) -> FaultHistory:
    return FaultHistory(level=1, channel="phone", reported_at=REPORTED, **marks)


def test_a_breach_is_withdrawn_when_its_clock_stopped_by_its_deadline(policy):
    for responded, withdrawn in (
        (BREACH - 10 * M, True),
        (BREACH, True),  # at the deadline is in time
        (BREACH + timedelta(seconds=1), False),  # late: the breach happened
        (None, False),  # still running: it stands
    ):
        history = _history(responded_at=responded)
        reason = _rule(policy, history, "respond", "breach", BREACH, BREACH)
        assert (reason is not None) == withdrawn, responded
        if withdrawn:
            assert reason == f"respond: stopped {responded.isoformat()}"


def test_a_warning_is_withdrawn_only_when_the_clock_stopped_before_it_was_due(policy):
    history = _history(responded_at=WARNING - M)
    assert _rule(policy, history, "respond", "warning", BREACH, WARNING) is not None
    assert _rule(policy, history, "respond", "critical", BREACH, CRITICAL) is not None
    later = _history(responded_at=CRITICAL + M)  # after the critical: both were right
    assert _rule(policy, later, "respond", "warning", BREACH, WARNING) is None
    assert _rule(policy, later, "respond", "critical", BREACH, CRITICAL) is None
    assert _rule(policy, later, "respond", "breach", BREACH, BREACH) is not None


def test_an_onsite_arrival_alert_is_withdrawn_by_a_response_in_time(policy):
    history = _history()
    trigger = applies_from(policy, history, "onsite_arrival")
    assert trigger is not None
    fired = evaluate(policy, history, trigger + M).clock("onsite_arrival")
    answered = _history(responded_at=trigger - M)  # the clock is not owed at all
    reason = _rule(policy, answered, "onsite_arrival", "warning", fired.deadline, trigger)
    assert reason and reason.startswith("onsite_arrival: not owed")
    late = _history(responded_at=trigger + M)  # owed: its alerts stand while it runs
    assert _rule(policy, late, "onsite_arrival", "warning", fired.deadline, trigger) is None


# -- the service -----------------------------------------------------------------------------


async def test_a_back_dated_response_withdraws_the_breach_and_the_count_drops(
    desk, clock, fault, services
):
    rec = services(desk)
    taken_back = []
    rec.service.on_withdrawn.append(taken_back.extend)
    await rec.service.start()
    clock.set(BREACH + 5 * M)
    await rec.service.sync()
    assert rec.shown_keys() == [("respond", "breach")] and rec.counts[-1] == 1
    # the engineer answered at 10:50 and logs it now, 11:05
    desk.faults.respond(fault.ref, version=None, how="phone", at=BREACH - 10 * M)
    await rec.service.sync()
    (row,) = alert_rows(desk.engine)
    assert row.withdrawn_at == BREACH + 5 * M
    assert row.withdrawn_reason == f"respond: stopped {(BREACH - 10 * M).isoformat()}"
    assert row.acked_at is None  # nobody acknowledged it: it is simply out of the count
    assert rec.counts[-1] == 0 and desk.alerts.unacked_count() == 0
    assert [a.id for a in taken_back] == [row.id] and taken_back[0].withdrawn
    (listed,) = desk.alerts.recent()
    assert listed.withdrawn and listed.id == row.id  # still in the list
    await rec.service.sync()
    assert len(taken_back) == 1  # withdrawn once
    # "acknowledge all" leaves a withdrawn alert alone (it is not among the counted)
    assert desk.alerts.acknowledge(None) == []


async def test_a_back_dated_resolution_withdraws_the_onsite_escalation_breach(
    desk, clock, fault, services
):
    desk.faults.respond(fault.ref, version=None, how="phone", at=clock.now())
    desk.work.add(fault.ref, version=None, mode="onsite", start=clock.now())  # 10:00
    escalation = clock.now() + timedelta(hours=2)  # 12:00
    rec = services(desk)
    await rec.service.start()
    clock.set(escalation + 30 * M)  # 12:30
    await rec.service.sync()
    assert ("onsite_escalation", "breach") in rec.shown_keys()
    # the fix was in at 11:30; written up at 12:30
    desk.faults.resolve(fault.ref, version=None, summary="card swapped", at=escalation - 30 * M)
    await rec.service.sync()
    rows = {(r.clock, r.threshold): r for r in alert_rows(desk.engine)}
    assert rows["onsite_escalation", "breach"].withdrawn_at == clock.now()
    # the others: the resolve clock (7x8 from 09:00, 17:00) fired nothing; what did fire
    # for clocks met late stays
    assert all(
        r.withdrawn_at is None for k, r in rows.items() if k != ("onsite_escalation", "breach")
    )
    assert rec.service.planned() == []  # resolved: nothing left to plan


async def test_a_withdrawn_alert_not_yet_sent_is_never_sent(
    desk, clock, fault, services, other_desk, tmp_path
):
    calls = tmp_path / "calls"
    console = services(desk)  # no notify command: the breach waits for a watcher
    await console.service.start()
    clock.set(BREACH + 5 * M)
    await console.service.sync()
    assert notify_states(desk.engine) == [(None, 0)]
    desk.faults.respond(fault.ref, version=None, how="phone", at=BREACH - M)
    await console.service.sync()
    assert alert_rows(desk.engine)[0].withdrawn_at is not None
    watcher = services(other_desk, kind="watch", settings=hook_settings(f'echo x >> "{calls}"'))
    await watcher.service.start()
    await watcher.service.sync()
    await asyncio.gather(*watcher.service._tasks)
    assert not calls.exists()  # never handed to the command
    assert notify_states(desk.engine) == [(None, 0)]
    assert desk.alerts.notify_backlog(REPORTED, BREACH + timedelta(days=1)) == []
    # nor resent on request
    assert other_desk.alerts.resend(alert_rows(desk.engine)[0].id).queued is False


async def test_a_claim_taken_before_the_withdrawal_runs_nothing(desk, clock, fault, services):
    rec = services(desk)
    await rec.service.start()
    clock.set(BREACH)
    await rec.service.sync()
    (row,) = alert_rows(desk.engine)
    assert desk.alerts.claim_notify(row.id, "watch:x", clock.now(), clock.now())
    desk.alerts.withdraw({row.id: "respond: stopped"}, clock.now())
    job = deliver.Job(
        url=desk.engine.url.render_as_string(hide_password=False),
        alert=row.id,
        claim="watch:x",
        command="exit 0",
        timeout=1,
        retries=0,
        backoff=0,
        payload="{}",
    )
    # the supervisor's guarded start refuses it: the command never runs
    assert deliver.begin(desk.engine, job, 4242, "jump1") is False
    assert deliver.supervise(job) == deliver.CLAIM_GONE
    assert alert_rows(desk.engine)[0].notify_pid is None


async def test_a_back_dated_entry_made_while_nothing_ran_is_found_at_start(
    desk, clock, fault, services, other_desk
):
    first = services(desk)
    await first.service.start()
    clock.set(BREACH + 5 * M)
    await first.service.sync()
    await first.service.stop()
    desk.faults.respond(fault.ref, version=None, how="phone", at=BREACH - M)  # nobody watching
    second = services(other_desk)
    await second.service.start()
    assert alert_rows(desk.engine)[0].withdrawn_at == clock.now()
    assert second.service.unacked in (None, 0)
    assert desk.alerts.withdrawal_candidates(None) == set()


async def test_a_past_call_unanswered_is_a_real_breach_fired_late(desk, clock, services):
    rec = services(desk)
    await rec.service.start()
    reported = clock.now() - timedelta(hours=3)  # 07:00: respond (7x8) due at 11:00
    clock.set(clock.now() + timedelta(hours=1, minutes=30))  # 11:30
    desk.faults.log(
        customer="华东电网",
        system="EMS",
        title="logged late",
        level=1,
        channel="phone",
        at=reported,
    )
    await rec.service.sync()
    breach = [a for a in rec.shown if (a.clock, a.threshold) == ("respond", "breach")]
    assert len(breach) == 1 and breach[0].late and breach[0].late_seconds == 30 * 60
    assert not breach[0].withdrawn


async def test_a_past_call_logged_with_its_response_fires_no_respond_alert(desk, clock, services):
    rec = services(desk)
    await rec.service.start()
    clock.set(clock.now() + timedelta(hours=1, minutes=30))  # 11:30
    fault = desk.faults.log(
        customer="华东电网",
        system="EMS",
        title="logged late",
        level=1,
        channel="phone",
        at=clock.now() - timedelta(hours=4, minutes=30),  # 07:00
        responded_at=clock.now() - timedelta(hours=3),  # 08:30: before 11:00
        responded_via="phone",
    )
    assert fault.status == "responded"
    await rec.service.sync()
    assert [k for k in rec.shown_keys() if k[0] == "respond"] == []
    assert alert_rows(desk.engine) == []


# -- the migration ---------------------------------------------------------------------------


async def test_the_migration_down_and_up_keeps_a_withdrawn_alert_quiet(
    desk, clock, fault, services
):
    from alembic import command

    from oncall.store.db import _alembic_config

    rec = services(desk)
    await rec.service.start()
    clock.set(BREACH)
    await rec.service.sync()
    await rec.service.stop()
    engine = desk.engine
    desk.alerts.withdraw({alert_rows(engine)[0].id: "respond: stopped"}, clock.now())
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0004")
    names = {c["name"] for c in inspect(engine).get_columns("alert")}
    assert "withdrawn_at" not in names
    with engine.connect() as conn:
        (row,) = conn.exec_driver_sql(
            "SELECT acked_by, notify_state, notify_error FROM alert"
        ).all()
    # the older code would count it and send it: acknowledged, and marked not to send
    assert tuple(row) == ("withdrawn", "failed", "withdrawn")
    assert upgrade(engine) == head_revision()  # back to head (0005 or later)
    names = {c["name"] for c in inspect(engine).get_columns("alert")}
    assert {"withdrawn_at", "withdrawn_reason"} <= names
    with engine.begin() as conn:
        conn.execute(update(Alert.__table__).values(withdrawn_at=BREACH))
    assert alert_rows(engine)[0].withdrawn_at == BREACH


# -- the alerts screen -------------------------------------------------------------------------


async def test_the_alerts_screen_shows_a_withdrawn_alert_dimmed_and_out_of_the_count(
    desk, clock, fault
):
    from alerts_support import started
    from tui_support import make_app

    from oncall.tui.alerts_bridge import attach_alerts
    from oncall.tui.alerts_screen import AlertsScreen

    app = make_app(desk, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        service = attach_alerts(app, desk, None, clock, poll_every=3600)
        await started(pilot, service)
        clock.set(BREACH + 5 * M)
        await service.sync()
        screen = AlertsScreen(service)
        app.push_screen(screen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "alerts 1" in app.main.header.plain()
        desk.faults.respond(fault.ref, version=None, how="phone", at=BREACH - M)
        await service.sync()  # the screen reloads by itself
        await app.workers.wait_for_complete()
        await pilot.pause()
        (cells,) = [screen.table.get_row_at(n) for n in range(screen.table.row_count)]
        assert str(cells[0]) == " " and str(cells[2]) == "Breach · withdrawn"
        assert all(str(c.style) == "dim" for c in cells)
        note = str(screen.query_one("#alerts-note").render())
        assert "1 alerts shown, 0 not acknowledged." in note
        assert "1 withdrawn: a later entry shows their clocks stopped in time." in note
        assert app.unacked_alerts == 0 and "alerts 1" not in app.main.header.plain()
        service.close()


# -- PostgreSQL ------------------------------------------------------------------------------


async def test_withdrawal_and_its_migration_on_postgres(pg_engines, policy, services):
    from alembic import command

    from oncall.clock import FixedClock
    from oncall.desk import Desk
    from oncall.store.db import _alembic_config

    clock = FixedClock(BREACH - timedelta(hours=1))
    one = one_customer_desk(pg_engines[0], policy, clock, duty_name="Duty")
    fault = log_fault(one, at=REPORTED)
    first = services(one)
    await first.service.start()
    clock.set(BREACH + 5 * M)
    await first.service.sync()
    await first.service.stop()
    one.faults.respond(fault.ref, version=None, how="phone", at=BREACH - M)  # nobody watching
    second = services(Desk(pg_engines[1], policy, clock, "duty"))
    await second.service.start()  # the full pass finds the back-dated entry
    rows = alert_rows(pg_engines[0])
    assert [r.threshold for r in rows if r.clock == "respond"] == ["breach"]
    assert all(r.withdrawn_at == clock.now() for r in rows if r.clock == "respond")
    assert one.alerts.unacked_count() == len([r for r in rows if r.clock != "respond"])
    await second.service.stop()
    engine = pg_engines[0]
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0004")
    assert "withdrawn_at" not in {c["name"] for c in inspect(engine).get_columns("alert")}
    assert upgrade(engine) == head_revision()
    assert "withdrawn_at" in {c["name"] for c in inspect(engine).get_columns("alert")}

"""Delivery: a killed watcher never pages twice; an outcome nobody saw is ``unknown``.

The notify command runs under a supervisor (``oncall.alerts.deliver``) that
outlives the watcher and records the outcome. The kill tests run ``oncall
watch`` as real processes (``tests/delivery_support.py``), on SQLite and on
PostgreSQL; the rest drive the pieces in-process.
"""

# ruff: noqa: F811  (the fixtures are imported)

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

import pytest
from alerts_support import (  # noqa: F401  (fixtures)
    WARNING,
    alert_rows,
    hook_settings,
    notify_states,
    other_desk,
    services,
    wait_until,
)
from delivery_support import NOW, Stage, kill_round, seed
from sqlalchemy import create_engine, inspect, text, update
from sqlalchemy.engine import make_url

from oncall.alerts import deliver
from oncall.identity import real_user
from oncall.store import head_revision, upgrade
from oncall.store.alert_models import Alert


@pytest.fixture(params=["sqlite", "postgresql"])
def kill_db(request, tmp_path):
    """An empty database at head, seeded for a kill round: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'oncall.sqlite3'}"
        upgrade(url)
        seed(url)
        yield url
        return
    base = make_url(request.getfixturevalue("pg_url"))
    name = f"oncall_kill_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    seed(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def stage(tmp_path):
    stage = Stage(tmp_path / "stage")
    yield stage
    stage.release()  # a command still waiting (a failed test) ends now


def test_a_watcher_killed_mid_send_has_its_outcome_recorded_and_never_resent(kill_db, stage):
    got = kill_round(kill_db, stage)
    first = got.first
    # the watcher died; its supervisor saw the command through and wrote the outcome
    assert first.notify_state == "sent" and first.notify_exit == 0
    assert first.notify_done_at == NOW and first.notify_attempts == 1
    assert first.notify_by.startswith(f"watch:{real_user()}@") and first.notify_pid is not None
    # the second watcher, past the lease, sent its own alert and not this one again
    assert got.second.notify_state == "sent"
    assert got.deliveries == {first.id: 1, got.second.id: 1}
    assert "delivery unknown" not in got.second_err and "Traceback" not in got.second_err


def test_a_supervisor_killed_too_leaves_the_alert_unknown_shown_and_not_resent(kill_db, stage):
    got = kill_round(kill_db, stage, kill_supervisor=True)
    first = got.first
    assert first.notify_state == "unknown" and first.notify_exit is None
    # the orphaned command did page, once; nobody paged again
    assert got.deliveries == {first.id: 1, got.second.id: 1}
    (line,) = [x for x in got.second_err.splitlines() if "delivery unknown" in x]
    assert f"alert {first.id} (breach respond of F-2026-00001)" in line
    assert f"oncall alert resend {first.id}" in line
    assert "Traceback" not in got.second_err


# -- in-process --------------------------------------------------------------------------


def _job(engine, alert_id: int, claim: str, command: str) -> deliver.Job:
    return deliver.Job(
        url=engine.url.render_as_string(hide_password=False),
        alert=alert_id,
        claim=claim,
        command=command,
        timeout=5,
        retries=0,
        backoff=0,
        payload="{}",
        at=WARNING.isoformat(),
    )


async def _one_alert(services, desk, clock) -> int:
    rec = services(desk)  # no notify command: fires, sends nothing
    await rec.service.start()
    clock.set(WARNING)
    await rec.service.sync()
    (row,) = alert_rows(desk.engine)
    return row.id


async def test_a_claim_given_back_before_its_supervisor_starts_runs_nothing(
    desk, clock, fault, services, tmp_path
):
    alert_id = await _one_alert(services, desk, clock)
    assert desk.alerts.claim_notify(alert_id, "me", WARNING, WARNING)
    assert desk.alerts.release_notify("me", [alert_id]) == 1  # a clean stop
    ran = tmp_path / "ran"
    job = _job(desk.engine, alert_id, "me", f'touch "{ran}"')
    assert deliver.supervise(job) == deliver.CLAIM_GONE
    assert not ran.exists()
    assert notify_states(desk.engine) == [(None, 0)]


async def test_a_started_claim_is_kept_at_stop_and_its_outcome_recorded(
    desk, clock, fault, services, tmp_path
):
    alert_id = await _one_alert(services, desk, clock)
    assert desk.alerts.claim_notify(alert_id, "me", WARNING, WARNING)
    job = _job(desk.engine, alert_id, "me", "exit 4")
    assert deliver.begin(desk.engine, job, 4242, "jump1")
    assert desk.alerts.release_notify("me", [alert_id]) == 0  # it may be paging
    assert deliver.supervise(job) == deliver.CLAIM_GONE  # one supervisor per claim
    (row,) = alert_rows(desk.engine)
    assert (row.notify_state, row.notify_pid, row.notify_host) == ("sending", 4242, "jump1")
    deliver.finish(desk.engine, job, 1, deliver.HookResult(False, "exit 4", "", 4), WARNING)
    (row,) = alert_rows(desk.engine)
    assert (row.notify_state, row.notify_exit, row.notify_done_at) == ("failed", 4, WARNING)


async def test_a_supervisor_that_dies_mid_send_leaves_the_alert_unknown_at_once(
    desk, clock, fault, services, tmp_path
):
    unknown = []
    # the command kills its supervisor (its shell's parent) before it could record anything
    rec = services(desk, settings=hook_settings("kill -9 $PPID; sleep 5"))
    rec.service.on_notify_unknown.append(unknown.append)
    await rec.service.start()
    clock.set(WARNING)
    await rec.service.sync()
    await wait_until(lambda: unknown)
    (row,) = alert_rows(desk.engine)
    assert row.notify_state == "unknown" and unknown[0].id == row.id
    await rec.service.sync()
    rec.service._last_backlog = None
    clock.advance(hours=1)
    await rec.service.sync()
    await asyncio.gather(*rec.service._tasks)
    assert desk.alerts.by_id(row.id).notify_state == "unknown"  # not sent again


async def test_a_stale_started_claim_becomes_unknown_and_a_person_resends_it(
    desk, clock, fault, services, other_desk, tmp_path
):
    alert_id = await _one_alert(services, desk, clock)
    # a watcher and its supervisor that died mid-send, an hour ago
    assert desk.alerts.claim_notify(alert_id, "dead", WARNING, WARNING)
    assert deliver.begin(desk.engine, _job(desk.engine, alert_id, "dead", ""), 1, "jump1")
    with desk.engine.begin() as conn:
        conn.execute(update(Alert.__table__).values(notify_claimed_at=WARNING - timedelta(hours=1)))
    sent = tmp_path / "sent"
    unknown = []
    watcher = services(other_desk, settings=hook_settings(f'cat >> "{sent}"; echo >> "{sent}"'))
    watcher.service.on_notify_unknown.append(unknown.append)
    await watcher.service.start()  # looks at once
    assert [a.id for a in unknown] == [alert_id]
    assert notify_states(desk.engine) == [("unknown", 0)]
    await asyncio.gather(*watcher.service._tasks)
    assert not sent.exists()  # never resent by itself
    # a person resends it: sent once, and the row says who asked
    record, queued = await watcher.service.resend(alert_id)
    who = other_desk.user
    assert queued and record.notify_resent_by == who
    [event] = [e for e in other_desk.reads.events() if e.verb == "alert_resend"]
    assert (event.user, event.data) == (who, {"alert": alert_id})
    await wait_until(lambda: notify_states(desk.engine) == [("sent", 1)])
    (row,) = alert_rows(desk.engine)
    assert row.notify_resent_by == who and row.notify_resent_at == WARNING
    lines = [x for x in sent.read_text().splitlines() if x.strip()]
    assert [json.loads(x)["alert"] for x in lines] == [alert_id]
    # a sent alert is not resent on request
    assert await watcher.service.resend(alert_id) == (
        desk.alerts.by_id(alert_id),
        False,
    )


def test_the_supervisor_writes_columns_of_the_alert_table():
    assert set(deliver._ALERT.c.keys()) <= set(Alert.__table__.c.keys())


async def test_the_migration_down_and_up_turns_an_old_sending_into_unknown(
    desk, clock, fault, services
):
    from alembic import command

    from oncall.store.db import _alembic_config

    await _one_alert(services, desk, clock)
    engine = desk.engine
    with engine.begin() as conn:  # what an older version leaves mid-send
        conn.execute(update(Alert.__table__).values(notify_state="sending", notify_by="old"))
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0002")
    assert "notify_pid" not in {c["name"] for c in inspect(engine).get_columns("alert")}
    assert upgrade(engine) == head_revision()
    names = {c["name"] for c in inspect(engine).get_columns("alert")}
    assert {"notify_pid", "notify_host", "notify_exit", "notify_resent_by"} <= names
    assert "ix_alert_fired_at" in {i["name"] for i in inspect(engine).get_indexes("alert")}
    # it may have paged: unknown, never sent again by itself
    assert notify_states(engine) == [("unknown", 0)]


async def test_oncall_alert_resend_queues_an_unknown_delivery_and_refuses_the_rest(
    desk, clock, fault, services, db_url, tmp_path, monkeypatch, capsys
):
    from oncall.cli import main

    alert_id = await _one_alert(services, desk, clock)
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("ONCALL_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setattr("oncall.identity.real_user", lambda: "alice")
    monkeypatch.delenv("ONCALL_USER", raising=False)
    monkeypatch.setenv("ONCALL_NOW", "2026-03-10T10:31:00+08:00")

    def cli(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--db", db_url, "alert", "resend", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = cli(str(alert_id))  # not sent yet: nothing to resend
    assert (code, out) == (2, "") and err.strip().splitlines() == [
        f"oncall: alert {alert_id} is not sent yet: only a delivery that is unknown or "
        "failed is sent again"
    ]
    assert cli("999")[::2] == (2, "oncall: no alert 999\n")
    with desk.engine.begin() as conn:
        conn.execute(update(Alert.__table__).values(notify_state="unknown", notify_pid=7))
    code, out, err = cli(str(alert_id))
    assert (code, err) == (0, "")
    assert out.startswith(f"alert {alert_id} (warning respond of {fault.ref}): queued by alice")
    (row,) = alert_rows(desk.engine)
    assert (row.notify_state, row.notify_pid, row.notify_resent_by) == (None, None, "alice")
    assert row.notify_resent_at == WARNING + timedelta(minutes=1)
    [event] = [e for e in desk.reads.events() if e.verb == "alert_resend"]
    assert (event.user, event.data) == ("alice", {"alert": alert_id})


async def test_only_a_roster_engineer_resends(
    desk, clock, fault, services, db_url, tmp_path, monkeypatch, capsys
):
    from oncall.cli import main

    alert_id = await _one_alert(services, desk, clock)
    with desk.engine.begin() as conn:
        conn.execute(update(Alert.__table__).values(notify_state="unknown", notify_pid=7))
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("ONCALL_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setattr("oncall.identity.real_user", lambda: "mallory")
    monkeypatch.delenv("ONCALL_USER", raising=False)
    capsys.readouterr()
    code = main(["--db", db_url, "alert", "resend", str(alert_id)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "") and len(err.strip().splitlines()) == 1
    assert "mallory" in err and "roster" in err
    assert notify_states(desk.engine) == [("unknown", 0)]

"""The store and the desk on PostgreSQL (psycopg 3).

Uses the fixtures of ``tests/pgcluster.py``: ``$ONCALL_TEST_PG_URL`` when set,
else a throwaway cluster; skipped when PostgreSQL is not installed. Each test
gets a database of its own (``pg_db`` empty, ``pg_head_db`` at head), dropped
afterwards.
"""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import NOW, assert_cache_right
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from oncall.clock import FixedClock
from oncall.desk import Desk, DeskError, StaleVersion, SystemInfo, open_desk
from oncall.desk.demo import load_demo
from oncall.store import head_revision, make_engine, schema_state, upgrade
from oncall.store.models import metadata

M = timedelta(minutes=1)


def test_migrations_on_postgres(pg_db):
    engine = make_engine(pg_db)
    assert schema_state(engine) == "empty"
    assert upgrade(engine) == head_revision()
    assert upgrade(engine) == head_revision()  # no-op
    assert schema_state(engine) == "current"
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_audit_trail_is_append_only_on_postgres(pg_desk):
    f = pg_desk.faults.log(customer="华东电网", system="EMS", title="t", level=1, channel="phone")
    assert f.ref.startswith("F-2026-")
    with pg_desk.engine.connect() as conn:
        for sql in (
            "UPDATE audit_event SET verb = 'x'",
            "DELETE FROM audit_event",
            "TRUNCATE audit_event CASCADE",
        ):
            with pytest.raises(DatabaseError, match="append-only"):
                conn.execute(text(sql))
            conn.rollback()


def test_adding_a_system_is_audited_on_postgres(pg_desk):
    from desk_support import adding_a_system_is_audited

    adding_a_system_is_audited(pg_desk)


def test_full_life_on_postgres(pg_desk):
    desk, clock = pg_desk, pg_desk.clock
    f = desk.faults.log(
        customer="华东电网",
        system="EMS",
        title="EMS down",
        level=0,
        channel="phone",
        symptom="控制台\x1b[31m全部断开",
        at=NOW - 60 * M,
    )
    f = desk.faults.respond(f.ref, version=f.version, how="phone", at=NOW - 50 * M)
    f = desk.faults.assign(f.ref, "alice", version=f.version)
    w = desk.work.add(f.ref, version=f.version, mode="remote", start=NOW - 45 * M, end=NOW)
    o = desk.work.add(f.ref, version=w.fault_version, mode="onsite", start=NOW - 5 * M)
    f = desk.faults.escalate(f.ref, version=o.fault_version, reason="hard")
    assert f.assignee == "bob"
    o = desk.work.sign_off(o.id, version=f.version, customer_rep="张工")
    f = desk.faults.pause(f.ref, version=o.fault_version, reason="logs")
    clock.advance(minutes=30)
    f = desk.faults.resume(f.ref, version=f.version)
    f = desk.faults.record(
        f.ref, version=f.version, diagnosis="PSU", handling="swap", losses="no", changes="PSU"
    )
    f = desk.faults.resolve(f.ref, version=f.version, summary="ok")
    f = desk.faults.close(f.ref, version=f.version)
    f = desk.faults.reopen(f.ref, version=f.version, reason="again")
    assert f.status == "in_progress" and f.version == 13
    view = desk.reads.fault_view(f.ref)
    assert view.record.symptom == "控制台\x1b[31m全部断开"
    assert [e.verb for e in view.events][:3] == ["reopen", "close", "resolve"]
    assert view.work[1].signed
    assert_cache_right(desk)
    stale = Desk(desk.engine, desk.policy, clock, "alice")
    with pytest.raises(StaleVersion, match="changed by duty"):
        stale.faults.pause(f.ref, version=f.version - 1, reason="r")


def test_racing_writers_on_postgres(pg_desk, pg_head_db, policy):
    f = pg_desk.faults.log(customer="华东电网", system="EMS", title="t", level=1, channel="phone")
    users = ["duty", "alice", "bob", "duty", "alice", "bob"]
    engines = [make_engine(pg_head_db) for _ in users]
    desks = [Desk(e, policy, pg_desk.clock, u) for e, u in zip(engines, users, strict=True)]
    barrier = threading.Barrier(len(desks))
    outcomes: list[str] = []
    refs: list[str] = []

    def go(d: Desk) -> None:
        barrier.wait()
        try:
            d.faults.respond(f.ref, version=1, how="phone")
            outcomes.append("ok")
        except StaleVersion:
            outcomes.append("stale")
        barrier.wait()  # then all log a fault at once: every one gets its own number
        refs.append(
            d.faults.log(customer="华东电网", system="EMS", title="x", level=2, channel="phone").ref
        )

    threads = [threading.Thread(target=go, args=(d,)) for d in desks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["stale"] * (len(desks) - 1)
    assert pg_desk.reads.fault(f.ref).version == 2
    assert len(set(refs)) == len(desks)
    for e in engines:
        e.dispose()


def test_queue_and_demo_on_postgres(pg_head_db, policy):
    desk = open_desk(pg_head_db, policy, FixedClock(NOW), "someone")
    summary = load_demo(desk, seed=1, open_faults=16, closed_faults=12, resolved_faults=1)
    assert summary.open_faults == 16 and summary.closed_faults == 12
    queue = desk.reads.open_queue()
    assert queue[0].breached
    assert queue[-1].fault.next_breach is None  # PostgreSQL sorts NULLs last too
    assert_cache_right(desk)
    desk.engine.dispose()


# -- per-engineer database roles ------------------------------------------------------------

# What the README tells a desk to run once (as the tables' owner), with the test's names.
DESK_GRANTS = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'oncall_desk') THEN
    CREATE ROLE oncall_desk NOLOGIN;
  END IF;
END $$;
GRANT CONNECT ON DATABASE "{db}" TO oncall_desk;
GRANT USAGE ON SCHEMA public TO oncall_desk;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO oncall_desk;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO oncall_desk;
"""


@pytest.fixture
def engineer_roles(pg_db, pg_url):  # noqa: F811
    """Two engineers' own login roles in the oncall_desk group; (name, url) each.

    The throwaway cluster trusts every local connection, so connecting as a role
    needs no OS user of that name; a real desk uses peer authentication (README).
    """
    upgrade(pg_db)
    base = make_url(pg_db)
    suffix = uuid.uuid4().hex[:6]
    names = [f"alice_{suffix}", f"bob_{suffix}"]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(DESK_GRANTS.format(db=base.database)))
        for name in names:
            conn.execute(text(f'CREATE ROLE "{name}" LOGIN IN ROLE oncall_desk'))
    yield [(n, base.set(username=n).render_as_string(hide_password=False)) for n in names]
    admin.dispose()
    # The roles hold privileges in the test's database: drop it first, from another one.
    other = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with other.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)'))
        for name in names:
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    other.dispose()


def test_the_database_records_each_engineers_role(engineer_roles, pg_db, policy):
    (alice, alice_url), (bob, bob_url) = engineer_roles
    clock = FixedClock(NOW)
    as_alice = open_desk(alice_url, policy, clock, alice)
    as_bob = open_desk(bob_url, policy, clock, bob)
    try:
        as_alice.roster.add(alice, "Alice", "senior")  # the first: a lead
        as_alice.roster.add(bob, "Bob", "engineer")
        as_alice.customers.add("华东电网", systems=[SystemInfo("EMS")])
        f = as_bob.faults.log(
            customer="华东电网", system="EMS", title="t", level=1, channel="phone"
        )
        as_alice.faults.respond(f.ref, version=None, how="phone")
        with as_bob.engine.begin() as conn:  # a client cannot write another name
            conn.execute(
                text(
                    "INSERT INTO audit_event (at, logged_at, os_user, verb, data, db_user) "
                    "VALUES (now(), now(), :me, 'probe', '{}', :other)"
                ),
                {"me": bob, "other": alice},
            )
        with as_alice.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT os_user, real_user, verb, db_user FROM audit_event ORDER BY id")
            ).all()
        assert [tuple(r) for r in rows] == [
            (alice, alice, "engineer_add", alice),
            (alice, alice, "engineer_add", alice),
            (alice, alice, "customer_add", alice),
            (bob, bob, "log", bob),
            (alice, alice, "respond", alice),
            (bob, None, "probe", bob),
        ]
        # another engineer's role is refused, in one line; a shared role is not
        with pytest.raises(DeskError, match=f"OS user '{alice}' connects to the database as "
                           f"engineer '{bob}''s role"):  # fmt: skip
            open_desk(bob_url, policy, clock, alice)
        shared = open_desk(pg_db, policy, clock, alice)
        shared.engine.dispose()
    finally:
        as_alice.engine.dispose()
        as_bob.engine.dispose()


def test_schema_0003_downgrades_on_postgres(pg_db):
    from alembic import command

    from oncall.store import db as store_db

    engine = make_engine(pg_db)
    upgrade(engine)
    with engine.begin() as conn:
        command.downgrade(store_db._alembic_config(conn), "0002")
        assert (
            conn.execute(
                text("SELECT count(*) FROM pg_proc WHERE proname = 'audit_event_db_user'")
            ).scalar()
            == 0
        )
    assert upgrade(engine) == head_revision()
    engine.dispose()

"""Shared fixtures: a temporary SQLite database at head, a fixed clock, a desk, the demo.

Databases are made once per session (per xdist worker) as template files and
copied for each test: a copy costs a millisecond, a migration or the demo data
a good part of a second. Every test gets its own copy under its own
``tmp_path``, so tests can run in parallel.
"""

from __future__ import annotations

import gc
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlmodel import Session, select
from textual import _wait

from oncall.clock import FixedClock
from oncall.desk import ContactInfo, Desk, SystemInfo, open_desk
from oncall.desk.history import fault_history
from oncall.resources import data_path
from oncall.sla import evaluate, load_policy
from oncall.store import make_engine, upgrade
from oncall.store.models import AuditEvent, Fault

# No test may depend on how fast this machine is: no per-example deadline, and no
# failing when generating examples is slow (a busy machine); speed is bench/'s.
settings.register_profile("oncall", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("oncall")

# The suite's cost (it must run within 90 s on 2 cores, see the README), two settings:
# - The cyclic garbage collector ran a full pass every few hundred console objects, over
#   every object the imports made (Textual, SQLAlchemy): 14 % of a console test's CPU.
#   Collect rarely, and never over what exists once the tests are collected (frozen).
# - Textual's ``pilot.pause()`` waits until the process looks idle, in windows of 20 ms:
#   every pause cost at least 20 ms of wall time, a third of a console test's. The tests
#   wait on the events they need (``tui_support.settle``: the desk open, the workers done,
#   the messages handled); the pause only lets the loop run, so a 2 ms window will do.
gc.set_threshold(30_000, 50, 100)


def pytest_collection_finish(session) -> None:
    gc.collect()
    gc.freeze()


_wait.SLEEP_GRANULARITY = 0.002
_wait.SLEEP_IDLE = 0.000_2

# PostgreSQL fixtures (pg_url, pg_db, pg_head_db), for every test file.
pytest_plugins = ["pgcluster"]

# A Tuesday, 10:00 in Shanghai: inside every service window.
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def _no_user_config(tmp_path_factory):
    """The developer's own config dir (and its calendar file) never reaches a test."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def policy():
    return load_policy(data_path("sla.toml"))


@pytest.fixture
def clock():
    return FixedClock(NOW)


def copy_database(template: Path, folder: Path, name: str = "oncall.sqlite3") -> str:
    """A copy of a template SQLite file in ``folder``; its URL."""
    path = folder / name
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def _schema_template(tmp_path_factory) -> Path:
    """An SQLite file at head, made once: copying it is faster than migrating each time."""
    path = tmp_path_factory.mktemp("template") / "oncall.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def db_url(tmp_path, _schema_template):
    """A fresh database at head (its own file)."""
    return copy_database(_schema_template, tmp_path)


@pytest.fixture(scope="session")
def demo_template(_schema_template, tmp_path_factory, policy) -> Path:
    """An SQLite file with the demo data at NOW, as ``duty`` (30 closed faults; built once).

    The console's snapshots show it: change it and they change."""
    from oncall.desk.demo import load_demo

    url = copy_database(_schema_template, tmp_path_factory.mktemp("demo"), "demo.sqlite3")
    engine = make_engine(url)
    load_demo(Desk(engine, policy, FixedClock(NOW), "duty"), closed_faults=30)
    engine.dispose()
    return Path(url.removeprefix("sqlite:///"))


@pytest.fixture
def demo_desk(demo_template, tmp_path, policy):
    """A desk as ``duty`` over a fresh copy of the demo database, clock fixed at NOW."""
    engine = make_engine(copy_database(demo_template, tmp_path, "demo.sqlite3"))
    yield Desk(engine, policy, FixedClock(NOW), "duty")
    engine.dispose()


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _desk_template(_schema_template, tmp_path_factory, policy) -> Path:
    """The small desk's database, made once: four verbs' worth of roster and customer
    cost more than the copy, in every test that takes ``desk``."""
    url = copy_database(_schema_template, tmp_path_factory.mktemp("desk"), "desk.sqlite3")
    engine = make_engine(url)
    _small_desk(Desk(engine, policy, FixedClock(NOW), "duty"))
    engine.dispose()
    return Path(url.removeprefix("sqlite:///"))


def _small_desk(desk: Desk) -> None:
    desk.roster.add("duty", "Duty Officer", "engineer", phone="100", on_duty=True)
    desk.roster.add("alice", "Alice Wang", "engineer", on_duty=True)
    desk.roster.add("bob", "Bob Li", "senior", on_duty=True)
    desk.roster.add("carol", "Carol Zhang", "expert")
    desk.customers.add(
        "华东电网",
        systems=[SystemInfo("EMS", "D5000", "v3.2"), SystemInfo("SCADA", "OPEN-3200", "R5")],
        warranty_start=date(2025, 6, 1),
        warranty_end=date(2028, 5, 31),
        tier="gold",
        contacts=[ContactInfo("张工", phone="13800000000", role="duty manager")],
    )


@pytest.fixture
def desk(engine, db_url, policy, clock, _desk_template):
    """A desk acting as ``duty`` (an engineer), with a small roster and one customer
    (``_small_desk``), on the test's own database (``engine``, ``db_url``)."""
    engine.dispose()  # no connection open on the file it is given
    shutil.copyfile(_desk_template, db_url.removeprefix("sqlite:///"))
    return Desk(engine, policy, clock, "duty")


@pytest.fixture
def fault(desk, clock):
    """A level-1 phone fault reported an hour ago, not yet responded to."""
    return desk.faults.log(
        customer="华东电网",
        system="EMS",
        title="EMS front end drops telemetry",
        level=1,
        channel="phone",
        symptom="RTU data stale since 09:00",
        contact="张工 13800000000",
        at=clock.now().replace(hour=1),
    )


def assert_cache_right(desk) -> None:
    """Every fault's cached next breach and clock, against its stored events, as of now;
    and the open queue in the order of the engine's deadlines."""
    now = desk.clock.now()
    with Session(desk.engine) as s:
        faults = s.exec(select(Fault)).all()
        events: dict[int, list] = {}
        for fault_id, verb, at, data in s.exec(
            select(AuditEvent.fault_id, AuditEvent.verb, AuditEvent.at, AuditEvent.data).order_by(
                AuditEvent.id
            )
        ):
            events.setdefault(fault_id, []).append((verb, at, data))
    for fault in faults:
        clocks = evaluate(desk.policy, fault_history(events[fault.id]), now)
        assert (fault.next_breach, fault.next_clock) == (clocks.next_breach, clocks.next_clock), (
            fault.ref
        )
    queue = desk.reads.open_queue()
    keys = [(q.clocks.next_breach is None, q.clocks.next_breach) for q in queue]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    dated = [k[1] for k in keys if k[1] is not None]
    assert dated == sorted(dated)


# -- on the PostgreSQL cluster of pgcluster.py ------------------------------------------------


@pytest.fixture
def pg_engines(pg_head_db):
    engines = [make_engine(pg_head_db), make_engine(pg_head_db)]
    yield engines
    for engine in engines:
        engine.dispose()


@pytest.fixture
def pg_desk(pg_head_db, policy):
    clock = FixedClock(NOW)
    desk = open_desk(pg_head_db, policy, clock, "duty")
    desk.roster.add("duty", "Duty", "engineer", on_duty=True)
    desk.roster.add("alice", "Alice", "engineer")
    desk.roster.add("bob", "Bob", "senior", on_duty=True)
    desk.customers.add(
        "华东电网",
        systems=[SystemInfo("EMS", "D5000", "v3")],
        contacts=[ContactInfo("张工")],
        tier="gold",
    )
    yield desk
    desk.engine.dispose()

"""The console's quick read (``oncall.desk.peek``) gives exactly ``Desk.open_queue``'s
items, never writes, imports no database library, and gives up (None) on anything
it should not read."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from desk_support import assert_peek_is_open_queue, url_of

from oncall.cli.console import ConsoleOpener
from oncall.cli.context import Ctx
from oncall.desk.peek import peek_open_queue, sqlite_path
from oncall.store import resolve_database_url, sqlite_file, sqlite_url

M = timedelta(minutes=1)


def test_the_demo_queue(demo_desk):
    assert len(demo_desk.reads.open_queue()) == 40
    assert_peek_is_open_queue(demo_desk)
    for hours in (1, 5, 30):  # bands drift with time; the desk's now is whole seconds
        demo_desk.clock.advance(hours=hours, seconds=0.75)
        assert_peek_is_open_queue(demo_desk)


def test_paused_reopened_on_site_escalated_and_tied_faults(desk, clock):
    def log(title, level=1, channel="phone", at=None):
        return desk.faults.log(
            customer="华东电网",
            system=("EMS", "SCADA")[level % 2],
            title=title,
            level=level,
            channel=channel,
            at=at,
        ).ref

    def ver(ref):
        return desk.reads.fault(ref).version

    start = clock.now() - 240 * M
    paused = log("paused", at=start)
    desk.faults.respond(paused, version=ver(paused), how="phone", at=start + 5 * M)
    desk.faults.pause(paused, version=ver(paused), reason="customer away", at=start + 20 * M)

    reopened = log("reopened", level=2, channel="electronic", at=start + M)
    desk.faults.respond(reopened, version=ver(reopened), how="electronic", at=start + 10 * M)
    desk.faults.resolve(reopened, version=ver(reopened), summary="fixed", at=start + 60 * M)
    desk.faults.reopen(reopened, version=ver(reopened), reason="back again", at=start + 90 * M)

    onsite = log("on site", at=start + 2 * M)
    desk.faults.respond(onsite, version=ver(onsite), how="phone", at=start + 6 * M)
    entry = desk.work.add(onsite, version=ver(onsite), mode="remote", start=start + 30 * M)
    desk.work.edit(entry.id, version=ver(onsite), mode="onsite", start=start + 40 * M)
    desk.faults.assign(onsite, "alice", version=ver(onsite))

    escalated = log("escalated", level=3, at=start + 3 * M)
    desk.faults.level(escalated, 2, version=ver(escalated), reason="worse", at=start + 50 * M)
    desk.faults.assign(escalated, "alice", version=ver(escalated))
    desk.faults.escalate(escalated, version=ver(escalated), reason="stuck", at=start + 70 * M)

    done = log("resolved, not in the queue", at=start + 4 * M)
    desk.faults.respond(done, version=ver(done), how="phone", at=start + 7 * M)
    desk.faults.resolve(done, version=ver(done), summary="ok", at=start + 8 * M)
    closed = log("closed, not in the queue", level=3, at=start + 4 * M)
    desk.faults.respond(closed, version=ver(closed), how="phone", at=start + 7 * M)
    desk.faults.resolve(closed, version=ver(closed), summary="ok", at=start + 8 * M)
    desk.faults.close(closed, version=ver(closed), at=start + 9 * M)

    # same level, channel and report time: same deadline; the order still agrees
    twins = [log(f"twin {n}", level=3, at=start + 100 * M) for n in range(3)]

    queue = desk.reads.open_queue()
    refs = [i.fault.ref for i in queue]
    assert done not in refs and closed not in refs
    assert {paused, reopened, onsite, escalated, *twins} <= set(refs)
    assert refs.index(twins[0]) < refs.index(twins[1]) < refs.index(twins[2])
    assert [i.fault.ref for i in queue if i.paused] == [paused]
    dated = [i.fault.next_breach is not None for i in queue]
    assert dated == sorted(dated, reverse=True)  # no running clock: last
    assert_peek_is_open_queue(desk)
    clock.advance(hours=3)
    assert_peek_is_open_queue(desk)


def test_an_empty_database_peeks_empty(db_url, policy, clock):
    peeked = peek_open_queue(db_url, policy, clock.now())
    assert peeked is not None and peeked.queue == [] and peeked.names == {}


def test_the_file_is_only_read(desk, fault):
    desk.engine.dispose()  # nothing of the desk's left open: the file is all there is
    file = Path(desk.engine.url.database)
    before = hashlib.sha256(file.read_bytes()).hexdigest()
    peeked = peek_open_queue(url_of(desk), desk.policy, desk.clock.now())
    assert peeked is not None and [i.fault.ref for i in peeked.queue] == [fault.ref]
    assert hashlib.sha256(file.read_bytes()).hexdigest() == before
    wal = file.with_name(file.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def _with_revision(db_url: str, revision: str | None) -> str:
    file = sqlite_file(db_url)
    con = sqlite3.connect(file)
    if revision is None:
        con.execute("DROP TABLE alembic_version")
    else:
        con.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    con.commit()
    con.close()
    return db_url


@pytest.mark.parametrize("revision", ["0001", "9999", None])
def test_only_the_current_schema(db_url, policy, clock, revision):
    assert peek_open_queue(db_url, policy, clock.now()) is not None
    _with_revision(db_url, revision)
    assert peek_open_queue(db_url, policy, clock.now()) is None


def test_not_other_databases_nor_odd_urls(db_url, tmp_path, policy, clock):
    now = clock.now()
    path = sqlite_file(db_url)
    for url in (
        "postgresql+psycopg://oncall@localhost/oncall",
        "sqlite://",
        "sqlite:///:memory:",
        f"sqlite:///file:{path}?mode=ro&uri=true",
        f"{db_url}?timeout=1",
        sqlite_url(tmp_path / "has%25percent.sqlite3"),
    ):
        assert peek_open_queue(url, policy, now) is None, url
    missing = tmp_path / "missing.sqlite3"
    assert peek_open_queue(sqlite_url(missing), policy, now) is None
    assert not missing.exists()  # never created
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database, not at all\n" * 500)
    assert peek_open_queue(sqlite_url(tmp_path / "junk.sqlite3"), policy, now) is None
    folder = tmp_path / "a folder"
    folder.mkdir()
    assert peek_open_queue(sqlite_url(folder), policy, now) is None


def test_a_locked_file_is_not_waited_for(db_url, policy, clock):
    con = sqlite3.connect(sqlite_file(db_url), isolation_level=None)
    con.execute("PRAGMA locking_mode = EXCLUSIVE")
    con.execute("BEGIN EXCLUSIVE")
    try:
        assert peek_open_queue(db_url, policy, clock.now()) is None
    finally:
        con.execute("ROLLBACK")
        con.close()
    assert peek_open_queue(db_url, policy, clock.now()) is not None


@pytest.mark.parametrize(
    "name", ["oncall.sqlite3", "with space.db", "数据库.sqlite3", "a#b@c:d.db"]
)
def test_the_file_is_the_one_the_desk_opens(tmp_path, name):
    for url in (
        sqlite_url(tmp_path / name),
        resolve_database_url(None, {"ONCALL_DB": str(tmp_path / name)}, None),
        resolve_database_url(None, {}, name, config_dir=tmp_path),
        "sqlite:///relative/oncall.sqlite3",
        "sqlite:///~/oncall.sqlite3",
    ):
        assert Path(sqlite_path(url)).expanduser() == sqlite_file(url), url


def test_the_console_opener_peeks_the_database_it_opens(demo_desk, monkeypatch, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("")
    monkeypatch.setenv("ONCALL_CONFIG", str(config))
    monkeypatch.delenv("ONCALL_USER", raising=False)
    monkeypatch.setattr("oncall.identity.real_user", lambda: "duty")
    monkeypatch.delenv("ONCALL_DB", raising=False)
    ctx = Ctx(argparse.Namespace(db=demo_desk.engine.url.database))
    ctx.clock = demo_desk.clock
    opener = ConsoleOpener(ctx)
    peeked = opener.peek()
    desk = opener()
    try:
        assert peeked is not None and peeked.queue == desk.reads.open_queue()
    finally:
        ctx.close()


def test_a_quick_read_imports_no_database_library(demo_desk, tmp_path):
    """In a fresh interpreter, the console's opener peeks without SQLAlchemy, SQLModel,
    pydantic or Alembic; opening the desk afterwards imports them."""
    config = tmp_path / "config.toml"
    config.write_text("")
    script = f"""
import argparse, json, sys
from oncall.cli.console import ConsoleOpener
from oncall.cli.context import Ctx
ctx = Ctx(argparse.Namespace(db={str(demo_desk.engine.url.database)!r}))
peeked = ConsoleOpener(ctx).peek()
heavy = [m for m in ("sqlalchemy", "sqlmodel", "pydantic", "alembic") if m in sys.modules]
ConsoleOpener(ctx)()
print(json.dumps([len(peeked.queue), heavy, "sqlalchemy" in sys.modules]))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCALL_")}
    env.update(ONCALL_CONFIG=str(config))
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [40, [], True]

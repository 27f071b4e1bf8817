"""Damaged against unreachable databases: one classification, one line, exit 2 when damaged;
``oncall db status`` runs SQLite's quick check; ``oncall db backup`` and ``db check``."""

# ruff: noqa: F811  (the CLI fixtures are imported from cli_support)
from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest
from cli_support import PYTHON, Cli, _copy, _isolate, environment, templates  # noqa: F401
from dbdamage import damage_header, damage_page
from sqlalchemy.exc import OperationalError

from oncall.store.health import (
    DatabaseDamaged,
    DatabaseUnavailable,
    classify,
    integrity,
    translated,
)


@pytest.fixture
def cli(templates, tmp_path, monkeypatch, capsys):
    _isolate(monkeypatch, tmp_path)
    return Cli(_copy(templates[1], tmp_path), monkeypatch, capsys)


# -- the classification -------------------------------------------------------------------


class _PgError(Exception):
    """What psycopg raises: a message, and a SQLSTATE when the server sent one."""

    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


_PgError.__module__ = "psycopg.errors"


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (_PgError("invalid page in block 7 of relation base/16384/16385", "XX001"), "damaged"),
        (_PgError("index contains unexpected zero page", "XX002"), "damaged"),
        (_PgError("terminating connection due to administrator command", "57P01"), "unreachable"),
        (_PgError("the database system is starting up", "57P03"), "unreachable"),
        (_PgError("connection failure", "08006"), "unreachable"),
        (
            _PgError('database "oncall" is not currently accepting connections', "55000"),
            "unreachable",
        ),
        (
            _PgError(
                "connection failed: connection to server on socket ... failed: "
                "No such file or directory",
                None,
            ),
            "unreachable",
        ),
        (_PgError("server closed the connection unexpectedly", None), "unreachable"),
        (_PgError('duplicate key value violates unique constraint "x"', "23505"), None),
        (ValueError("not a database error"), None),
    ],
)
def test_errors_are_told_apart(error, kind):
    assert classify(error) == kind
    wrapped = OperationalError("SELECT 1", {}, error)  # as SQLAlchemy hands it over
    assert classify(wrapped) == kind


def test_words_in_a_refusal_are_not_read_as_a_database_problem():
    from oncall.desk import ValidationError

    refusal = ValidationError("the title 'SCADA: connection refused' is longer than 200 characters")
    assert classify(refusal) is None


def test_real_sqlite_errors_are_classified(tmp_path):
    path = tmp_path / "x.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.close()
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError) as locked:
            other.execute("INSERT INTO t VALUES (1)")
    finally:
        holder.execute("ROLLBACK")
    assert classify(locked.value) == "unreachable"
    damage_header(path)
    with pytest.raises(sqlite3.DatabaseError) as broken:
        sqlite3.connect(path).execute("SELECT * FROM t")
    assert classify(broken.value) == "damaged"
    found = translated(broken.value, str(path))
    assert isinstance(found, DatabaseDamaged)
    assert str(path) in str(found) and "backup" in str(found)
    assert isinstance(translated(locked.value, str(path)), DatabaseUnavailable)


def test_the_desk_raises_damaged_for_a_damaged_page(desk, db_url):
    path = db_url.removeprefix("sqlite:///")
    desk.engine.dispose()
    damage_header(path)
    with pytest.raises(DatabaseDamaged, match="file is not a database"):
        desk.roster.all()


def test_quick_check_finds_a_damaged_page_no_query_reads(tmp_path, templates):
    path = _copy(templates[1], tmp_path)
    assert integrity(path) is None
    damage_page(path)
    with sqlite3.connect(path) as con:  # the roster's own pages still read fine
        assert con.execute("SELECT count(*) FROM engineer").fetchone()[0] == 3
    problem = integrity(path)
    assert problem and "\n" not in problem


# -- the CLI: one line, exit 2 ------------------------------------------------------------


@pytest.mark.parametrize("damage", [damage_page, damage_header])
@pytest.mark.parametrize(
    "argv", [("engineer", "list"), ("db", "status"), ("db", "upgrade"), ("fault", "list")]
)
def test_a_damaged_file_stops_every_command_with_one_line(cli, damage, argv):
    damage(cli.db)
    code, _out, err = cli(*argv)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert str(cli.db) in err and "damaged" in err and "backup" in err


def test_db_status_reports_the_quick_check(cli):
    out = cli.ok("db", "status")
    assert "integrity ok" in out
    assert cli.json("db", "status")["integrity"] == "ok"


def test_db_status_on_a_damaged_page_says_so_and_exits_2(cli):
    damage_page(cli.db)
    code, out, err = cli("db", "status", "--json")
    assert code == 2
    assert json.loads(out)["integrity"].startswith("quick_check:")
    assert "damaged" in err


def test_a_locked_database_is_unreachable_not_damaged(cli, monkeypatch):
    import oncall.store.db

    monkeypatch.setattr(oncall.store.db, "BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(cli.db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        err = cli.refused("engineer", "add", "carol", "--name", "Carol", "--seniority", "engineer")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "locked" in err and "try again" in err and "damaged" not in err


# -- backups ----------------------------------------------------------------------------------


def test_backup_copies_checks_and_refuses_to_overwrite(cli, tmp_path):
    cli.ok("fault", "new", "--customer", "华东电网", "--system", "EMS", "--level", "1",
           "--channel", "phone", "--title", "down")  # fmt: skip
    copy = tmp_path / "backup.sqlite3"
    out = cli.ok("db", "backup", str(copy))
    assert "integrity ok" in out and "1 faults" in out and "current" in out
    assert (copy.stat().st_mode & 0o777) == 0o660
    err = cli.refused("db", "backup", str(copy))
    assert "exists" in err and "--force" in err
    out = cli.ok("db", "backup", str(copy), "--force")
    assert "1 faults" in out
    # the copy is a database of its own: the same faults, one file
    assert not (tmp_path / "backup.sqlite3-wal").exists()
    restored = Cli(copy, cli.monkeypatch, cli.capsys)
    assert "down" in restored.ok("fault", "list")
    assert cli.ok("db", "check", str(copy)).startswith(str(copy))


def test_a_backup_holds_what_was_committed_not_what_was_in_flight(cli, tmp_path):
    writer = sqlite3.connect(cli.db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE engineer SET name = 'in flight'")
    try:
        cli.ok("db", "backup", str(tmp_path / "b.sqlite3"))  # not held up by the writer
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with sqlite3.connect(tmp_path / "b.sqlite3") as con:
        names = {r[0] for r in con.execute("SELECT name FROM engineer")}
    assert "in flight" not in names and "Alice Wang" in names


def test_a_damaged_database_is_not_backed_up(cli, tmp_path):
    damage_page(cli.db)
    err = cli.refused("db", "backup", str(tmp_path / "b.sqlite3"))
    assert str(cli.db) in err and "damaged" in err
    assert not list(tmp_path.glob("*b.sqlite3*"))


def test_db_check_refuses_damaged_and_foreign_files(cli, tmp_path):
    foreign = tmp_path / "other.sqlite3"
    with sqlite3.connect(foreign) as con:
        con.execute("CREATE TABLE t (x)")
    assert "not an oncall database" in cli.refused("db", "check", str(foreign))
    damage_header(foreign)
    assert "damaged" in cli.refused("db", "check", str(foreign))
    assert "no database file" in cli.refused("db", "check", str(tmp_path / "none"))


def test_postgres_backup_says_to_use_pg_dump(cli):
    from oncall.cli import main

    cli.capsys.readouterr()
    code = main(["db", "backup", "/tmp/x", "--db", "postgresql+psycopg://u:pw@dbhost/desk"])
    out, err = cli.capsys.readouterr()
    assert code == 2 and out == ""
    assert "pg_dump" in err and "postgresql://u:***@dbhost/desk" in err and "pw" not in err


# -- oncall watch ----------------------------------------------------------------------------


@pytest.mark.parametrize("damage", [damage_page, damage_header])
async def test_watch_exits_2_at_once_on_a_damaged_database(templates, tmp_path, damage):
    db = _copy(templates[1], tmp_path)
    damage(db)
    proc = await asyncio.create_subprocess_exec(
        *PYTHON, "watch", "--db", str(db), env=environment(tmp_path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "damaged" in lines[0] and "retrying" not in lines[0]


async def test_a_service_that_meets_damage_tells_its_listeners(live_desk_damage):
    service, seen = live_desk_damage
    await service.sync()
    assert seen and classify(seen[0]) == "damaged"
    assert service.healthy  # not reported as "unavailable, retrying"


@pytest.fixture
async def live_desk_damage(desk):
    from oncall.alerts import AlertService

    service = AlertService(desk, clock=desk.clock)
    seen: list[BaseException] = []
    service.on_damaged.append(seen.append)
    await service.start()

    def broken():
        raise DatabaseDamaged("x.sqlite3", "database disk image is malformed")

    service._need_full = True
    desk.reads.last_change = broken
    yield service, seen
    await service.stop()


def test_watch_stops_with_exit_2_when_damage_shows_up_while_running(cli, monkeypatch):
    from oncall.desk.reads import Reads

    def damaged(self):
        raise DatabaseDamaged(str(cli.db), "database disk image is malformed")

    monkeypatch.setattr(Reads, "last_change", damaged)  # what the service reads first
    err = cli.refused("watch", "--poll", "0.05", "--quiet")
    assert "damaged" in err and str(cli.db) in err and "retrying" not in err


def test_the_console_opens_its_desk_without_the_whole_file_check(cli, monkeypatch):
    """A command checks the whole file first; the console does not wait for it (a second
    or more on a big file, before its first full queue): it checks in the background."""
    import argparse

    from oncall.cli import console, context
    from oncall.store import health

    checked = []
    monkeypatch.setattr(health, "check_damage", lambda *a: checked.append(a))
    ctx = context.Ctx(argparse.Namespace(db=str(cli.db)))
    console.ConsoleOpener(ctx)()
    assert checked == []
    ctx.close()
    other = context.Ctx(argparse.Namespace(db=str(cli.db)))
    other.desk()
    assert len(checked) == 1
    other.close()

"""Where the database is, and how an engine talks to it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from oncall.store import (
    StoreError,
    default_database_url,
    is_default_database,
    make_engine,
    resolve_database_url,
    sqlite_file,
)
from oncall.store import db as store_db


def test_order_is_arg_then_env_then_config_then_default(tmp_path):
    env = {"ONCALL_DB": "postgresql+psycopg://env@db/oncall"}
    arg = "postgresql+psycopg://arg@db/oncall"
    config = "postgresql+psycopg://config@db/oncall"
    assert resolve_database_url(arg, env, config) == arg
    assert resolve_database_url(None, env, config) == env["ONCALL_DB"]
    assert resolve_database_url(None, {}, config) == config
    assert resolve_database_url(None, {}, None) == default_database_url()
    # empty values count as not given
    assert resolve_database_url("", {"ONCALL_DB": ""}, "") == default_database_url()


def test_plain_paths_become_sqlite_urls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_database_url("desk.db", {}, None) == f"sqlite:///{tmp_path / 'desk.db'}"
    assert resolve_database_url(str(tmp_path / "a.sqlite3"), {}, None) == (
        f"sqlite:///{tmp_path / 'a.sqlite3'}"
    )
    home = Path("~").expanduser()
    assert resolve_database_url("~/x.db", {}, None) == f"sqlite:///{home / 'x.db'}"
    # a relative path in the config file is relative to the config file's folder
    conf = tmp_path / "etc"
    assert resolve_database_url(None, {}, "desk.db", config_dir=conf) == (
        f"sqlite:///{conf / 'desk.db'}"
    )
    assert resolve_database_url(":memory:", {}, None) == "sqlite://"


def test_malformed_url_is_a_clear_error():
    with pytest.raises(StoreError, match="not a database URL"):
        resolve_database_url("nosuchdialect+x://h/db", {}, None)


def test_default_is_in_user_data_dir():
    url = default_database_url()
    assert url.startswith("sqlite:///") and url.endswith("/oncall/oncall.sqlite3")
    assert is_default_database(url)
    assert not is_default_database("sqlite:////tmp/other.sqlite3")
    assert not is_default_database("postgresql+psycopg://u@h/db")


def test_new_sqlite_file_is_owner_and_group_only(tmp_path):
    old = os.umask(0o022)  # a umask that would give 0644
    try:
        path = tmp_path / "sub" / "new.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        assert sqlite_file(f"sqlite:///{path}") == path
        assert (path.stat().st_mode & 0o777) == 0o660
        with engine.begin() as conn:  # SQLite writes into the file we made
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        assert (path.stat().st_mode & 0o777) == 0o660
        engine.dispose()
    finally:
        os.umask(old)


def test_existing_file_keeps_its_mode(tmp_path):
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o600)
    os.chmod(path, 0o600)
    make_engine(f"sqlite:///{path}").dispose()
    assert (path.stat().st_mode & 0o777) == 0o600


def test_sqlite_connections_are_set_up(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == store_db.BUSY_TIMEOUT_MS
    engine.dispose()


def test_write_transactions_begin_immediate(tmp_path):
    from sqlalchemy import event

    from oncall.store import write_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda c, cur, stmt, *a: seen.append(stmt))
    with write_engine(engine).begin() as conn:
        conn.exec_driver_sql("SELECT 1")
    with engine.begin() as conn:
        conn.exec_driver_sql("SELECT 2")
    assert seen == ["BEGIN IMMEDIATE", "SELECT 1", "BEGIN", "SELECT 2"]
    engine.dispose()


def test_engine_creation_does_not_connect():
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    assert engine.dialect.name == "postgresql"
    engine.dispose()

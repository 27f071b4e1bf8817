"""Alembic migrations: empty -> head, idempotent upgrades, schema states, refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from oncall.desk import SchemaMismatch, open_desk
from oncall.store import (
    StoreError,
    current_revision,
    head_revision,
    make_engine,
    schema_state,
    upgrade,
)
from oncall.store import db as store_db
from oncall.store.models import metadata

TABLES = set(metadata.tables) | {"alembic_version"}

EXTRA_REVISION = '''
"""A later schema, for the tests: one more table."""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("probe", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("probe")
'''


def use_later_code(tmp_path: Path, monkeypatch) -> None:
    """Make the code one revision newer than ours (a copy of the migrations plus 9999)."""
    folder = tmp_path / "later"
    shutil.copytree(store_db._MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    head = head_revision()
    (folder / "versions" / "9999_probe.py").write_text(EXTRA_REVISION.format(head=head))
    monkeypatch.setattr(store_db, "_MIGRATIONS", folder)
    store_db._script.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_script_cache():
    yield
    store_db._script.cache_clear()


def test_empty_to_head_then_no_op(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    assert schema_state(engine) == "empty"
    assert upgrade(engine) == head_revision()
    assert schema_state(engine) == "current"
    assert set(inspect(engine).get_table_names()) == TABLES
    with engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT sql FROM sqlite_master ORDER BY name").all()
    assert upgrade(engine) == head_revision()  # a second upgrade does nothing
    with engine.connect() as conn:
        after = conn.exec_driver_sql("SELECT sql FROM sqlite_master ORDER BY name").all()
        assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1
    assert before == after
    engine.dispose()


def test_upgrade_accepts_a_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'u.sqlite3'}"
    assert upgrade(url) == head_revision()
    engine = make_engine(url)
    assert schema_state(engine) == "current"
    engine.dispose()


def test_models_match_the_migrations(engine):
    """The tables the code declares are the tables the migrations build."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_audit_trail_refuses_update_and_delete(desk, fault):
    with desk.engine.connect() as conn:
        for sql in ("UPDATE audit_event SET verb = 'x'", "DELETE FROM audit_event"):
            with pytest.raises(DatabaseError, match="append-only"):
                conn.execute(text(sql))
            conn.rollback()
        assert conn.execute(text("SELECT count(*) FROM audit_event")).scalar() > 0


def test_state_older_and_refusal(tmp_path, monkeypatch, policy, clock):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    ours = upgrade(engine)  # the code's head
    use_later_code(tmp_path, monkeypatch)
    assert head_revision() == "9999"
    assert schema_state(engine) == "older"
    with pytest.raises(SchemaMismatch, match="older schema") as refused:
        open_desk(url, policy, clock, "duty")
    assert refused.value.state == "older"
    assert "oncall db upgrade" in str(refused.value)
    assert current_revision(engine) == ours  # nothing was written
    # explicitly asked: upgraded, then opens
    desk = open_desk(url, policy, clock, "duty", auto_upgrade=True)
    assert desk.reads.open_queue() == []  # it reads the upgraded file
    assert current_revision(engine) == "9999"
    assert schema_state(engine) == "current"
    assert "probe" in inspect(engine).get_table_names()
    engine.dispose()


def test_state_newer_is_refused(tmp_path, monkeypatch, policy, clock):
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    engine = make_engine(url)
    use_later_code(tmp_path, monkeypatch)
    upgrade(engine)  # written by a "newer oncall"
    monkeypatch.undo()
    store_db._script.cache_clear()
    assert schema_state(engine) == "newer"
    for auto in (None, True, False):
        with pytest.raises(SchemaMismatch, match="newer oncall") as refused:
            open_desk(url, policy, clock, "duty", auto_upgrade=auto)
        assert refused.value.state == "newer"
    with pytest.raises(StoreError, match="newer"):
        upgrade(engine)
    engine.dispose()


def test_empty_database_refused_unless_default(tmp_path, monkeypatch, policy, clock):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    with pytest.raises(SchemaMismatch, match="no oncall tables") as refused:
        open_desk(url, policy, clock, "duty")
    assert refused.value.state == "empty"
    # the embedded default database is created and upgraded on open
    default = tmp_path / "data" / "oncall.sqlite3"
    monkeypatch.setattr(store_db, "default_database_path", lambda: default)
    desk = open_desk(store_db.default_database_url(), policy, clock, "duty")
    assert schema_state(desk.engine) == "current"
    assert (default.stat().st_mode & 0o777) == 0o660
    desk.engine.dispose()


def test_tables_without_revision_are_not_touched(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'raw.sqlite3'}")
    metadata.create_all(engine)
    assert schema_state(engine) == "older"
    with pytest.raises(StoreError, match="no schema revision"):
        upgrade(engine)
    engine.dispose()


def test_an_unreachable_database_is_unavailable_not_damaged(policy, clock):
    from oncall.store.health import DatabaseUnavailable

    with pytest.raises(DatabaseUnavailable, match="cannot be reached now") as caught:
        open_desk("postgresql+psycopg://nobody:secret@127.0.0.1:1/x", policy, clock, "duty")
    assert "secret" not in str(caught.value)

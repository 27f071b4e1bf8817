"""The schema check without Alembic agrees with Alembic, and imports none of it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from oncall.store import current_revision, head_revision, schema_state, upgrade
from oncall.store import db as store_db


def alembic_script() -> ScriptDirectory:
    return ScriptDirectory.from_config(store_db._alembic_config())


def test_the_scanned_revisions_are_alembics():
    script = alembic_script()
    scanned = store_db._scan_revisions(store_db._MIGRATIONS)
    assert scanned is not None, "the migration files must stay readable without Alembic"
    assert scanned.known == {r.revision for r in script.walk_revisions()}
    assert scanned.heads == set(script.get_heads())
    assert head_revision() == script.get_current_head()


def test_the_stored_revision_is_read_as_alembic_reads_it(engine):
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    assert (current_revision(engine),) == heads
    assert schema_state(engine) == "current"


def test_merge_and_odd_revision_files(tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "__init__.py").write_text("")
    (versions / "a.py").write_text('revision = "a"\ndown_revision = None\n')
    (versions / "b.py").write_text("revision: str = 'b'\ndown_revision: str | None = 'a'\n")
    (versions / "c.py").write_text('revision = "c"\ndown_revision = "a"  # a branch\n')
    (versions / "m.py").write_text('revision = "m"\ndown_revision = ("b", "c")\n')
    scanned = store_db._scan_revisions(tmp_path)
    assert scanned is not None
    assert scanned.known == {"a", "b", "c", "m"} and scanned.heads == {"m"}
    (versions / "x.py").write_text('revision = "x"\ndown_revision = PARENT\n')
    assert store_db._scan_revisions.__wrapped__(tmp_path) is None  # not simple: ask Alembic


def test_opening_a_desk_imports_no_alembic(tmp_path):
    db = tmp_path / "db.sqlite3"
    upgrade(f"sqlite:///{db}")
    code = textwrap.dedent(
        f"""
        import sys
        from oncall.clock import SystemClock
        from oncall.desk import open_desk
        from oncall.resources import data_path
        from oncall.sla import load_policy

        desk = open_desk("sqlite:///{db}", load_policy(data_path("sla.toml")), SystemClock(), "u")
        desk.reads.open_queue()
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("alembic", "mako")))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

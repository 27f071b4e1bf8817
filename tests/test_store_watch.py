"""The cheap change check: an SQLite file's data_version, on a connection of its own."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from oncall.store.watch import ChangeWatch, change_watch


def test_the_token_moves_on_every_commit_and_only_then(desk, fault):
    watch = desk.reads.change_watch()
    assert watch.path == Path(desk.engine.url.database) and desk.reads.change_watch() is watch
    first = watch.token()
    assert first is not None and watch.token() == first
    desk.reads.open_queue()  # reads commit nothing
    assert watch.token() == first
    desk.faults.respond(
        fault.ref, version=fault.version, how="phone"
    )  # this process, another connection
    second = watch.token()
    assert second != first and watch.token() == second
    code = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        "c.execute('UPDATE customer SET name = name'); c.commit()"
    )
    subprocess.run([sys.executable, "-c", code, str(watch.path)], check=True)  # another process
    assert watch.token() != second


def test_other_databases_have_no_watch(policy):
    assert change_watch("sqlite://") is None
    assert change_watch("sqlite:///:memory:") is None
    assert change_watch("postgresql+psycopg://u@localhost/oncall") is None


def test_a_missing_or_broken_file_says_cannot_tell(tmp_path):
    watch = ChangeWatch(tmp_path / "nowhere.sqlite3")
    assert watch.token() is None  # read-only: it never creates the file
    assert not (tmp_path / "nowhere.sqlite3").exists()
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    assert ChangeWatch(junk).token() is None


def test_a_reconnection_never_repeats_a_token(tmp_path):
    path = tmp_path / "db.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    watch = ChangeWatch(path)
    before = watch.token()
    watch.close()
    after = watch.token()
    assert before is not None and after is not None and after != before

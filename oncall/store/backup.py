"""Backups of an SQLite desk, and the check that a copy can be restored.

``backup`` copies a live database with SQLite's online backup
(``sqlite3.Connection.backup``) in one step: one read transaction, so the copy
is the database as of one commit even while consoles and watchers write (under
WAL they are not held up). The copy is written next to its destination and
renamed into place (no half-written backup under the final name), in
rollback-journal mode, so it is one self-contained file; oncall turns WAL back
on when a restored file is opened.

``check`` is the restore check, for a fresh backup or any file: opened
read-only, ``PRAGMA integrity_check``, the schema revision against this
oncall's, and how many faults, events and work entries it holds.

PostgreSQL is backed up with its own tools (``pg_dump``; see ``PG_DUMP_HINT``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .db import NEW_FILE_MODE, StoreError, _revisions, head_revision
from .health import DatabaseDamaged, connect_file, integrity

PG_DUMP_HINT = (
    "a PostgreSQL database is backed up with its own tools: "
    "pg_dump -Fc -f oncall.dump 'DBURL' (restore: pg_restore --clean --if-exists -d 'DBURL' "
    "oncall.dump; see the README, Storage, Backups)"
)
_COUNTS = (("faults", "fault"), ("events", "audit_event"), ("work entries", "work_entry"))


@dataclass(frozen=True)
class CheckReport:
    path: Path
    revision: str | None
    head: str
    counts: dict[str, int]

    @property
    def schema(self) -> str:
        if self.revision == self.head:
            return "current"
        return "older" if self.revision else "none"

    def line(self) -> str:
        counts = ", ".join(f"{n:,} {name}" for name, n in self.counts.items())
        schema = f"schema {self.revision or '-'} ({self.schema})"
        if self.schema == "older":
            schema += f": run oncall db upgrade after restoring (this oncall: {self.head})"
        return f"{self.path}: integrity ok, {schema}, {counts}"


def check(path: Path, *, shown: Path | None = None) -> CheckReport:
    """The restore check of the SQLite file at ``path`` (named ``shown`` in messages);
    raises ``DatabaseDamaged`` when it is corrupt, ``StoreError`` when it cannot be read
    or is not an oncall database."""
    path = Path(path)
    problem = integrity(path, full=True)
    if problem is not None:
        raise DatabaseDamaged(str(path), problem)
    report = _contents(path)
    return report if shown is None else dataclasses.replace(report, path=shown)


def _contents(path: Path) -> CheckReport:
    con = connect_file(path)
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in names or any(t not in names for _n, t in _COUNTS):
            raise StoreError(f"{path} is a sound SQLite file but not an oncall database")
        revisions = [r[0] for r in con.execute("SELECT version_num FROM alembic_version")]
        counts = {
            name: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for name, table in _COUNTS
        }
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read {path}: {exc}") from None
    finally:
        con.close()
    revision = revisions[0] if revisions else None
    head = head_revision()
    if revision is not None and revision != head and revision not in _revisions().known:
        raise StoreError(
            f"{path} has schema revision {revision}, newer than this oncall knows ({head}): "
            "check it with a newer oncall"
        )
    return CheckReport(path, revision, head, counts)


def backup(source: Path, dest: Path, *, force: bool = False) -> CheckReport:
    """Copy the SQLite database at ``source`` to ``dest`` online, then check the copy.

    Refuses an existing ``dest`` unless ``force``. Returns the copy's check; a copy
    that fails it (the source is damaged) is not kept, and ``DatabaseDamaged`` names
    the source.
    """
    source, dest = Path(source), Path(dest)
    if dest.exists() and not force:
        raise StoreError(f"{dest} exists already; give another path, or --force to replace it")
    if dest.exists() and dest.resolve() == source.resolve():
        raise StoreError(f"{dest} is the database itself: give another path")
    if not dest.parent.is_dir():
        raise StoreError(f"no folder {dest.parent} for the backup")
    partial = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    src = connect_file(source)
    try:
        fd = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, NEW_FILE_MODE)
        try:
            os.fchmod(fd, NEW_FILE_MODE)  # the database's own mode, whatever the umask
        finally:
            os.close(fd)
        out = sqlite3.connect(partial, isolation_level=None)
        try:
            src.backup(out)  # pages=-1: all in one step, one read transaction
            out.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            out.close()
        try:
            report = check(partial, shown=dest)
        except DatabaseDamaged as exc:  # copied faithfully from a damaged source
            raise DatabaseDamaged(str(source), exc.problem) from None
        os.replace(partial, dest)
    except sqlite3.Error as exc:
        from .health import translated

        raise translated(exc, str(source)) or StoreError(
            f"cannot back up {source}: {exc}"
        ) from None
    except OSError as exc:
        raise StoreError(f"cannot write the backup {dest}: {exc.strerror or exc}") from None
    finally:
        src.close()
        with contextlib.suppress(OSError):
            partial.unlink()
    return report

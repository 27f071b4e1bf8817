"""Is the database damaged, or only out of reach for now? One answer for every caller.

A damaged database (SQLite: "database disk image is malformed", "file is not a
database", a failed ``PRAGMA quick_check``; PostgreSQL: SQLSTATE XX001/XX002)
does not get better by waiting: every command stops with one line naming the
database, the problem and what to do (restore a backup), exit 2, and
``oncall watch`` exits 2 at once (systemd: ``RestartPreventExitStatus=2``).

An unreachable one (SQLite: locked or busy; PostgreSQL: connection refused or
lost, the server shutting down or starting up, the socket gone, connections
blocked) comes back by itself: the console says so and retries, ``watch``
retries, a CLI command says to try again.

``classify`` maps any error (a DB-API error, SQLAlchemy's wrapper of one, or
ours) to "damaged", "unreachable" or None (something else: a bug, a constraint,
bad SQL); ``translated`` turns the first two into ``DatabaseDamaged`` and
``DatabaseUnavailable``. ``integrity`` runs SQLite's quick (or full) check on
a file with the standard library's ``sqlite3``.

Importing this module imports no SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Literal

from .db import StoreError

Kind = Literal["damaged", "unreachable"]

BACKUP_ADVICE = (
    "stop every console and `oncall watch` using it and restore the last good backup "
    "(README: Storage, Backups; `oncall db check FILE` checks a copy)"
)

# SQLite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CORRUPT, _SQLITE_NOTADB = 5, 6, 11, 26
# PostgreSQL SQLSTATEs: data corrupted / index corrupted; admin shutdown, crash
# shutdown, cannot connect now; class 08: connection exceptions.
_PG_DAMAGED = ("XX001", "XX002")
_PG_UNREACHABLE = ("57P01", "57P02", "57P03")
# What the drivers say when they give no code (psycopg's connection failures).
_DAMAGED_WORDS = ("database disk image is malformed", "file is not a database")
_UNREACHABLE_WORDS = (
    "database is locked",
    "database table is locked",
    "connection refused",
    "server closed the connection",
    "could not connect to server",
    "connection failed",
    "connection is lost",
    "connection is closed",
    "consuming input failed",
    "terminating connection",
    "the database system is shutting down",
    "the database system is starting up",
    "is not currently accepting connections",
    "no such file or directory",  # the server's Unix socket is gone
    "could not receive data from server",
    "ssl syscall error",
)


class DatabaseDamaged(StoreError):
    """The database is corrupt: waiting will not help; restore a backup."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"the database {where} is damaged ({problem}): {BACKUP_ADVICE}")


class DatabaseUnavailable(StoreError):
    """The database cannot be reached now (locked, server down): try again later."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(
            f"the database {where} cannot be reached now ({problem}); "
            "nothing was written: try again in a moment"
        )


def _chain(exc: BaseException):
    """``exc``, the DB-API error SQLAlchemy wraps, and their causes (a few steps)."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(seen) < 8:
        e = todo.pop(0)
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        todo += [getattr(e, "orig", None), e.__cause__, e.__context__]
    return seen


def classify(exc: BaseException) -> Kind | None:
    """ "damaged", "unreachable" or None (not a database health problem)."""
    for e in _chain(exc):
        if isinstance(e, DatabaseDamaged):
            return "damaged"
        if isinstance(e, DatabaseUnavailable):
            return "unreachable"
        code = getattr(e, "sqlite_errorcode", None)
        if isinstance(e, sqlite3.Error) and code is not None:
            primary = code & 0xFF
            if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
                return "damaged"
            if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
                return "unreachable"
        state = getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)
        if isinstance(state, str):
            if state in _PG_DAMAGED:
                return "damaged"
            if state in _PG_UNREACHABLE or state.startswith("08"):
                return "unreachable"
    for e in _chain(exc):
        if not _from_a_driver(e):
            continue  # a refusal's message may quote what someone typed ("connection refused")
        text = str(e).lower()
        if any(w in text for w in _DAMAGED_WORDS):
            return "damaged"
        if any(w in text for w in _UNREACHABLE_WORDS):
            return "unreachable"
        if getattr(e, "connection_invalidated", False):  # SQLAlchemy: the connection died
            return "unreachable"
    return None


def _from_a_driver(exc: BaseException) -> bool:
    """Raised by sqlite3, SQLAlchemy or a PostgreSQL driver (whose words we may read)."""
    if isinstance(exc, sqlite3.Error):
        return True
    module = type(exc).__module__.split(".")[0]
    return module in ("sqlite3", "sqlalchemy", "psycopg", "psycopg2", "psycopg_pool")


def problem_of(exc: BaseException) -> str:
    """The driver's own words, first line (without SQLAlchemy's "(Background on …)")."""
    if isinstance(exc, DatabaseDamaged | DatabaseUnavailable):
        return exc.problem
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0].strip() if text else type(orig).__name__


def translated(exc: BaseException, where: str) -> StoreError | None:
    """``DatabaseDamaged`` or ``DatabaseUnavailable`` for ``exc``; None for anything else."""
    if isinstance(exc, DatabaseDamaged | DatabaseUnavailable):
        return exc
    kind = classify(exc)
    if kind == "damaged":
        return DatabaseDamaged(where, problem_of(exc))
    if kind == "unreachable":
        return DatabaseUnavailable(where, problem_of(exc))
    return None


def where_of(url: str) -> str:
    """The database as shown in messages: an SQLite file's path, else the URL, password hidden."""
    from .db import sqlite_file

    try:
        file = sqlite_file(url)
        if file is not None:
            return str(file)
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL we cannot parse: shown as given
        return url


# -- SQLite's own checks -----------------------------------------------------------------


def connect_file(path: Path, timeout: float = 5.0) -> sqlite3.Connection:
    """A read-only connection to an SQLite file that must exist (never creates it)."""
    from .watch import connect_read_only

    if not Path(path).is_file():
        raise StoreError(f"no database file at {path}")
    return connect_read_only(Path(path), timeout)


def integrity(path: Path, *, full: bool = False, timeout: float = 5.0) -> str | None:
    """SQLite's ``PRAGMA quick_check`` (``full``: ``integrity_check``) of the file at ``path``:
    None when it is sound, else the first problem it names.

    The quick check reads every page once (about 1 ms per MB); the full one also
    matches every index against its table (about 5 times longer). A locked or
    unreadable file raises ``DatabaseUnavailable``; any other error, ``StoreError``.
    """
    pragma = "integrity_check" if full else "quick_check"
    try:
        con = connect_file(path, timeout)
    except sqlite3.Error as exc:
        raise _sqlite_failure(exc, path) from None
    try:
        rows = con.execute(f"PRAGMA {pragma}(5)").fetchall()
    except sqlite3.Error as exc:
        kind = classify(exc)
        if kind == "damaged":
            return problem_of(exc)
        raise _sqlite_failure(exc, path) from None
    finally:
        con.close()
    # A row may hold several lines, the first naming the schema ("*** in database main ***").
    problems = [
        line.strip()
        for r in rows
        for line in str(r[0]).splitlines()
        if line.strip() and line.strip() != "ok" and not line.startswith("***")
    ]
    if not problems:
        return None
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{pragma}: {problems[0]}{more}"


def check_damage(path: Path, where: str | None = None) -> None:
    """Raise ``DatabaseDamaged`` when SQLite's quick check of ``path`` finds a problem."""
    problem = integrity(path)
    if problem is not None:
        raise DatabaseDamaged(where or str(path), problem)


def _sqlite_failure(exc: sqlite3.Error, path: Path) -> StoreError:
    return translated(exc, str(path)) or StoreError(
        f"cannot read the database {path}: {problem_of(exc)}"
    )


def probe(engine, *, write: bool = False, timeout_ms: int = 100) -> None:
    """Raise (a DB-API error) unless the database answers now.

    ``write``: on SQLite, also that the write lock can be had (``BEGIN IMMEDIATE``,
    rolled back), waiting at most ``timeout_ms`` instead of the busy timeout, so a
    probe of a locked file never holds up the caller's thread for long. Elsewhere a
    plain read (``SELECT 1``) on a fresh or pinged connection.
    """
    from . import db

    if engine.dialect.name != "sqlite":
        from sqlalchemy import text

        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
            cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            cursor.execute("SELECT count(*) FROM sqlite_master")
            cursor.execute("ROLLBACK")
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {db.BUSY_TIMEOUT_MS}")
            cursor.close()
    finally:
        raw.close()

"""The database: where it is, the engine, and its schema (Alembic).

Where: ``resolve_database_url`` picks, in order, the ``--db`` argument, the
``ONCALL_DB`` environment variable, the config file's ``database`` and the
default, an SQLite file in the user data dir (platformdirs). A plain file path
is accepted anywhere a URL is and becomes an SQLite URL. PostgreSQL works
through psycopg 3 (``postgresql+psycopg://user@host/db``).

SQLite: every connection turns on WAL, foreign keys and a 5 s busy timeout. A
new database file is created with mode 0660 (owner and group: a desk shares
one file among its engineers' OS users through a group). Transactions that
write start with ``BEGIN IMMEDIATE`` (``write_engine``) so that two processes
never deadlock upgrading a read lock; reads take no lock.

Schema: Alembic migrations live in ``oncall/store/migrations`` and are run
programmatically (no alembic.ini). ``upgrade`` brings any older database to
head (a second call does nothing); ``schema_state`` tells "current", "empty",
"older" or "newer". Whether an older database is upgraded on open is the
desk's choice (``oncall.desk.open_desk``): the embedded default SQLite is,
any other database is refused until ``oncall db upgrade`` is run on purpose.

Importing this module imports no SQLAlchemy (each function that needs it
imports it): the console resolves the database's location and reads the
code's head revision before the database libraries are loaded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

DEFAULT_FILENAME = "oncall.sqlite3"
ENV_VAR = "ONCALL_DB"
BUSY_TIMEOUT_MS = 5000
NEW_FILE_MODE = 0o660
UPGRADE_COMMAND = "oncall db upgrade"
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_WRITE_OPTION = "oncall_write"

SchemaState = Literal["current", "empty", "older", "newer"]


class StoreError(Exception):
    """The database cannot be used as asked; the message says why."""


# -- where ---------------------------------------------------------------------------


def default_database_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("oncall")) / DEFAULT_FILENAME


def default_database_url() -> str:
    return sqlite_url(default_database_path())


def sqlite_url(path: str | os.PathLike[str]) -> str:
    return f"sqlite:///{Path(path).expanduser().absolute()}"


def _as_url(value: str, base: Path | None = None) -> str:
    value = value.strip()
    if "://" in value:
        from sqlalchemy.engine import make_url

        make_url(value).get_dialect()  # fail early on a malformed URL or unknown dialect
        return value
    if value == ":memory:":
        return "sqlite://"
    path = Path(value).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    return sqlite_url(path)


def resolve_database_url(
    db_arg: str | None,
    env: Mapping[str, str],
    config_value: str | None,
    *,
    config_dir: Path | None = None,
) -> str:
    """The database URL: ``--db``, else ``$ONCALL_DB``, else the config's, else the default.

    Each may be an SQLAlchemy URL or a plain file path (made an SQLite URL; a
    relative path in the config file is taken relative to ``config_dir``).
    Empty strings count as not given.
    """
    try:
        if db_arg:
            return _as_url(db_arg)
        if env.get(ENV_VAR):
            return _as_url(env[ENV_VAR])
        if config_value:
            return _as_url(config_value, config_dir)
    except Exception as exc:  # sqlalchemy.exc.ArgumentError and friends
        raise StoreError(f"not a database URL or file path: {exc}") from None
    return default_database_url()


def is_default_database(url: str) -> bool:
    """Is this the embedded default SQLite database (upgraded automatically)?"""
    return _normal(url) == _normal(default_database_url())


def _normal(url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database:
        return f"sqlite:///{Path(u.database).expanduser().resolve()}"
    return u.render_as_string(hide_password=False)


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL; None for other databases and in-memory ones."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    if u.database.startswith("file:"):
        return None  # URI filenames: leave them to SQLite
    return Path(u.database).expanduser()


# -- the engine ----------------------------------------------------------------------


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; cheap (no connection is made until one is needed).

    For an SQLite file that does not exist yet, the directory is made and the
    file is created empty with mode 0660 first, so SQLite never creates it
    with the umask's wider default.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import StaticPool

    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return create_engine(u, echo=echo, pool_pre_ping=True)
    file = sqlite_file(url)
    if file is not None:
        _create_private_file(file)
    kwargs: dict = {"connect_args": {"timeout": BUSY_TIMEOUT_MS / 1000}}
    if file is None and (not u.database or u.database == ":memory:"):
        # One shared in-memory database for the whole engine.
        kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
    engine = create_engine(u, echo=echo, **kwargs)
    _configure_sqlite(engine)
    return engine


def _create_private_file(file: Path) -> None:
    if file.exists():
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, NEW_FILE_MODE)
    except FileExistsError:
        return  # another process made it first
    try:
        os.fchmod(fd, NEW_FILE_MODE)  # whatever the umask took away
    finally:
        os.close(fd)


def _configure_sqlite(engine: Engine) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" below start transactions (pysqlite's own
        # handling defers BEGIN and cannot do BEGIN IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if connection.get_execution_options().get(_WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def write_engine(engine: Engine) -> Engine:
    """The same engine, for transactions that will write (``BEGIN IMMEDIATE`` on SQLite)."""
    return engine.execution_options(**{_WRITE_OPTION: True})


# -- the schema ----------------------------------------------------------------------


def _alembic_config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def _script():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config())


# The console checks the schema on every start: that must not import Alembic
# (about 100 ms). The revisions are read from the migration files themselves
# (``revision = "..."`` and ``down_revision = ...``), and the database's from
# its ``alembic_version`` table; ``tests/test_store_migrations.py`` checks that
# this agrees with Alembic's own view. Upgrading still goes through Alembic.
_REVISION_LINE = re.compile(
    r"^(revision|down_revision)\s*(?::[^=]+)?=\s*(.+?)\s*(?:#.*)?$", re.MULTILINE
)
_QUOTED = re.compile(r"""["']([^"']+)["']""")
_VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class _Revisions:
    known: frozenset[str]
    heads: frozenset[str]


@lru_cache(maxsize=8)
def _scan_revisions(folder: Path) -> _Revisions | None:
    """The revisions of the migration files in ``folder``; None if they cannot be read simply."""
    down: dict[str, tuple[str, ...]] = {}
    for file in sorted((folder / "versions").glob("*.py")):
        found = dict(
            (m.group(1), m.group(2)) for m in _REVISION_LINE.finditer(file.read_text("utf-8"))
        )
        if "revision" not in found:
            continue  # __init__.py and friends
        rev = _QUOTED.fullmatch(found["revision"])
        if rev is None or "down_revision" not in found:
            return None
        parents = found["down_revision"]
        if parents != "None" and not _QUOTED.search(parents):
            return None
        down[rev.group(1)] = tuple(_QUOTED.findall(parents))
    if not down:
        return None
    parents_of_some = {p for ps in down.values() for p in ps}
    return _Revisions(frozenset(down), frozenset(set(down) - parents_of_some))


def _revisions() -> _Revisions:
    scanned = _scan_revisions(_MIGRATIONS)
    if scanned is not None:
        return scanned
    script = _script()  # migration files we cannot read simply: ask Alembic
    return _Revisions(
        frozenset(r.revision for r in script.walk_revisions()), frozenset(script.get_heads())
    )


def head_revision() -> str:
    heads = _revisions().heads
    if len(heads) != 1:
        head = _script().get_current_head()  # raises on several heads, like before
        assert head is not None
        return head
    return next(iter(heads))


def _stored_heads(conn) -> tuple[str, ...]:
    """The revisions in the database's ``alembic_version`` table (none: no table)."""
    from sqlalchemy import column, inspect, select, table

    if not inspect(conn).has_table(_VERSION_TABLE):
        return ()
    version = table(_VERSION_TABLE, column("version_num"))
    return tuple(r[0] for r in conn.execute(select(version.c.version_num)))


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        heads = _stored_heads(conn)
    return heads[0] if heads else None


def schema_state(engine: Engine) -> SchemaState:
    """How the database's schema compares with the code's.

    "empty": no oncall tables at all; "current": at the code's head;
    "older": an earlier revision (or our tables without a revision), upgrade
    it; "newer": a revision this code does not know, written by a newer oncall.
    """
    with engine.connect() as conn:
        heads = _stored_heads(conn)
        if not heads:
            from sqlalchemy import inspect

            from .models import metadata

            ours = set(metadata.tables) & set(inspect(conn).get_table_names())
            return "older" if ours else "empty"
    revisions = _revisions()
    if set(heads) == set(revisions.heads):
        return "current"
    return "older" if set(heads) <= revisions.known else "newer"


def upgrade(target: Engine | str, revision: str = "head") -> str:
    """Bring the database to ``revision`` (default the code's head); return the revision.

    A database already there is left alone. One transaction (SQLite and
    PostgreSQL both have transactional DDL), taken for writing, so two
    processes opening a new database at once upgrade it once.
    """
    from alembic import command

    engine = make_engine(target) if isinstance(target, str) else target
    try:
        state = schema_state(engine)
        if state == "older" and current_revision(engine) is None:
            raise StoreError(
                "the database has oncall tables but no schema revision (they were not made "
                "by the migrations): refusing to touch it"
            )
        if state == "newer":
            raise StoreError(
                f"the database has schema revision {current_revision(engine)}, newer than "
                f"this oncall knows ({head_revision()}): upgrade oncall instead"
            )
        with write_engine(engine).begin() as conn:
            command.upgrade(_alembic_config(conn), revision)
        return current_revision(engine) or ""
    finally:
        if isinstance(target, str):
            engine.dispose()

"""The console's quick first queue: the open queue read straight from an SQLite file.

Why this exists: opening the desk imports SQLAlchemy, SQLModel and the tables,
which takes longer than everything else the console does before its first
full queue. So the console first reads the open queue here, with the standard
library's ``sqlite3`` and before those imports, shows it, and only then opens
the real desk in the background; the desk's queue replaces these rows (the
table repaints only what differs: nothing, when this read is right).

Same read, same items: the same query text as ``Desk.reads.open_queue`` runs
(``oncall.store.fault_reader``), and after the read the same code
(``oncall.desk.queue``: the summaries, the folded histories, the clocks at now,
the order). ``tests/test_desk_peek.py``
checks that the two give equal items.

Only for an SQLite file at the code's schema head, named by a plain
``sqlite:///PATH`` URL (what ``resolve_database_url`` makes of a file path).
Anything else -- another database, a URL with options or escapes, a missing
file, an older or newer schema, a locked or damaged file, any error -- gives
None, and the console opens the desk as it always did. Nothing is ever written
(nor created): the file is opened read-only (``mode=ro``).

Importing this module imports no database library (``tests/test_desk_peek.py``
checks that a quick read leaves SQLAlchemy unimported).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from oncall.sla import Policy
from oncall.store.fault_reader import decode_fault_row, decode_instant

from . import history as h
from .queue import OPEN_EVENTS_SQL, OPEN_FAULTS_SQL, desk_now, group_events, queue_items
from .views import QueueItem

# A locked file is not worth waiting for: the desk's own open will wait.
_TIMEOUT = 0.1
_PREFIX = "sqlite:///"


@dataclass(frozen=True)
class Peeked:
    """The open queue as read from the file, and what the console shows with it."""

    queue: list[QueueItem]  # equal to what ``desk.reads.open_queue`` gives at the same now
    names: dict[str, str]  # engineer (OS user) -> name, as stored: the assignee column
    database: str  # "sqlite:PATH", as the console's header names an SQLite database
    policy: Policy  # the one the clocks were evaluated with


def sqlite_path(url: str) -> str | None:
    """The file of a plain ``sqlite:///PATH`` URL, as SQLAlchemy reads it (not expanded);
    None for any other URL (other databases, in-memory, URI filenames, query options,
    %-escapes: those are left to the desk)."""
    if not url.startswith(_PREFIX):
        return None
    database = url[len(_PREFIX) :]
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    if "?" in database or "%" in database:
        return None
    return database


def peek_open_queue(url: str, policy: Policy, now: datetime) -> Peeked | None:
    """The open queue at ``now`` read straight from the SQLite file of ``url``, or None
    when that is not possible or not safe (see the module's docstring)."""
    try:
        return _peek(url, policy, now)
    except Exception:  # noqa: BLE001 - whatever went wrong, the desk's own open will say
        return None


def _peek(url: str, policy: Policy, now: datetime) -> Peeked | None:
    database = sqlite_path(url)
    if database is None:
        return None
    file = Path(database).expanduser()
    if not file.is_file():
        return None
    from oncall.store.db import head_revision  # reads the migration files, no Alembic
    from oncall.store.watch import connect_read_only

    head = head_revision()
    con = connect_read_only(file, _TIMEOUT)
    try:
        con.execute("BEGIN")  # one snapshot for every read below
        stored = {r[0] for r in con.execute("SELECT version_num FROM alembic_version")}
        if stored != {head}:
            return None  # empty, older or newer: the desk's open decides what to do
        rows = [decode_fault_row(r) for r in con.execute(OPEN_FAULTS_SQL)]
        events = group_events(con.execute(OPEN_EVENTS_SQL), [r[0] for r in rows], decode_instant)
        names = dict(con.execute("SELECT os_user, name FROM engineer"))
        con.execute("COMMIT")
    finally:
        con.close()
    histories = {fault_id: h.fault_history(e) for fault_id, e in events.items()}
    queue = queue_items(rows, histories, policy, desk_now(now))
    return Peeked(queue, names, f"sqlite:{database}", policy)

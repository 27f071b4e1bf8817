"""The one reader of faults with their events: the query text and the folding.

Three readers share it: the desk's read models (``oncall.desk.reads``, through
SQLAlchemy's ``text``), the console's quick first read (``oncall.desk.peek``,
stdlib ``sqlite3``, before SQLAlchemy is imported) and the alert records
(``oncall.desk.alert_records``). So the text is plain SQL that both SQLite and
PostgreSQL read, with the statuses and verbs (code constants, never input)
written in as literals; the only parameter is ``:ids`` (an expanding
parameter, SQLAlchemy only).

A fault row is: its id, ``FAULT_COLUMNS``, its customer's name, its system's
name. An event row is: fault id, verb, at, data as JSON text, oldest first.

No database library here: the text, and plain tuples in, plain tuples out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

# The fault's columns a row carries, in order, after the fault's id and before the
# customer's and the system's names (``oncall.desk.queue.fault_summary`` passes them
# by position).
FAULT_COLUMNS = (
    "ref", "title", "level", "channel", "status", "contact", "reported_at", "reported_by",
    "assignee", "responded_at", "solution_at", "resolved_at", "signed_off_at", "closed_at",
    "next_breach", "next_clock", "version",
)  # fmt: skip
# Those of them that are instants (a reader without SQLAlchemy decodes them itself).
INSTANT_COLUMNS = frozenset(
    ("reported_at", "responded_at", "solution_at", "resolved_at", "signed_off_at", "closed_at",
     "next_breach")
)  # fmt: skip
assert INSTANT_COLUMNS.issubset(FAULT_COLUMNS)
# Positions of the instants in a fault row (after its id).
INSTANT_POSITIONS = tuple(1 + i for i, name in enumerate(FAULT_COLUMNS) if name in INSTANT_COLUMNS)

_WORD = re.compile(r"[a-z_]+")

_FAULTS = (
    f"SELECT f.id, {', '.join(f'f.{name}' for name in FAULT_COLUMNS)}, c.name, s.name "
    "FROM fault AS f JOIN customer AS c ON f.customer_id = c.id "
    "JOIN system AS s ON f.system_id = s.id"
)
_EVENTS = "SELECT fault_id, verb, at, CAST(data AS TEXT) FROM audit_event"


def one_of(column: str, words: Iterable[str]) -> str:
    """``column IN ('a', 'b')``: only for the code's own words (statuses, verbs)."""
    words = tuple(words)
    for word in words:
        if not _WORD.fullmatch(word):
            raise ValueError(f"not a code word: {word!r}")
    return f"{column} IN ({', '.join(repr(w) for w in words)})"


def faults_sql(statuses: Collection[str] | None, *, by_ids: bool = False) -> str:
    """Fault rows with these statuses (None: any), of ``:ids`` only if ``by_ids``."""
    where = []
    if statuses is not None:
        where.append(one_of("f.status", statuses))
    if by_ids:
        where.append("f.id IN :ids")
    return _FAULTS + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY f.id"


def events_sql(verbs: Collection[str], statuses: Collection[str] | None) -> str:
    """Event rows of these verbs, oldest first: of the faults with these statuses
    (a subquery, not a join: the plan stays on the fault_id index), or of ``:ids``
    when ``statuses`` is None."""
    if statuses is not None:
        faults = f"(SELECT id FROM fault WHERE {one_of('status', statuses)})"
    else:
        faults = ":ids"
    return f"{_EVENTS} WHERE {one_of('verb', verbs)} AND fault_id IN {faults} ORDER BY id"


def decode_instant(value: Any) -> datetime | None:
    """A stored instant as SQLAlchemy's ``UTCDateTime`` reads it from SQLite text
    (``datetime.fromisoformat``; naive means UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def decode_fault_row(row: Sequence[Any]) -> list[Any]:
    """A fault row read without SQLAlchemy's types: its instants decoded."""
    out = list(row)
    for i in INSTANT_POSITIONS:
        out[i] = decode_instant(out[i])
    return out


def group_events(
    rows: Iterable[Sequence[Any]],
    ids: Iterable[int],
    data_verbs: Collection[str],
    instant: Callable[[Any], datetime | None] | None = None,
) -> dict[int, list[tuple[str, datetime, Any]]]:
    """Event rows, oldest first -> per fault of ``ids``, its (verb, at, data); rows of
    other faults are skipped. Only the data of ``data_verbs`` is decoded (None for
    the others: the folding reads no more). ``instant`` decodes ``at`` when the
    driver gives it undecoded."""
    out: dict[int, list[tuple[str, datetime, Any]]] = {i: [] for i in ids}
    loads = json.loads
    for fault_id, verb, at, data in rows:
        bucket = out.get(fault_id)
        if bucket is not None:
            if instant is not None:
                at = instant(at)
            bucket.append((verb, at, loads(data) if verb in data_verbs and data else None))
    return out

"""``desk.reads``: the read models (no ORM objects leave the desk).

``open_queue()`` (the open faults by urgency, clocks at now), ``faults(...)``
(a list, newest first), ``fault(ref)``, ``fault_view(ref)`` (everything about
one fault), ``events(ref=None)`` (the audit trail), ``last_change()`` and
``change_watch()`` (how a console knows when to read again).

Open faults with their events are read with the store's one reader
(``oncall.store.fault_reader``): the same query text the console's quick read
(``peek``) and the alert records (``alert_records``) run, folded by the same
code (``queue``). ``read_faults``/``read_events`` run it on a connection.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Integer, String, Text, bindparam, column, func, text
from sqlalchemy.engine import Connection
from sqlmodel import select

from oncall.i18n import N_
from oncall.sla import evaluate
from oncall.store.fault_reader import FAULT_COLUMNS
from oncall.store.models import AuditEvent, Customer, Fault, System
from oncall.store.types import UTCDateTime
from oncall.store.watch import ChangeWatch, change_watch
from oncall.vocabulary import fault_ref

from . import history as h
from . import queue as q
from . import validate as v
from .convert import event_view, summary, values_of
from .errors import NotFound
from .fault_view import view_in
from .tx import Tx
from .views import STATUSES, EventView, FaultSummary, FaultView, QueueItem

_INT = ("level", "version")
_FAULT_TYPES = (
    column("id", Integer),
    *(
        column(
            name,
            UTCDateTime if name in q.INSTANT_COLUMNS else Integer if name in _INT else String,
        )
        for name in FAULT_COLUMNS
    ),
    column("customer", String),
    column("system", String),
)
_EVENT_TYPES = (
    column("fault_id", Integer),
    column("verb", String),
    column("at", UTCDateTime),
    column("data", Text),
)
_IDS = bindparam("ids", expanding=True)
_OPEN_FAULTS = text(q.OPEN_FAULTS_SQL).columns(*_FAULT_TYPES)
_FAULTS_BY_ID = text(q.FAULTS_BY_ID_SQL).bindparams(_IDS).columns(*_FAULT_TYPES)
_OPEN_EVENTS = text(q.OPEN_EVENTS_SQL).columns(*_EVENT_TYPES)
_EVENTS_BY_ID = text(q.EVENTS_BY_ID_SQL).bindparams(_IDS).columns(*_EVENT_TYPES)
# Past this many faults, read the events of every open fault (one subquery) rather
# than list their ids.
_MANY = 200


def read_faults(conn: Connection, ids: Iterable[int] | None = None, *, open_only: bool = True):
    """Fault rows (id, ``FAULT_COLUMNS``, customer, system): the open ones, or those
    of ``ids`` (still open, unless not ``open_only``)."""
    if ids is None:
        return conn.execute(_OPEN_FAULTS).all()
    chosen = sorted(set(ids))
    if not chosen:
        return []
    rows = conn.execute(_FAULTS_BY_ID, {"ids": chosen}).all()
    if open_only:
        rows = [r for r in rows if r.status in q.OPEN_STATUSES]
    return rows


def read_events(conn: Connection, ids: list[int], *, all_open: bool = False) -> dict[int, list]:
    """(verb, at, data) of the clock-relevant events of ``ids``, oldest first, per fault
    (``all_open``: read those of every open fault, keep those of ``ids``)."""
    if not ids:
        return {}
    rows = conn.execute(_OPEN_EVENTS) if all_open else conn.execute(_EVENTS_BY_ID, {"ids": ids})
    return q.group_events(rows, ids)


def _fault_rows():
    return (
        select(Fault, Customer.name, System.name)
        .join(Customer, Fault.customer_id == Customer.id)
        .join(System, Fault.system_id == System.id)
    )


class Reads:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx
        self._watch: ChangeWatch | None | bool = False  # made on first use

    def open_queue(self) -> list[QueueItem]:
        """Open faults by urgency: overdue first (most overdue on top, paused or
        not), then the soonest deadline, then those with no clock at stake
        (waiting on the customer in time), each with its clocks evaluated at
        ``clock.now()``.

        One indexed query for the open faults, one for the clock-relevant events
        of those that changed; the items and their order come from
        ``oncall.desk.queue`` (shared with the console's quick read). A fault's
        folded history is kept between calls while its version stays (every verb
        bumps it), so a reload reads the events of changed faults only.
        """
        tx = self._tx
        now = tx.now()
        with tx.read() as s:
            conn = s.connection()
            rows = read_faults(conn)
            # Kept histories, by version (a dict that other threads may use too:
            # read each entry once, never assume one stays).
            cache = tx.shared.histories
            histories: dict[int, Any] = {}
            stale: dict[int, int] = {}  # fault id -> version
            for r in rows:
                kept = cache.get(r[0])
                if kept is not None and kept[0] == r.version:
                    histories[r[0]] = kept[1]
                else:
                    stale[r[0]] = r.version
            events = read_events(conn, list(stale), all_open=len(stale) > _MANY)
        for fault_id, version in stale.items():
            history = h.fault_history(events[fault_id])
            histories[fault_id] = history
            cache[fault_id] = (version, history)
        if len(cache) > 2 * len(rows) + 100:  # faults that left the queue
            for fault_id in [k for k in list(cache) if k not in histories]:
                cache.pop(fault_id, None)
        return q.queue_items(rows, histories, tx.policy, now)

    def faults(
        self,
        include_closed: bool = False,
        *,
        customer: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[FaultSummary]:
        """Faults, newest report first; closed ones only when asked."""
        if status is not None:
            v.one_of(status, STATUSES, N_("status"))
        stmt = _fault_rows()
        if status is not None:
            stmt = stmt.where(Fault.status == status)
        elif not include_closed:
            stmt = stmt.where(Fault.status != "closed")
        if customer is not None:
            stmt = stmt.where(Customer.name == customer)
        stmt = stmt.order_by(Fault.reported_at.desc(), Fault.id.desc())
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._tx.read() as s:
            rows = s.exec(stmt).all()
        return [summary(values_of(f), c, sy) for f, c, sy in rows]

    def fault(self, ref: str) -> FaultSummary:
        with self._tx.read() as s:
            row = s.exec(_fault_rows().where(Fault.ref == fault_ref(ref))).first()
        if row is None:
            raise NotFound.of("no_fault", ref=ref)
        return summary(values_of(row[0]), row[1], row[2])

    def fault_view(self, ref: str) -> FaultView:
        """Everything about one fault, clocks evaluated at ``clock.now()``."""
        now = self._tx.now()
        with self._tx.read() as s:
            row = s.exec(
                select(Fault, Customer.name, System)
                .join(Customer, Fault.customer_id == Customer.id)
                .join(System, Fault.system_id == System.id)
                .where(Fault.ref == fault_ref(ref))
            ).first()
            if row is None:
                raise NotFound.of("no_fault", ref=ref)
            fault, customer, system = row
            events = s.exec(
                select(AuditEvent).where(AuditEvent.fault_id == fault.id).order_by(AuditEvent.id)
            ).all()
            # With thresholds: the console moves the bands on between reads.
            clocks = evaluate(
                self._tx.policy,
                h.fault_history([(e.verb, e.at, e.data) for e in events]),
                now,
                thresholds=True,
            )
            return view_in(
                s,
                summary(values_of(fault), customer, system.name),
                fault.id,
                fault.symptom,
                (system.product, system.model),
                events,
                clocks,
                now,
                out_of_warranty=fault.out_of_warranty,
            )

    def events(self, ref: str | None = None, *, limit: int | None = None) -> list[EventView]:
        """The audit trail (of one fault, or everything), newest logged first."""
        with self._tx.read() as s:
            stmt = select(AuditEvent, Fault.ref).outerjoin(Fault, AuditEvent.fault_id == Fault.id)
            if ref is not None:
                fault_id = s.exec(select(Fault.id).where(Fault.ref == fault_ref(ref))).first()
                if fault_id is None:
                    raise NotFound.of("no_fault", ref=ref)
                stmt = stmt.where(AuditEvent.fault_id == fault_id)
            stmt = stmt.order_by(AuditEvent.id.desc())
            if limit is not None:
                stmt = stmt.limit(limit)
            rows = s.exec(stmt).all()
        return [event_view(e, r) for e, r in rows]

    def last_change(self) -> int:
        """The id of the newest audit event (0 if none): poll it to know when to reload."""
        with self._tx.read() as s:
            return s.exec(select(func.max(AuditEvent.id))).one() or 0

    def change_watch(self) -> ChangeWatch | None:
        """A cheap "anything committed?" check to ask before ``last_change`` (None:
        not for this database; poll ``last_change``). One per desk, made on first use."""
        if self._watch is False:
            self._watch = change_watch(self._tx.engine.url.render_as_string(hide_password=False))
        return self._watch

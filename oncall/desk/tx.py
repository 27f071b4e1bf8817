"""The desk's plumbing: sessions, who acts, the audit event, the fault verb's transaction.

Every fault verb runs ``Tx.fault_verb``: one transaction that locks the fault's
row, checks the version the caller saw, lets the verb validate and say what
changes, appends the audit event, rebuilds the fault's SLA history from its
stored events, and writes the new state with the next breach cached, through
``UPDATE fault ... WHERE id = :id AND version = :seen``. Any refusal raises
before the commit, so nothing is half-written.

One ``Tx`` per ``Desk`` (per acting user); the sub-objects (``desk.roster``,
``desk.faults``, ...) share it. ``Shared`` is what a desk shares with its
``as_user``/``claim`` copies: the batch, the names cache, the folded histories.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, select

from oncall.clock import Clock
from oncall.i18n import N_
from oncall.sla import Policy, evaluate
from oncall.store import write_engine
from oncall.store.health import translated, where_of
from oncall.store.models import AuditEvent, Customer, Engineer, Fault, System, WorkEntryRow
from oncall.vocabulary import fault_ref

from . import history as h
from . import queue as q
from . import validate as v
from .convert import first_line, summary
from .errors import (
    ClaimRefused,
    DeskError,
    NotALead,
    NotFound,
    StaleVersion,
    UnknownEngineer,
    ValidationError,
)
from .fault_view import view_in
from .views import EventView, FaultSummary, FaultView

FAULTS = Fault.__table__
EVENTS = AuditEvent.__table__


@dataclass
class FaultTx:
    """What a fault verb sees and says: the locked row, the instant, the changes."""

    session: Session
    fault: Row  # the fault's row as locked (read-only: say changes with ``set``)
    at: datetime
    now: datetime
    entry: WorkEntryRow | None = None
    changes: dict[str, Any] = field(default_factory=dict)

    def set(self, **values: Any) -> None:
        self.changes.update(values)


@dataclass
class Shared:
    """State a desk shares with its ``as_user``/``claim`` copies."""

    batch: Session | None = None
    # Real users whose lead role the batch's transaction has already checked.
    leads_seen: set[str] = field(default_factory=set)
    # system -> (customer's name, system's name, product, model): systems are never edited
    names: dict[int, tuple[str, str, str, str]] = field(default_factory=dict)
    # fault id -> (version, FaultHistory): the open queue's folded histories
    histories: dict[int, tuple[int, Any]] = field(default_factory=dict)


class Tx:
    """Sessions and identity for one acting user (see ``Desk`` for who acts)."""

    def __init__(
        self,
        engine: Engine,
        policy: Policy,
        clock: Clock,
        user: str,
        real_user: str,
        require_onsite_signoff: bool,
        shared: Shared,
    ) -> None:
        self.engine = engine
        self.policy = policy
        self.clock = clock
        self.user = user
        self.real_user = real_user
        self.require_onsite_signoff = require_onsite_signoff
        self.shared = shared
        self.writer = write_engine(engine)
        self._rostered = False
        self._local = threading.local()  # ``seeing``'s views, on the thread that asked

    @property
    def claimed(self) -> bool:
        return self.real_user != self.user

    # -- sessions -------------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Many verbs in one transaction, each a savepoint (see ``Desk.batch``)."""
        if self.shared.batch is not None:
            yield
            return
        with Session(self.writer, expire_on_commit=False) as s, s.begin():
            self.shared.batch = s
            try:
                yield
            finally:
                self.shared.batch = None
                self.shared.leads_seen.clear()

    @contextmanager
    def write(self) -> Iterator[Session]:
        batch = self.shared.batch
        try:
            if batch is not None:
                with batch.begin_nested():
                    yield batch
                return
            with Session(self.writer, expire_on_commit=False) as s, s.begin():
                yield s
        except DBAPIError as exc:
            self._health(exc)
            if not isinstance(exc, OperationalError):
                raise
            raise DeskError(f"the database refused the change: {first_line(exc)}") from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        try:
            if self.shared.batch is not None:  # see the batch's own writes
                yield self.shared.batch
                return
            with Session(self.engine, expire_on_commit=False) as s:
                yield s
        except DBAPIError as exc:
            self._health(exc)
            if not isinstance(exc, OperationalError):
                raise
            raise DeskError(f"cannot read the database: {first_line(exc)}") from exc

    def _health(self, exc: DBAPIError) -> None:
        """A damaged or unreachable database: say which (``oncall.store.health``)."""
        found = translated(exc, where_of(self.engine.url.render_as_string(hide_password=False)))
        if found is not None:
            raise found from exc

    @contextmanager
    def seeing(self) -> Iterator[dict[str, FaultView]]:
        """The views of the faults the verbs run in the block change, by ref, each built
        in the verb's own transaction (``Desk.changed``)."""
        views: dict[str, FaultView] = {}
        outer = getattr(self._local, "views", None)
        self._local.views = views
        try:
            yield views
        finally:
            self._local.views = outer

    def seen(self) -> dict[str, FaultView] | None:
        """The views wanted now (inside ``seeing``), else None."""
        return getattr(self._local, "views", None)

    # -- time -------------------------------------------------------------------------

    def now(self) -> datetime:
        return q.desk_now(self.clock.now())

    def show(self, at: datetime) -> str:
        return v.show(at, self.policy.timezone)

    def past(self, value: datetime | None, what: str, now: datetime) -> datetime:
        """An instant given by the caller: aware, not in the future (default now)."""
        at = now if value is None else v.instant(value, what)
        if at > now:
            raise ValidationError.of(
                "time_in_future", what=what, at=self.show(at), now=self.show(now)
            )
        return v.served(at, self.policy, now, what)

    # -- who acts -----------------------------------------------------------------------

    def actor(self, s: Session) -> None:
        """Refuse an acting engineer not on the roster (nobody leaves it once on), or a
        claim by a real user who is not a lead (checked every time: leads change)."""
        if self.claimed:
            self.check_claim(s)
        if self._rostered:
            return
        if s.get(Engineer, self.user) is None:
            raise UnknownEngineer(self.user, acting=True)
        self._rostered = True

    def check_claim(self, s: Session) -> None:
        batch = s is self.shared.batch
        if batch and self.real_user in self.shared.leads_seen:
            return  # checked in this very transaction (a demo load: thousands of verbs)
        real = s.get(Engineer, self.real_user)
        if real is None or not real.lead:
            raise ClaimRefused(self.real_user, self.user)
        if batch:
            self.shared.leads_seen.add(self.real_user)

    def lead(self, s: Session, what: str) -> None:
        """Refuse a roster change unless the acting engineer is a lead."""
        self.actor(s)
        if not self.engineer(s, self.user).lead:
            raise NotALead(self.user, what)

    def engineer(self, s: Session, user: str) -> Engineer:
        engineer = s.get(Engineer, user) if isinstance(user, str) else None
        if engineer is None:
            raise UnknownEngineer(str(user))
        return engineer

    def event(
        self,
        s: Session,
        verb: str,
        data: dict[str, Any],
        *,
        at: datetime,
        now: datetime,
        fault_id: int | None = None,
    ) -> int:
        """Append the audit event (who acted, on whose behalf, when it happened): its id."""
        return (
            s.connection()
            .execute(
                insert(EVENTS)
                .values(
                    fault_id=fault_id,
                    at=at,
                    logged_at=now,
                    os_user=self.user,
                    real_user=self.real_user,
                    verb=verb,
                    data=data,
                )
                .returning(EVENTS.c.id)
            )
            .scalar_one()
        )

    # -- the fault verb's transaction ---------------------------------------------------
    # The hot path speaks Core on the session's connection: the fault row is a
    # read-only Row, the event an INSERT, the new state one guarded UPDATE.

    def _lock(self, s: Session, where) -> Row:
        """The fault's row, locked for this transaction (FOR UPDATE; SQLite: BEGIN IMMEDIATE)."""
        return s.connection().execute(select(FAULTS).where(where).with_for_update()).first()

    def _stale(self, s: Session, fault: Row, seen: int, current: int) -> StaleVersion:
        last = (
            s.connection()
            .execute(
                select(EVENTS.c.os_user, EVENTS.c.logged_at, EVENTS.c.verb)
                .where(EVENTS.c.fault_id == fault.id)
                .order_by(EVENTS.c.id.desc())
                .limit(1)
            )
            .first()
        )
        return StaleVersion(
            fault.ref,
            seen=seen,
            current=current,
            changed_by=last.os_user if last else None,
            changed_at=last.logged_at if last else None,
            verb=last.verb if last else None,
            when=self.show(last.logged_at) if last else None,
        )

    def _stored_events(self, s: Session, fault_id: int) -> list[Row]:
        """A fault's events, in the order they were logged (whole rows: the view of
        ``seeing`` shows them)."""
        return list(
            s.connection().execute(
                select(EVENTS).where(EVENTS.c.fault_id == fault_id).order_by(EVENTS.c.id)
            )
        )

    def _locked(self, s: Session, ref: str | None, entry_id: int | None):
        """(the fault's locked row, the work entry or None) a verb acts on."""
        if entry_id is None:
            fault = self._lock(s, FAULTS.c.ref == fault_ref(ref))
            if fault is None:
                raise NotFound.of("no_fault", ref=ref)
            return fault, None
        known = v.row_id(entry_id)
        entry = s.get(WorkEntryRow, known) if known is not None else None
        if entry is None:
            raise NotFound.of("no_work_entry", entry=entry_id)
        fault = self._lock(s, FAULTS.c.id == entry.fault_id)
        s.refresh(entry)  # as of the lock: another writer may have just changed it
        return fault, entry

    def fault_verb(
        self,
        verb: str,
        apply: Callable[[FaultTx], dict[str, Any]],
        *,
        version: int | None,
        at: datetime | None,
        ref: str | None = None,
        entry_id: int | None = None,
    ) -> tuple[FaultSummary, FaultTx]:
        """Run one fault verb (see the module): the fault's new summary, and what the
        verb said (its ``FaultTx``: the work entry it touched, if any)."""
        with self.write() as s:
            self.actor(s)
            fault, entry = self._locked(s, ref, entry_id)
            seen = fault.version
            if version is not None and version != seen:
                raise self._stale(s, fault, version, seen)
            now = self.now()
            when = self.past(at, N_("the time"), now)
            if when < fault.reported_at:
                raise ValidationError.of(
                    "time_before_report",
                    at=self.show(when),
                    ref=fault.ref,
                    reported=self.show(fault.reported_at),
                )
            events = self._stored_events(s, fault.id)
            if verb in h.CLOCK_VERBS:
                last = max((e.at for e in events if e.verb in h.CLOCK_VERBS), default=None)
                if last is not None and when < last:
                    raise ValidationError.of(
                        "time_before_last_change",
                        at=self.show(when),
                        ref=fault.ref,
                        last=self.show(last),
                    )
            tx = FaultTx(s, fault, when, now, entry)
            data = apply(tx)
            s.flush()  # rows the verb added or changed (work entries, the record)
            event_id = self.event(s, verb, data, at=when, now=now, fault_id=fault.id)
            # The stored history, read under the lock, and the event just written.
            stored = [(e.verb, e.at, e.data) for e in events]
            history = h.fault_history([*stored, (verb, when, data)])
            wanted = self.seen()
            # With thresholds when a view is wanted (its bands move on between reads).
            clocks = evaluate(self.policy, history, now, thresholds=wanted is not None)
            tx.set(next_breach=clocks.next_breach, next_clock=clocks.next_clock, version=seen + 1)
            result = s.connection().execute(
                update(FAULTS)
                .where(FAULTS.c.id == fault.id, FAULTS.c.version == seen)
                .values(**tx.changes)
            )
            if result.rowcount != 1:  # changed under us: refuse, roll everything back
                current = (
                    s.connection()
                    .execute(select(FAULTS.c.version).where(FAULTS.c.id == fault.id))
                    .scalar()
                )
                raise self._stale(s, fault, seen if version is None else version, current)
            values = fault._asdict()
            values.update(tx.changes)
            new = self.summary(s, values)
            if wanted is not None:
                written = self.written(event_id, new.ref, verb, data, when, now)
                product_model = self.shared.names[values["system_id"]][2:]
                wanted[new.ref] = view_in(
                    s,
                    new,
                    fault.id,
                    values["symptom"],
                    product_model,
                    [*events, written],
                    clocks,
                    now,
                    out_of_warranty=values["out_of_warranty"],
                )
            return new, tx

    def written(
        self, event_id: int, ref: str, verb: str, data: dict, at: datetime, now: datetime
    ) -> EventView:
        """The event just written, as a read would show it (its data through JSON)."""
        stored = json.loads(json.dumps(data))
        return EventView(event_id, ref, at, now, self.user, verb, stored, self.real_user)

    def summary(self, s: Session, values: dict[str, Any]) -> FaultSummary:
        """The fault's summary from its column values (the names cached per system)."""
        names = self.shared.names.get(values["system_id"])
        if names is None:  # names never change: ask once per system
            names = tuple(
                s.exec(
                    select(Customer.name, System.name, System.product, System.model)
                    .join(System, System.customer_id == Customer.id)
                    .where(System.id == values["system_id"])
                ).one()
            )
            self.shared.names[values["system_id"]] = names
        return summary(values, *names[:2])

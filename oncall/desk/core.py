"""The Desk: the verbs of the support desk and its read models.

Every fault verb runs ``_fault_verb``: one transaction that locks the fault's
row, checks the version the caller saw, lets the verb validate and say what
changes, appends the audit event, rebuilds the fault's SLA history from its
stored events, and writes the new state with the next breach cached, through
``UPDATE fault ... WHERE id = :id AND version = :seen``. Any refusal raises
before the commit, so nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Text, cast, func, insert, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session, select

from oncall.clock import Clock
from oncall.i18n import N_
from oncall.sla import CHANNELS, Policy, evaluate
from oncall.store import (
    UPGRADE_COMMAND,
    current_revision,
    head_revision,
    is_default_database,
    make_engine,
    schema_state,
    upgrade,
    write_engine,
)
from oncall.store.alert_models import RESENDABLE, Alert, resend_values
from oncall.store.health import translated, where_of
from oncall.store.models import (
    AuditEvent,
    Contact,
    Customer,
    Engineer,
    Fault,
    FaultCounter,
    FaultRecordRow,
    System,
    WorkEntryRow,
)
from oncall.store.watch import ChangeWatch, change_watch
from oncall.vocabulary import fault_ref as _norm_ref
from oncall.vocabulary import status_word

from . import history as h
from . import queue as q
from . import validate as v
from .errors import (
    ClaimRefused,
    DeskError,
    InvalidTransition,
    NotALead,
    NotFound,
    SchemaMismatch,
    StaleVersion,
    UnknownEngineer,
    ValidationError,
)
from .roster import more_senior
from .views import (
    MODES,
    OPEN_STATUSES,
    RESPONSE_HOW,
    SENIORITIES,
    STATUSES,
    ContactInfo,
    CustomerInfo,
    EngineerInfo,
    EventView,
    FaultRecord,
    FaultSummary,
    FaultView,
    QueueItem,
    SystemInfo,
    WorkEntry,
)

_FAULTS = Fault.__table__
_CUSTOMERS = Customer.__table__
_SYSTEMS = System.__table__
_EVENTS = AuditEvent.__table__
_ALERTS = Alert.__table__
_COUNTERS = FaultCounter.__table__
_FAULT_COLUMNS = tuple(c.name for c in _FAULTS.columns)
# A queue row: the fault's id, the summary's columns (then customer and system names).
_QUEUE_COLUMNS = (_FAULTS.c.id, *(_FAULTS.c[name] for name in q.SUMMARY_COLUMNS))
_RECORD_FIELDS = ("diagnosis", "handling", "losses", "changes")
_REF_RETRIES = 5


@dataclass
class _Tx:
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
class _Shared:
    """State a desk shares with its ``as_user`` copies."""

    batch: Session | None = None
    # Real users whose lead role the batch's transaction has already checked.
    leads_seen: set[str] = field(default_factory=set)


class Desk:
    """The application layer over one database, as one OS user.

    Every verb is one short transaction (a session of its own): it validates
    its input, checks the fault's ``version`` (the one the caller saw; ``None``
    means "whatever is current", for one-shot CLI commands), writes the new
    state and one audit event, recomputes the fault's clocks from its stored
    events and caches the next breach on the row. A refusal raises a
    ``DeskError`` and writes nothing.

    ``at`` (every fault verb) is when the thing happened; default
    ``clock.now()``. It may be back-dated, but never into the future, before
    the fault was reported, or (for verbs the clocks order: respond, pause,
    resume, resolve, close, reopen, change level, escalate, propose solution)
    before the fault's last such change.

    Who: ``user`` is the engineer who acts (the audit's ``os_user``);
    ``real_user`` is the OS user of the process (default: ``user``; the CLI
    and the console take it from the uid, ``oncall.identity``). When they
    differ, ``real_user`` acts on ``user``'s behalf: allowed only while
    ``real_user`` is a roster lead (``ClaimRefused``), checked by every
    verb, and the audit keeps both.

    Fault verbs, customer changes and alert acknowledgements need the acting
    engineer on the roster (``UnknownEngineer`` says how to be added). Roster
    changes need a lead (``NotALead``), except the first engineer put on an
    empty roster, who becomes its lead.

    ``require_onsite_signoff``: closing a fault with on-site work that the
    customer has not signed off is refused (the contract's 现场服务 rule).
    """

    def __init__(
        self,
        engine: Engine,
        policy: Policy,
        clock: Clock,
        user: str,
        *,
        real_user: str | None = None,
        require_onsite_signoff: bool = True,
    ) -> None:
        self.engine = engine
        self.policy = policy
        self.clock = clock
        self.user = user
        self.real_user = real_user or user
        self.require_onsite_signoff = require_onsite_signoff
        self._writer = write_engine(engine)
        self._shared = _Shared()
        self._rostered = False
        self._names: dict[int, tuple[str, str]] = {}  # system id -> (customer, system)
        # fault id -> (version, FaultHistory): the open queue's folded histories
        self._histories_seen: dict[int, tuple[int, Any]] = {}
        self._watch: ChangeWatch | None | bool = False  # made on first use

    def as_user(self, user: str) -> Desk:
        """The same desk run by another OS user (a test aid: in-process only)."""
        return self._copy(user, user)

    def claim(self, user: str) -> Desk:
        """The same desk acting on ``user``'s behalf (the real user must be a lead)."""
        return self._copy(user, self.real_user)

    @property
    def claimed(self) -> bool:
        """True when the real user acts on someone else's behalf."""
        return self.real_user != self.user

    def _copy(self, user: str, real_user: str) -> Desk:
        other = Desk(
            self.engine,
            self.policy,
            self.clock,
            user,
            real_user=real_user,
            require_onsite_signoff=self.require_onsite_signoff,
        )
        other._shared = self._shared
        other._names = self._names
        return other

    # -- plumbing ---------------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Run many verbs in one transaction (demo data, imports).

        Each verb inside is a savepoint: a refused one leaves the others. The
        whole batch commits at the end, or not at all; other processes see
        nothing until then. Desks made with ``as_user`` share the batch.
        """
        if self._shared.batch is not None:
            yield
            return
        with Session(self._writer, expire_on_commit=False) as s, s.begin():
            self._shared.batch = s
            try:
                yield
            finally:
                self._shared.batch = None
                self._shared.leads_seen.clear()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        batch = self._shared.batch
        try:
            if batch is not None:
                with batch.begin_nested():
                    yield batch
                return
            with Session(self._writer, expire_on_commit=False) as s, s.begin():
                yield s
        except DBAPIError as exc:
            self._health(exc)
            if not isinstance(exc, OperationalError):
                raise
            raise DeskError(f"the database refused the change: {_first_line(exc)}") from exc

    @contextmanager
    def _read(self) -> Iterator[Session]:
        try:
            if self._shared.batch is not None:  # see the batch's own writes
                yield self._shared.batch
                return
            with Session(self.engine, expire_on_commit=False) as s:
                yield s
        except DBAPIError as exc:
            self._health(exc)
            if not isinstance(exc, OperationalError):
                raise
            raise DeskError(f"cannot read the database: {_first_line(exc)}") from exc

    def _health(self, exc: DBAPIError) -> None:
        """A damaged or unreachable database: say which (``oncall.store.health``)."""
        found = translated(exc, where_of(self.engine.url.render_as_string(hide_password=False)))
        if found is not None:
            raise found from exc

    def _now(self) -> datetime:
        return q.desk_now(self.clock.now())

    def _show(self, at: datetime) -> str:
        return v.show(at, self.policy.timezone)

    def _past(self, value: datetime | None, what: str, now: datetime) -> datetime:
        """An instant given by the caller: aware, not in the future (default now)."""
        at = now if value is None else v.instant(value, what)
        if at > now:
            raise ValidationError.of(
                "time_in_future", what=what, at=self._show(at), now=self._show(now)
            )
        return v.served(at, self.policy, now, what)

    def _actor(self, s: Session) -> None:
        """Refuse an acting engineer not on the roster (nobody leaves it once on), or a
        claim by a real user who is not a lead (checked every time: leads change)."""
        if self.claimed:
            self._check_claim(s)
        if self._rostered:
            return
        if s.get(Engineer, self.user) is None:
            raise UnknownEngineer(self.user, acting=True)
        self._rostered = True

    def _check_claim(self, s: Session) -> None:
        batch = s is self._shared.batch
        if batch and self.real_user in self._shared.leads_seen:
            return  # checked in this very transaction (a demo load: thousands of verbs)
        real = s.get(Engineer, self.real_user)
        if real is None or not real.lead:
            raise ClaimRefused(self.real_user, self.user)
        if batch:
            self._shared.leads_seen.add(self.real_user)

    def _lead(self, s: Session, what: str) -> None:
        """Refuse a roster change unless the acting engineer is a lead."""
        self._actor(s)
        if not self._engineer(s, self.user).lead:
            raise NotALead(self.user, what)

    def check_claim(self) -> None:
        """Raise ``ClaimRefused`` when acting on someone's behalf is not allowed."""
        if self.claimed:
            with self._read() as s:
                self._check_claim(s)

    def _engineer(self, s: Session, user: str) -> Engineer:
        engineer = s.get(Engineer, user) if isinstance(user, str) else None
        if engineer is None:
            raise UnknownEngineer(str(user))
        return engineer

    def _event(
        self,
        s: Session,
        verb: str,
        data: dict[str, Any],
        *,
        at: datetime,
        now: datetime,
        fault_id: int | None = None,
    ) -> None:
        s.connection().execute(
            insert(_EVENTS).values(
                fault_id=fault_id,
                at=at,
                logged_at=now,
                os_user=self.user,
                real_user=self.real_user,
                verb=verb,
                data=data,
            )
        )

    # -- the fault verb machinery -----------------------------------------------------
    # The hot path speaks Core on the session's connection: the fault row is a
    # read-only Row, the event an INSERT, the new state one guarded UPDATE.

    def _lock(self, s: Session, where) -> Row:
        """The fault's row, locked for this transaction (FOR UPDATE; SQLite: BEGIN IMMEDIATE)."""
        return s.connection().execute(select(_FAULTS).where(where).with_for_update()).first()

    def _stale(self, s: Session, fault: Row, seen: int, current: int) -> StaleVersion:
        last = (
            s.connection()
            .execute(
                select(_EVENTS.c.os_user, _EVENTS.c.logged_at, _EVENTS.c.verb)
                .where(_EVENTS.c.fault_id == fault.id)
                .order_by(_EVENTS.c.id.desc())
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
            when=self._show(last.logged_at) if last else None,
        )

    def _stored_events(self, s: Session, fault_id: int) -> list[tuple[str, datetime, dict]]:
        """(verb, at, data) of a fault's events, in the order they were logged."""
        rows = s.connection().execute(
            select(_EVENTS.c.verb, _EVENTS.c.at, _EVENTS.c.data)
            .where(_EVENTS.c.fault_id == fault_id)
            .order_by(_EVENTS.c.id)
        )
        return [tuple(row) for row in rows]

    def _fault_verb(
        self,
        verb: str,
        apply: Callable[[_Tx], dict[str, Any]],
        *,
        version: int | None,
        at: datetime | None,
        ref: str | None = None,
        entry_id: int | None = None,
    ) -> tuple[FaultSummary, _Tx]:
        with self._write() as s:
            self._actor(s)
            entry = None
            if entry_id is not None:
                known = v.row_id(entry_id)
                entry = s.get(WorkEntryRow, known) if known is not None else None
                if entry is None:
                    raise NotFound.of("no_work_entry", entry=entry_id)
                fault = self._lock(s, _FAULTS.c.id == entry.fault_id)
                s.refresh(entry)  # as of the lock: another writer may have just changed it
            else:
                fault = self._lock(s, _FAULTS.c.ref == _norm_ref(ref))
                if fault is None:
                    raise NotFound.of("no_fault", ref=ref)
            seen = fault.version
            if version is not None and version != seen:
                raise self._stale(s, fault, version, seen)
            now = self._now()
            when = self._past(at, N_("the time"), now)
            if when < fault.reported_at:
                raise ValidationError.of(
                    "time_before_report",
                    at=self._show(when),
                    ref=fault.ref,
                    reported=self._show(fault.reported_at),
                )
            events = self._stored_events(s, fault.id)
            if verb in h.CLOCK_VERBS:
                last = max((at for v_, at, _ in events if v_ in h.CLOCK_VERBS), default=None)
                if last is not None and when < last:
                    raise ValidationError.of(
                        "time_before_last_change",
                        at=self._show(when),
                        ref=fault.ref,
                        last=self._show(last),
                    )
            tx = _Tx(s, fault, when, now, entry)
            data = apply(tx)
            s.flush()  # rows the verb added or changed (work entries, the record)
            self._event(s, verb, data, at=when, now=now, fault_id=fault.id)
            # The stored history, read under the lock, and the event just written.
            history = h.fault_history([*events, (verb, when, data)])
            clocks = evaluate(self.policy, history, now)
            tx.set(next_breach=clocks.next_breach, next_clock=clocks.next_clock, version=seen + 1)
            result = s.connection().execute(
                update(_FAULTS)
                .where(_FAULTS.c.id == fault.id, _FAULTS.c.version == seen)
                .values(**tx.changes)
            )
            if result.rowcount != 1:  # changed under us: refuse, roll everything back
                current = (
                    s.connection()
                    .execute(select(_FAULTS.c.version).where(_FAULTS.c.id == fault.id))
                    .scalar()
                )
                raise self._stale(s, fault, seen if version is None else version, current)
            values = fault._asdict()
            values.update(tx.changes)
            return self._summary(s, values), tx

    def _summary(self, s: Session, values: dict[str, Any]) -> FaultSummary:
        names = self._names.get(values["system_id"])
        if names is None:  # names never change: ask once per system
            names = tuple(
                s.exec(
                    select(Customer.name, System.name)
                    .join(System, System.customer_id == Customer.id)
                    .where(System.id == values["system_id"])
                ).one()
            )
            self._names[values["system_id"]] = names
        return _summary(values, *names)

    # -- roster ---------------------------------------------------------------------------

    def add_engineer(
        self,
        user: str,
        name: str,
        seniority: str = "engineer",
        phone: str = "",
        on_duty: bool = False,
        lead: bool = False,
    ) -> EngineerInfo:
        """Put an OS user on the roster: a lead's verb, except the first engineer
        on an empty roster (whoever sets the desk up), who becomes its lead."""
        user = v.user_name(user)
        name = v.text(name, N_("name"), required=True, max_chars=200, strip=True)
        v.one_of(seniority, SENIORITIES, N_("seniority"))
        phone = v.text(phone, N_("phone"), max_chars=64, strip=True)
        with self._write() as s:
            first = s.exec(select(Engineer.os_user).limit(1)).first() is None
            if first:
                if self.claimed:  # nobody is a lead yet, so nobody may claim
                    raise ClaimRefused(self.real_user, self.user)
            else:
                self._lead(s, "adding an engineer")
            if s.get(Engineer, user) is not None:
                raise ValidationError(f"{user!r} is already on the roster")
            now = self._now()
            row = Engineer(
                os_user=user,
                name=name,
                seniority=seniority,
                phone=phone,
                on_duty=bool(on_duty),
                lead=bool(lead) or first,
                created_at=now,
            )
            s.add(row)
            self._event(s, h.ENGINEER_ADD, _engineer_data(row), at=now, now=now)
            return _engineer(row)

    def update_engineer(
        self,
        user: str,
        *,
        name: str | None = None,
        seniority: str | None = None,
        phone: str | None = None,
        on_duty: bool | None = None,
        lead: bool | None = None,
    ) -> EngineerInfo:
        """Change an engineer's name, seniority, phone, duty flag or lead role (a lead's
        verb; the roster always keeps at least one lead)."""
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = v.text(name, N_("name"), required=True, max_chars=200, strip=True)
        if seniority is not None:
            changes["seniority"] = v.one_of(seniority, SENIORITIES, N_("seniority"))
        if phone is not None:
            changes["phone"] = v.text(phone, N_("phone"), max_chars=64, strip=True)
        if on_duty is not None:
            changes["on_duty"] = bool(on_duty)
        if lead is not None:
            changes["lead"] = bool(lead)
        with self._write() as s:
            self._lead(s, "changing the roster")
            row = self._engineer(s, user)
            before = {k: getattr(row, k) for k in changes if getattr(row, k) != changes[k]}
            if not before:
                return _engineer(row)
            if before.get("lead"):  # taking a lead's role away
                # Locks the leads' rows, so two leads cannot drop each other at once.
                leads = s.exec(
                    select(Engineer.os_user).where(Engineer.lead.is_(True)).with_for_update()
                ).all()
                if set(leads) <= {row.os_user}:
                    raise ValidationError(
                        f"{row.os_user!r} is the roster's last lead: make another lead first"
                    )
            for key in before:
                setattr(row, key, changes[key])
            if "lead" in before:
                self._shared.leads_seen.clear()
            now = self._now()
            after = {k: changes[k] for k in before}
            self._event(
                s,
                h.ENGINEER_EDIT,
                {"user": row.os_user, "before": before, "after": after},
                at=now,
                now=now,
            )
            return _engineer(row)

    def set_on_duty(self, user: str, on_duty: bool) -> EngineerInfo:
        """Mark an engineer on or off duty."""
        return self.update_engineer(user, on_duty=on_duty)

    def set_lead(self, user: str, lead: bool) -> EngineerInfo:
        """Make an engineer a roster lead, or not (never the last one)."""
        return self.update_engineer(user, lead=lead)

    def list_engineers(self) -> list[EngineerInfo]:
        """The roster, most senior first, then by name."""
        with self._read() as s:
            rows = s.exec(select(Engineer)).all()
        rank = {name: i for i, name in enumerate(SENIORITIES)}
        rows = sorted(rows, key=lambda e: (-rank[e.seniority], e.name, e.os_user))
        return [_engineer(r) for r in rows]

    def engineer(self, user: str) -> EngineerInfo:
        with self._read() as s:
            return _engineer(self._engineer(s, user))

    def me(self) -> EngineerInfo:
        """The acting engineer's roster entry; ``UnknownEngineer`` tells how to be added,
        ``ClaimRefused`` that the real user may not act on their behalf."""
        with self._read() as s:
            if self.claimed:
                self._check_claim(s)
            row = s.get(Engineer, self.user)
        if row is None:
            raise UnknownEngineer(self.user, acting=True)
        return _engineer(row)

    # -- customers ------------------------------------------------------------------------

    def add_customer(
        self,
        name: str,
        systems: Sequence[SystemInfo] = (),
        warranty_start: date | None = None,
        warranty_end: date | None = None,
        tier: str = "standard",
        contacts: Sequence[ContactInfo] = (),
    ) -> CustomerInfo:
        """Open a customer's archive with its systems and contacts."""
        name = v.text(name, N_("customer name"), required=True, max_chars=200, strip=True)
        tier = v.text(tier, N_("service tier"), required=True, max_chars=64, strip=True)
        for day, what in ((warranty_start, "warranty start"), (warranty_end, "warranty end")):
            if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
                raise ValidationError(f"{what} must be a date, not {type(day).__name__}")
        if warranty_start and warranty_end and warranty_end < warranty_start:
            raise ValidationError(
                f"warranty end {warranty_end} is before its start {warranty_start}"
            )
        systems = [_checked_system(x) for x in systems]
        names = [x.name for x in systems]
        if len(set(names)) != len(names):
            raise ValidationError(f"customer {name!r} lists a system twice")
        contacts = [_checked_contact(c) for c in contacts]
        try:
            with self._write() as s:
                self._actor(s)
                if s.exec(select(Customer.id).where(Customer.name == name)).first() is not None:
                    raise ValidationError(f"customer {name!r} already exists")
                now = self._now()
                row = Customer(
                    name=name,
                    tier=tier,
                    warranty_start=warranty_start,
                    warranty_end=warranty_end,
                    created_at=now,
                )
                s.add(row)
                s.flush()
                for x in systems:
                    s.add(System(customer_id=row.id, name=x.name, product=x.product, model=x.model))
                for c in contacts:
                    s.add(
                        Contact(
                            customer_id=row.id,
                            name=c.name,
                            phone=c.phone,
                            email=c.email,
                            role=c.role,
                        )
                    )
                data = {
                    "name": name,
                    "tier": tier,
                    "warranty_start": warranty_start.isoformat() if warranty_start else None,
                    "warranty_end": warranty_end.isoformat() if warranty_end else None,
                    "systems": [[x.name, x.product, x.model] for x in systems],
                    "contacts": [[c.name, c.phone, c.email, c.role] for c in contacts],
                }
                self._event(s, h.CUSTOMER_ADD, data, at=now, now=now)
        except IntegrityError:
            raise ValidationError(f"customer {name!r} already exists") from None
        return self.customer(name)

    def add_system(self, customer: str, system: SystemInfo) -> CustomerInfo:
        """Add a system to a customer's archive."""
        system = _checked_system(system)
        try:
            with self._write() as s:
                self._actor(s)
                row = self._customer_row(s, customer)
                taken = s.exec(
                    select(System.id).where(
                        System.customer_id == row.id, System.name == system.name
                    )
                ).first()
                if taken is not None:
                    raise ValidationError(
                        f"customer {row.name!r} already has a system {system.name!r}"
                    )
                s.add(
                    System(
                        customer_id=row.id,
                        name=system.name,
                        product=system.product,
                        model=system.model,
                    )
                )
                now = self._now()
                self._event(
                    s,
                    h.SYSTEM_ADD,
                    {"customer": row.name, "system": [system.name, system.product, system.model]},
                    at=now,
                    now=now,
                )
        except IntegrityError:
            raise ValidationError(
                f"customer {customer!r} already has a system {system.name!r}"
            ) from None
        return self.customer(customer)

    def _customer_row(self, s: Session, name: str) -> Customer:
        row = s.exec(select(Customer).where(Customer.name == name)).first()
        if row is None:
            raise NotFound(f"no customer {name!r} (see `oncall customer list`)")
        return row

    def list_customers(self) -> list[CustomerInfo]:
        """Every customer with its systems and contacts, by name."""
        with self._read() as s:
            customers = s.exec(select(Customer).order_by(Customer.name)).all()
            systems = s.exec(select(System).order_by(System.name)).all()
            contacts = s.exec(select(Contact).order_by(Contact.id)).all()
        return [_customer(c, systems, contacts) for c in customers]

    def customer(self, name: str) -> CustomerInfo:
        with self._read() as s:
            row = self._customer_row(s, name)
            systems = s.exec(
                select(System).where(System.customer_id == row.id).order_by(System.name)
            ).all()
            contacts = s.exec(
                select(Contact).where(Contact.customer_id == row.id).order_by(Contact.id)
            ).all()
        return _customer(row, systems, contacts)

    # -- fault verbs --------------------------------------------------------------------

    def log_fault(
        self,
        *,
        customer: str,
        system: str,
        title: str,
        level: int,
        channel: str,
        symptom: str = "",
        contact: str = "",
        assignee: str | None = None,
        at: datetime | None = None,
        responded_at: datetime | None = None,
        responded_via: str | None = None,
        response_note: str = "",
    ) -> FaultSummary:
        """Log a fault the customer reported (``at``: when it was reported).

        Gives it the next human id of the report's year in the desk's time
        zone (``F-2026-00042``) and starts its clocks.

        ``responded_at``: a call logged after the fact that was already answered
        (``responded_via``, default the report's channel; ``response_note``).
        The fault and its first response are written in one transaction, so no
        alert sees the fault unresponded in between.
        """
        title = v.text(title, N_("title"), required=True, max_chars=500, strip=True)
        symptom = v.text(symptom, N_("symptom"))
        contact = v.text(contact, N_("reporting contact"), max_chars=500, strip=True)
        if isinstance(level, bool) or not isinstance(level, int) or level not in self.policy.levels:
            known = ", ".join(str(n) for n in sorted(self.policy.levels))
            raise ValidationError(f"level {level!r} is not one of the policy's levels ({known})")
        v.one_of(channel, CHANNELS, N_("channel"))
        fields = (customer, system, title, level, channel, symptom, contact, assignee, at)
        if responded_at is None:
            if responded_via is not None:
                raise ValidationError("a response channel needs the response time")
            return self._log_fault_retrying(fields)
        how = channel if responded_via is None else responded_via
        v.one_of(how, RESPONSE_HOW, N_("response channel"))
        with self.batch():  # one transaction: a refused response logs nothing either
            fault = self._log_fault_retrying(fields)
            return self.respond(
                fault.ref, version=fault.version, how=how, note=response_note, at=responded_at
            )

    def _log_fault_retrying(self, fields: tuple) -> FaultSummary:
        for attempt in range(_REF_RETRIES):
            try:
                return self._log_fault(*fields)
            except IntegrityError:  # two desks took the same number: take the next one
                if attempt == _REF_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _log_fault(self, customer, system, title, level, channel, symptom, contact, assignee, at):
        with self._write() as s:
            self._actor(s)
            cust = self._customer_row(s, customer)
            sys_row = s.exec(
                select(System).where(System.customer_id == cust.id, System.name == system)
            ).first()
            if sys_row is None:
                names = s.exec(select(System.name).where(System.customer_id == cust.id)).all()
                has = ", ".join(sorted(names)) or "none"
                raise NotFound(f"customer {cust.name!r} has no system {system!r} (it has: {has})")
            if assignee is not None:
                assignee = self._engineer(s, assignee).os_user
            now = self._now()
            when = self._past(at, N_("the report time"), now)
            year = when.astimezone(self.policy.timezone).year
            seq = self._next_number(s, year)
            data = {
                "customer": cust.name,
                "system": sys_row.name,
                "title": title,
                "level": level,
                "channel": channel,
                "symptom": symptom,
                "contact": contact,
                "assignee": assignee,
            }
            clocks = evaluate(self.policy, h.fault_history([(h.LOG, when, data)]), now)
            row = Fault(
                ref=f"F-{year}-{seq:05d}",
                year=year,
                seq=seq,
                customer_id=cust.id,
                system_id=sys_row.id,
                title=title,
                symptom=symptom,
                level=level,
                channel=channel,
                contact=contact,
                reported_at=when,
                reported_by=self.user,
                assignee=assignee,
                status="new",
                next_breach=clocks.next_breach,
                next_clock=clocks.next_clock,
                version=1,
            )
            s.add(row)
            s.flush()
            s.add(FaultRecordRow(fault_id=row.id))
            self._event(s, h.LOG, data, at=when, now=now, fault_id=row.id)
            values = {name: getattr(row, name) for name in _FAULT_COLUMNS}
            return _summary(values, cust.name, sys_row.name)

    def _next_number(self, s: Session, year: int) -> int:
        """The year's next fault number; the counter row stays locked until the commit."""
        conn = s.connection()
        taken = conn.execute(
            update(_COUNTERS)
            .where(_COUNTERS.c.year == year)
            .values(last=_COUNTERS.c.last + 1)
            .returning(_COUNTERS.c.last)
        ).scalar()
        if taken is None:  # the year's first fault (a race here ends in a retry)
            conn.execute(insert(_COUNTERS).values(year=year, last=1))
            taken = 1
        return taken

    def respond(
        self,
        ref: str,
        *,
        version: int | None,
        how: str,
        note: str = "",
        at: datetime | None = None,
    ) -> FaultSummary:
        """The first response to the customer (stops the respond clock)."""
        v.one_of(how, RESPONSE_HOW, N_("response channel"))
        note = v.text(note, N_("note"))

        def apply(tx: _Tx) -> dict:
            f = tx.fault
            if f.responded_at is not None:
                raise InvalidTransition.of(
                    "already_responded", ref=f.ref, at=self._show(f.responded_at)
                )
            tx.set(status="responded", responded_at=tx.at)
            return {"how": how, "note": note}

        return self._fault_verb(h.RESPOND, apply, ref=ref, version=version, at=at)[0]

    def propose_solution(
        self, ref: str, *, version: int | None, text: str, at: datetime | None = None
    ) -> FaultSummary:
        """A solution proposal given to the customer (the first stops the solution clock)."""
        text = v.text(text, N_("solution"), required=True)

        def apply(tx: _Tx) -> dict:
            f = tx.fault
            self._require_open(f, N_("propose a solution for"))
            if f.status == "new":
                raise InvalidTransition.of("respond_first", ref=f.ref)
            if f.solution_at is None:
                tx.set(solution_at=tx.at)
            return {"text": text}

        return self._fault_verb(h.SOLUTION, apply, ref=ref, version=version, at=at)[0]

    def assign(
        self,
        ref: str,
        engineer: str,
        *,
        version: int | None,
        note: str = "",
        at: datetime | None = None,
    ) -> FaultSummary:
        """Give the fault to one engineer, who owns it end to end."""
        note = v.text(note, N_("note"))

        def apply(tx: _Tx) -> dict:
            f = tx.fault
            if f.status == "closed":
                raise InvalidTransition.of("closed_reopen_first", ref=f.ref)
            target = self._engineer(tx.session, engineer)
            if f.assignee == target.os_user:
                raise InvalidTransition.of("already_assigned", ref=f.ref, user=target.os_user)
            tx.set(assignee=target.os_user)
            return {"from": f.assignee, "to": target.os_user, "note": note}

        return self._fault_verb(h.ASSIGN, apply, ref=ref, version=version, at=at)[0]

    def add_work(
        self,
        ref: str,
        *,
        version: int | None,
        mode: str,
        start: datetime | None = None,
        end: datetime | None = None,
        engineer: str | None = None,
        done: str = "",
        result: str = "",
        at: datetime | None = None,
    ) -> WorkEntry:
        """Log a step of work (``start`` defaults to ``at``; ``end`` None while it goes on).

        Remote and on-site work start the contract's further clocks from ``start``.
        """
        v.one_of(mode, MODES, N_("work mode"))
        done = v.text(done, N_("what was done"))
        result = v.text(result, N_("result"))

        def apply(tx: _Tx) -> dict:
            f = tx.fault
            if f.status == "closed":
                raise InvalidTransition.of("closed_reopen_first", ref=f.ref)
            who = self._engineer(tx.session, engineer or self.user).os_user
            begin, finish = self._work_span(f, start or tx.at, end, tx.now)
            row = WorkEntryRow(
                fault_id=f.id,
                mode=mode,
                started_at=begin,
                ended_at=finish,
                engineer=who,
                done=done,
                result=result,
            )
            tx.session.add(row)
            tx.session.flush()
            tx.entry = row
            if f.status == "responded":
                tx.set(status="in_progress")
            return {
                "entry": row.id,
                "mode": mode,
                "start": h.iso(begin),
                "end": h.iso(finish),
                "engineer": who,
                "done": done,
                "result": result,
            }

        summary, tx = self._fault_verb(h.WORK_ADD, apply, ref=ref, version=version, at=at)
        return _work(tx.entry, summary.ref, summary.version)

    def _work_span(
        self, f: Row, start: datetime, end: datetime | None, now: datetime
    ) -> tuple[datetime, datetime | None]:
        begin = self._past(start, N_("the work's start"), now)
        if begin < f.reported_at:
            raise ValidationError.of(
                "work_start_before_report",
                at=self._show(begin),
                ref=f.ref,
                reported=self._show(f.reported_at),
            )
        finish = None
        if end is not None:
            finish = self._past(end, N_("the work's end"), now)
            if finish < begin:
                raise ValidationError.of(
                    "work_end_before_start", end=self._show(finish), start=self._show(begin)
                )
        return begin, finish

    def edit_work(
        self,
        entry_id: int,
        *,
        version: int | None,
        mode: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        engineer: str | None = None,
        done: str | None = None,
        result: str | None = None,
        at: datetime | None = None,
    ) -> WorkEntry:
        """Correct a work entry (``version`` is the fault's). A signed-off entry is final."""
        if mode is not None:
            v.one_of(mode, MODES, N_("work mode"))
        if done is not None:
            done = v.text(done, N_("what was done"))
        if result is not None:
            result = v.text(result, N_("result"))

        def apply(tx: _Tx) -> dict:
            f, row = tx.fault, tx.entry
            if f.status == "closed":
                raise InvalidTransition.of("closed_reopen_first", ref=f.ref)
            if row.customer_signoff_at is not None:
                raise InvalidTransition.of("work_signed_off", entry=row.id)
            begin, finish = self._work_span(
                f, start or row.started_at, end if end is not None else row.ended_at, tx.now
            )
            wanted = {
                "mode": mode if mode is not None else row.mode,
                "started_at": begin,
                "ended_at": finish,
                "engineer": self._engineer(tx.session, engineer).os_user
                if engineer is not None
                else row.engineer,
                "done": done if done is not None else row.done,
                "result": result if result is not None else row.result,
            }
            changed = {k: val for k, val in wanted.items() if getattr(row, k) != val}
            if not changed:
                raise ValidationError.of("work_unchanged", entry=row.id)
            before = {_WORK_KEYS[k]: _jsonable(getattr(row, k)) for k in changed}
            after = {_WORK_KEYS[k]: _jsonable(val) for k, val in changed.items()}
            for k, val in changed.items():
                setattr(row, k, val)
            return {"entry": row.id, "before": before, "after": after}

        summary, tx = self._fault_verb(
            h.WORK_EDIT, apply, entry_id=entry_id, version=version, at=at
        )
        return _work(tx.entry, summary.ref, summary.version)

    def end_work(
        self,
        entry_id: int,
        *,
        version: int | None,
        end: datetime | None = None,
        result: str | None = None,
        at: datetime | None = None,
    ) -> WorkEntry:
        """End a work entry that is still going on (``end`` defaults to ``at``)."""
        if result is not None:
            result = v.text(result, N_("result"))

        def apply(tx: _Tx) -> dict:
            f, row = tx.fault, tx.entry
            if f.status == "closed":
                raise InvalidTransition.of("closed_reopen_first", ref=f.ref)
            if row.ended_at is not None:
                raise InvalidTransition.of(
                    "work_already_ended", entry=row.id, at=self._show(row.ended_at)
                )
            _, finish = self._work_span(f, row.started_at, end or tx.at, tx.now)
            row.ended_at = finish
            if result is not None:
                row.result = result
            return {"entry": row.id, "end": h.iso(finish), "result": result}

        summary, tx = self._fault_verb(h.WORK_END, apply, entry_id=entry_id, version=version, at=at)
        return _work(tx.entry, summary.ref, summary.version)

    def sign_off(
        self,
        entry_id: int,
        *,
        version: int | None,
        customer_rep: str,
        engineer: str | None = None,
        end: datetime | None = None,
        at: datetime | None = None,
    ) -> WorkEntry:
        """The on-site service report signed by the customer's representative and the engineer.

        ``engineer`` defaults to the one who did the work. The sign-off makes
        the entry final, so it fixes the work's end: ``end`` if given (never
        before the work's start nor in the future), else the entry's own end,
        else the sign-off's time (now unless ``at`` says otherwise). The event
        says which end it stored (``ended``, and ``ended_was`` when it replaced one).
        """
        customer_rep = v.text(
            customer_rep, N_("customer representative"), required=True, max_chars=200, strip=True
        )

        def apply(tx: _Tx) -> dict:
            f, row = tx.fault, tx.entry
            if f.status == "closed":
                raise InvalidTransition.of("closed_reopen_first", ref=f.ref)
            if row.mode != "onsite":
                raise InvalidTransition.of("signoff_not_onsite", entry=row.id, mode=row.mode)
            if row.customer_signoff_at is not None:
                raise InvalidTransition.of(
                    "already_signed_off",
                    entry=row.id,
                    name=row.customer_signoff_name,
                    at=self._show(row.customer_signoff_at),
                )
            if tx.at < row.started_at:
                raise ValidationError.of(
                    "signoff_before_work", at=self._show(tx.at), start=self._show(row.started_at)
                )
            signer = self._engineer(tx.session, engineer or row.engineer).os_user
            _, finish = self._work_span(f, row.started_at, end or row.ended_at or tx.at, tx.now)
            was = row.ended_at
            row.customer_signoff_name = customer_rep
            row.customer_signoff_at = tx.at
            row.engineer_signoff = signer
            row.engineer_signoff_at = tx.at
            row.ended_at = finish
            if f.signed_off_at is None or f.signed_off_at < tx.at:
                tx.set(signed_off_at=tx.at)
            return {
                "entry": row.id,
                "customer_rep": customer_rep,
                "engineer": signer,
                "ended": h.iso(finish) if finish != was else None,
                "ended_was": h.iso(was) if was is not None and finish != was else None,
            }

        summary, tx = self._fault_verb(h.SIGN_OFF, apply, entry_id=entry_id, version=version, at=at)
        return _work(tx.entry, summary.ref, summary.version)

    def escalate(
        self,
        ref: str,
        *,
        version: int | None,
        reason: str,
        to: str | None = None,
        at: datetime | None = None,
    ) -> FaultSummary:
        """Hand the fault to a more senior engineer (``to``; default: one step up).

        Without ``to``, the first of ``roster.more_senior``: an engineer on
        duty before one off duty, then the nearest seniority step up. Refused
        when nobody on the roster is more senior.
        """
        reason = v.text(reason, N_("reason"), required=True)

        def apply(tx: _Tx) -> dict:
            f, s = tx.fault, tx.session
            self._require_open(f, N_("escalate"))
            if f.assignee is None:
                raise InvalidTransition.of("no_assignee", ref=f.ref)
            current = self._engineer(s, f.assignee)
            rank = SENIORITIES.index(current.seniority)
            if to is not None:
                target = self._engineer(s, to)
                if SENIORITIES.index(target.seniority) <= rank:
                    raise ValidationError.of(
                        "not_more_senior",
                        user=target.os_user,
                        seniority=target.seniority,
                        current=current.os_user,
                        current_seniority=current.seniority,
                    )
            else:
                roster = [_engineer(e) for e in s.exec(select(Engineer)).all()]
                above = more_senior(roster, current.seniority)
                if not above:
                    raise InvalidTransition.of(
                        "nobody_more_senior",
                        current=current.os_user,
                        current_seniority=current.seniority,
                        ref=f.ref,
                    )
                target = self._engineer(s, above[0].user)
            tx.set(assignee=target.os_user)
            return {
                "from": current.os_user,
                "to": target.os_user,
                "from_seniority": current.seniority,
                "to_seniority": target.seniority,
                "reason": reason,
            }

        return self._fault_verb(h.ESCALATE, apply, ref=ref, version=version, at=at)[0]

    def pause(
        self, ref: str, *, version: int | None, reason: str, at: datetime | None = None
    ) -> FaultSummary:
        """Wait on the customer: the resolve clock pauses."""
        reason = v.text(reason, N_("reason"), required=True)

        def apply(tx: _Tx) -> dict:
            f = tx.fault
            if f.status == "waiting":
                raise InvalidTransition.of("already_waiting", ref=f.ref)
            if f.status == "new":
                raise InvalidTransition.of("respond_first", ref=f.ref)
            self._require_open(f, N_("pause"))
            tx.set(status="waiting")
            return {"reason": reason}

        return self._fault_verb(h.PAUSE, apply, ref=ref, version=version, at=at)[0]

    def resume(
        self, ref: str, *, version: int | None, note: str = "", at: datetime | None = None
    ) -> FaultSummary:
        """The customer answered: the paused clock runs again."""
        note = v.text(note, N_("note"))

        def apply(tx: _Tx) -> dict:
            f = tx.fault
            if f.status != "waiting":
                raise InvalidTransition.of("not_waiting", ref=f.ref, status=status_word(f.status))
            tx.set(status="in_progress")
            return {"note": note}

        return self._fault_verb(h.RESUME, apply, ref=ref, version=version, at=at)[0]

    def change_level(
        self,
        ref: str,
        level: int,
        *,
        version: int | None,
        reason: str,
        at: datetime | None = None,
    ) -> FaultSummary:
        """Change the fault's level; its deadlines are recomputed from the report time."""
        reason = v.text(reason, N_("reason"), required=True)
        if isinstance(level, bool) or not isinstance(level, int) or level not in self.policy.levels:
            known = ", ".join(str(n) for n in sorted(self.policy.levels))
            raise ValidationError(f"level {level!r} is not one of the policy's levels ({known})")

        def apply(tx: _Tx) -> dict:
            f = tx.fault
            if f.status == "closed":
                raise InvalidTransition.of("closed_reopen_first", ref=f.ref)
            if f.level == level:
                raise InvalidTransition.of("already_level", ref=f.ref, level=level)
            tx.set(level=level)
            return {"from": f.level, "to": level, "reason": reason}

        return self._fault_verb(h.LEVEL, apply, ref=ref, version=version, at=at)[0]

    def update_record(
        self,
        ref: str,
        *,
        version: int | None,
        symptom: str | None = None,
        diagnosis: str | None = None,
        handling: str | None = None,
        losses: str | None = None,
        changes: str | None = None,
        at: datetime | None = None,
    ) -> FaultSummary:
        """Fill the fault record (any field left None stays); allowed in every status."""
        given = {
            "symptom": symptom,
            "diagnosis": diagnosis,
            "handling": handling,
            "losses": losses,
            "changes": changes,
        }
        labels = {
            "symptom": N_("symptom"),
            "diagnosis": N_("diagnosis process"),
            "handling": N_("handling process"),
            "losses": N_("losses"),
            "changes": N_("changes made"),
        }
        given = {k: v.text(val, labels[k]) for k, val in given.items() if val is not None}

        def apply(tx: _Tx) -> dict:
            f, s = tx.fault, tx.session
            record = s.get(FaultRecordRow, f.id) or FaultRecordRow(fault_id=f.id)
            current = {"symptom": f.symptom, **{k: getattr(record, k) for k in _RECORD_FIELDS}}
            changed = {k: val for k, val in given.items() if current[k] != val}
            if not changed:
                raise ValidationError.of("record_unchanged", ref=f.ref)
            if "symptom" in changed:
                tx.set(symptom=changed["symptom"])
            for k in _RECORD_FIELDS:
                if k in changed:
                    setattr(record, k, changed[k])
            s.add(record)
            return {"fields": changed}

        return self._fault_verb(h.RECORD, apply, ref=ref, version=version, at=at)[0]

    def resolve(
        self, ref: str, *, version: int | None, summary: str, at: datetime | None = None
    ) -> FaultSummary:
        """The fault is fixed (stops the resolve clock; ends a wait on the customer)."""
        summary = v.text(summary, N_("resolution summary"), required=True)

        def apply(tx: _Tx) -> dict:
            f = tx.fault
            if f.status in ("resolved", "closed"):
                raise InvalidTransition.of(
                    "already_status", ref=f.ref, status=status_word(f.status)
                )
            if f.responded_at is None:
                raise InvalidTransition.of("never_responded", ref=f.ref)
            tx.set(status="resolved", resolved_at=tx.at)
            return {"summary": summary}

        return self._fault_verb(h.RESOLVE, apply, ref=ref, version=version, at=at)[0]

    def close(
        self, ref: str, *, version: int | None, note: str = "", at: datetime | None = None
    ) -> FaultSummary:
        """Close a resolved fault. Refused while work is open or on-site work unsigned."""
        note = v.text(note, N_("note"))

        def apply(tx: _Tx) -> dict:
            f, s = tx.fault, tx.session
            if f.status == "closed":
                raise InvalidTransition.of("already_closed", ref=f.ref)
            if f.status != "resolved":
                raise InvalidTransition.of("not_resolved", ref=f.ref)
            work = s.exec(
                select(WorkEntryRow).where(WorkEntryRow.fault_id == f.id).order_by(WorkEntryRow.id)
            ).all()
            for row in work:
                if row.ended_at is None:
                    raise InvalidTransition.of(
                        "work_still_open", entry=row.id, mode=row.mode, user=row.engineer
                    )
            if self.require_onsite_signoff:
                for row in work:
                    if row.mode == "onsite" and row.customer_signoff_at is None:
                        raise InvalidTransition.of(
                            "onsite_unsigned", entry=row.id, start=self._show(row.started_at)
                        )
            tx.set(status="closed", closed_at=tx.at)
            return {"note": note}

        return self._fault_verb(h.CLOSE, apply, ref=ref, version=version, at=at)[0]

    def reopen(
        self, ref: str, *, version: int | None, reason: str, at: datetime | None = None
    ) -> FaultSummary:
        """A resolved or closed fault is back: in progress, its resolve clock restarted."""
        reason = v.text(reason, N_("reason"), required=True)

        def apply(tx: _Tx) -> dict:
            f = tx.fault
            if f.status not in ("resolved", "closed"):
                raise InvalidTransition.of(
                    "not_resolved_or_closed", ref=f.ref, status=status_word(f.status)
                )
            tx.set(status="in_progress", resolved_at=None, closed_at=None)
            return {"reason": reason, "from": f.status}

        return self._fault_verb(h.REOPEN, apply, ref=ref, version=version, at=at)[0]

    def _require_open(self, f: Row, what: str) -> None:
        if f.status in ("resolved", "closed"):
            raise InvalidTransition.of(
                "not_open", action=what, ref=f.ref, status=status_word(f.status)
            )

    # -- read models --------------------------------------------------------------------

    def _fault_rows(self):
        return (
            select(Fault, Customer.name, System.name)
            .join(Customer, Fault.customer_id == Customer.id)
            .join(System, Fault.system_id == System.id)
        )

    def open_queue(self) -> list[QueueItem]:
        """Open faults by urgency: overdue first (most overdue on top, paused or
        not), then the soonest deadline, then those with no clock at stake
        (waiting on the customer in time), each with its clocks evaluated at
        ``clock.now()``.

        Core rows, no ORM objects: one indexed query for the open faults, one
        for the clock-relevant events of all of them at once; the items and
        their order come from ``oncall.desk.queue`` (shared with the console's
        quick read, ``oncall.desk.peek``). A fault's folded history is kept
        between calls while its version stays (every verb bumps it), so a
        reload reads the events of changed faults only.
        """
        now = self._now()
        f, c, sy = _FAULTS, _CUSTOMERS, _SYSTEMS
        open_ = f.c.status.in_(OPEN_STATUSES)
        with self._read() as s:
            conn = s.connection()
            rows = conn.execute(
                select(*_QUEUE_COLUMNS, c.c.name, sy.c.name)
                .join_from(f, c, f.c.customer_id == c.c.id)
                .join(sy, f.c.system_id == sy.c.id)
                .where(open_)
            ).all()
            # Kept histories, by version (a dict that other threads may use too:
            # read each entry once, never assume one stays).
            cache = self._histories_seen
            histories: dict[int, Any] = {}
            stale: dict[int, int] = {}  # fault id -> version
            for r in rows:
                kept = cache.get(r[0])
                if kept is not None and kept[0] == r.version:
                    histories[r[0]] = kept[1]
                else:
                    stale[r[0]] = r.version
            if stale:
                ids = list(stale)
                events = self._clock_events(conn, open_ if len(ids) > 200 else None, ids)
        for fault_id, version in stale.items():
            history = h.fault_history(events[fault_id])
            histories[fault_id] = history
            cache[fault_id] = (version, history)
        if len(cache) > 2 * len(rows) + 100:  # faults that left the queue
            for fault_id in [k for k in list(cache) if k not in histories]:
                cache.pop(fault_id, None)
        return q.queue_items(rows, histories, self.policy, now)

    def _clock_events(self, conn, open_, ids: list[int]) -> dict[int, list]:
        """(verb, at, data) of the clock-relevant events of ``ids`` (or of every open fault)."""
        e = _EVENTS
        stmt = select(e.c.fault_id, e.c.verb, e.c.at, cast(e.c.data, Text)).where(
            e.c.verb.in_(h.HISTORY_VERBS)
        )
        if open_ is not None:  # a subquery, not a join: the plan stays on the fault_id index
            stmt = stmt.where(e.c.fault_id.in_(select(_FAULTS.c.id).where(open_)))
        else:
            stmt = stmt.where(e.c.fault_id.in_(ids))
        return q.group_events(conn.execute(stmt.order_by(e.c.id)), ids)

    def _histories(self, s: Session, ids: list[int]) -> dict[int, list]:
        out: dict[int, list] = {i: [] for i in ids}
        if not ids:
            return out
        rows = s.exec(
            select(AuditEvent.fault_id, AuditEvent.verb, AuditEvent.at, AuditEvent.data)
            .where(AuditEvent.fault_id.in_(ids))
            .order_by(AuditEvent.id)
        ).all()
        for fault_id, verb, at, data in rows:
            out[fault_id].append((verb, at, data))
        return out

    def fault_list(
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
        stmt = self._fault_rows()
        if status is not None:
            stmt = stmt.where(Fault.status == status)
        elif not include_closed:
            stmt = stmt.where(Fault.status != "closed")
        if customer is not None:
            stmt = stmt.where(Customer.name == customer)
        stmt = stmt.order_by(Fault.reported_at.desc(), Fault.id.desc())
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._read() as s:
            rows = s.exec(stmt).all()
        return [_summary(_values(f), c, sy) for f, c, sy in rows]

    def fault(self, ref: str) -> FaultSummary:
        with self._read() as s:
            row = s.exec(self._fault_rows().where(Fault.ref == _norm_ref(ref))).first()
        if row is None:
            raise NotFound.of("no_fault", ref=ref)
        return _summary(_values(row[0]), row[1], row[2])

    def fault_view(self, ref: str) -> FaultView:
        """Everything about one fault, clocks evaluated at ``clock.now()``."""
        now = self._now()
        with self._read() as s:
            row = s.exec(
                select(Fault, Customer.name, System)
                .join(Customer, Fault.customer_id == Customer.id)
                .join(System, Fault.system_id == System.id)
                .where(Fault.ref == _norm_ref(ref))
            ).first()
            if row is None:
                raise NotFound.of("no_fault", ref=ref)
            fault, customer, system = row
            record = s.get(FaultRecordRow, fault.id) or FaultRecordRow(fault_id=fault.id)
            work = s.exec(
                select(WorkEntryRow)
                .where(WorkEntryRow.fault_id == fault.id)
                .order_by(WorkEntryRow.started_at, WorkEntryRow.id)
            ).all()
            events = s.exec(
                select(AuditEvent).where(AuditEvent.fault_id == fault.id).order_by(AuditEvent.id)
            ).all()
        # With thresholds: the console moves the bands on between reads.
        clocks = evaluate(
            self.policy,
            h.fault_history([(e.verb, e.at, e.data) for e in events]),
            now,
            thresholds=True,
        )
        newest_first = sorted(events, key=lambda e: (e.at, e.id), reverse=True)
        return FaultView(
            fault=_summary(_values(fault), customer, system.name),
            record=FaultRecord(
                fault.symptom, record.diagnosis, record.handling, record.losses, record.changes
            ),
            system_product=system.product,
            system_model=system.model,
            clocks=clocks,
            now=now,
            work=tuple(_work(w, fault.ref) for w in work),
            events=tuple(_event_view(e, fault.ref) for e in newest_first),
        )

    def events(self, ref: str | None = None, *, limit: int | None = None) -> list[EventView]:
        """The audit trail (of one fault, or everything), newest logged first."""
        with self._read() as s:
            stmt = select(AuditEvent, Fault.ref).outerjoin(Fault, AuditEvent.fault_id == Fault.id)
            if ref is not None:
                fault_id = s.exec(select(Fault.id).where(Fault.ref == _norm_ref(ref))).first()
                if fault_id is None:
                    raise NotFound.of("no_fault", ref=ref)
                stmt = stmt.where(AuditEvent.fault_id == fault_id)
            stmt = stmt.order_by(AuditEvent.id.desc())
            if limit is not None:
                stmt = stmt.limit(limit)
            rows = s.exec(stmt).all()
        return [_event_view(e, r) for e, r in rows]

    def acknowledge_alerts(self, ids: Iterable[int] | None) -> list[int]:
        """Acknowledge alerts (None: every unacknowledged one not withdrawn) as the acting
        engineer.

        One audit event names the alerts this call acknowledged (none written
        when there were none left: another console got there first). Returns
        their ids.
        """
        chosen = None
        if ids is not None:
            chosen = sorted({int(i) for i in ids})
            if not chosen:
                return []
        stmt = update(_ALERTS).where(_ALERTS.c.acked_at.is_(None))
        if chosen is not None:
            stmt = stmt.where(_ALERTS.c.id.in_(chosen))
        else:  # "all": the ones counted; a withdrawn alert asks nothing of anyone
            stmt = stmt.where(_ALERTS.c.withdrawn_at.is_(None))
        with self._write() as s:
            self._actor(s)
            now = self._now()
            rows = s.connection().execute(
                stmt.values(acked_by=self.user, acked_at=now).returning(_ALERTS.c.id)
            )
            done = sorted(row.id for row in rows)
            if done:
                self._event(s, h.ALERT_ACK, {"alerts": done}, at=now, now=now)
            return done

    def resend_alert(self, alert_id: int) -> bool:
        """Ask for an alert whose delivery is unknown or failed to be sent again (audited).

        True when this call queued it; False when its state is not one to resend
        (sent meanwhile, or someone else asked first). The next process with a
        notify command claims and sends it.
        """
        with self._write() as s:
            self._actor(s)
            now = self._now()
            queued = (
                s.connection()
                .execute(
                    update(_ALERTS)
                    .where(
                        _ALERTS.c.id == alert_id,
                        _ALERTS.c.notify_state.in_(RESENDABLE),
                        _ALERTS.c.withdrawn_at.is_(None),  # taken back: nothing to send
                    )
                    .values(resend_values(self.user, now))
                )
                .rowcount
            )
            if queued:
                self._event(s, h.ALERT_RESEND, {"alert": alert_id}, at=now, now=now)
            return queued == 1

    def last_change(self) -> int:
        """The id of the newest audit event (0 if none): poll it to know when to reload."""
        with self._read() as s:
            return s.exec(select(func.max(AuditEvent.id))).one() or 0

    def change_watch(self) -> ChangeWatch | None:
        """A cheap "anything committed?" check to ask before ``last_change`` (None:
        not for this database; poll ``last_change``). One per desk, shared."""
        if self._watch is False:
            self._watch = change_watch(self.engine.url.render_as_string(hide_password=False))
        return self._watch

    def refresh_deadlines(self) -> int:
        """Recompute the cached next breach of every fault that is not closed.

        For after the policy changed (a new ``sla.toml``): the verbs keep the
        cache right, but only under the policy they ran with. This touches no
        state, so it writes no event and leaves versions alone; a row changed
        meanwhile by a verb is skipped (the verb cached it already). Returns
        how many rows changed.
        """
        now = self._now()
        changed = 0
        with self._write() as s:
            conn = s.connection()
            rows = conn.execute(
                select(
                    _FAULTS.c.id, _FAULTS.c.version, _FAULTS.c.next_breach, _FAULTS.c.next_clock
                ).where(_FAULTS.c.status != "closed")
            ).all()
            events = self._histories(s, [r.id for r in rows])
            for r in rows:
                clocks = evaluate(self.policy, h.fault_history(events[r.id]), now)
                if (clocks.next_breach, clocks.next_clock) == (r.next_breach, r.next_clock):
                    continue
                changed += conn.execute(
                    update(_FAULTS)
                    .where(_FAULTS.c.id == r.id, _FAULTS.c.version == r.version)
                    .values(next_breach=clocks.next_breach, next_clock=clocks.next_clock)
                ).rowcount
        return changed


# -- opening a desk ----------------------------------------------------------------------


def open_desk(
    url: str,
    policy: Policy,
    clock: Clock,
    user: str,
    *,
    real_user: str | None = None,
    auto_upgrade: bool | None = None,
    require_onsite_signoff: bool = True,
) -> Desk:
    """A Desk over the database at ``url``, its schema checked.

    The schema must be the code's. One exception, by design: the embedded
    default SQLite database (``oncall.store.default_database_url()``) is
    created and upgraded on the spot, since it belongs to this installation
    and nobody else's code reads it. Any other database (a shared file, a
    PostgreSQL server) is refused while it is empty or older, until someone
    runs ``oncall db upgrade`` on purpose (after a backup), and always when it
    is newer than the code. ``auto_upgrade`` overrides the choice (None: only
    the default database).

    ``user`` acts, ``real_user`` (default: ``user``) is the OS user of the
    process (see ``Desk``). On PostgreSQL a session role named after a roster
    engineer is that engineer's own role (per-engineer roles, peer
    authentication): it must be the real user's, or the database would record
    someone else as the writer. A role that is not an engineer's (a shared
    ``oncall`` role) is accepted.
    """
    engine = make_engine(url)
    where = make_url(url).render_as_string(hide_password=True)
    if auto_upgrade is None:
        auto_upgrade = is_default_database(url)
    try:
        state = schema_state(engine)
        if state in ("empty", "older") and auto_upgrade:
            upgrade(engine)
        elif state == "empty":
            raise SchemaMismatch(
                state,
                f"the database {where} has no oncall tables yet: create them with "
                f"`{UPGRADE_COMMAND}`",
            )
        elif state == "older":
            raise SchemaMismatch(
                state,
                f"the database {where} has an older schema ({current_revision(engine) or 'none'}, "
                f"this oncall needs {head_revision()}): back it up, then run `{UPGRADE_COMMAND}`",
            )
        elif state == "newer":
            raise SchemaMismatch(
                state,
                f"the database {where} was written by a newer oncall (schema "
                f"{current_revision(engine)}, this one knows up to {head_revision()}): "
                "upgrade oncall",
            )
        if engine.dialect.name == "postgresql":
            _check_database_role(engine, real_user or user)
    except DBAPIError as exc:
        engine.dispose()
        found = translated(exc, where_of(url))
        if found is not None:
            raise found from exc
        if not isinstance(exc, OperationalError):
            raise
        raise DeskError(f"cannot open the database {where}: {_first_line(exc)}") from exc
    except DeskError:
        engine.dispose()
        raise
    return Desk(
        engine,
        policy,
        clock,
        user,
        real_user=real_user,
        require_onsite_signoff=require_onsite_signoff,
    )


def _check_database_role(engine: Engine, real_user: str) -> None:
    """Refuse a PostgreSQL session role that is another engineer's own role."""
    with engine.connect() as conn:
        role = conn.execute(select(func.session_user())).scalar()
        if role == real_user:
            return
        engineer = conn.execute(select(Engineer.os_user).where(Engineer.os_user == role)).scalar()
    if engineer is not None:
        raise DeskError(
            f"OS user {real_user!r} connects to the database as engineer {role!r}'s role: "
            f"connect as your own role (peer authentication over the local socket)"
        )


# -- row -> view -----------------------------------------------------------------------

_WORK_KEYS = {
    "mode": "mode",
    "started_at": "start",
    "ended_at": "end",
    "engineer": "engineer",
    "done": "done",
    "result": "result",
}


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def _jsonable(value: Any) -> Any:
    return h.iso(value) if isinstance(value, datetime) else value


def _values(fault: Fault) -> dict[str, Any]:
    return {name: getattr(fault, name) for name in _FAULT_COLUMNS}


def _summary(values: dict[str, Any], customer: str, system: str) -> FaultSummary:
    return FaultSummary(
        ref=values["ref"],
        customer=customer,
        system=system,
        title=values["title"],
        level=values["level"],
        channel=values["channel"],
        status=values["status"],
        contact=values["contact"],
        reported_at=values["reported_at"],
        reported_by=values["reported_by"],
        assignee=values["assignee"],
        responded_at=values["responded_at"],
        solution_at=values["solution_at"],
        resolved_at=values["resolved_at"],
        signed_off_at=values["signed_off_at"],
        closed_at=values["closed_at"],
        next_breach=values["next_breach"],
        next_clock=values["next_clock"],
        version=values["version"],
    )


def _work(row: WorkEntryRow, ref: str, version: int | None = None) -> WorkEntry:
    return WorkEntry(
        id=row.id,
        fault_ref=ref,
        mode=row.mode,
        start=row.started_at,
        end=row.ended_at,
        engineer=row.engineer,
        done=row.done,
        result=row.result,
        customer_signoff_name=row.customer_signoff_name,
        customer_signoff_at=row.customer_signoff_at,
        engineer_signoff=row.engineer_signoff,
        engineer_signoff_at=row.engineer_signoff_at,
        fault_version=version,
    )


def _event_view(row: AuditEvent, ref: str | None) -> EventView:
    return EventView(
        id=row.id,
        fault_ref=ref,
        at=row.at,
        logged_at=row.logged_at,
        user=row.os_user,
        verb=row.verb,
        data=dict(row.data or {}),
        real_user=row.real_user,
    )


def _engineer(row: Engineer) -> EngineerInfo:
    return EngineerInfo(row.os_user, row.name, row.seniority, row.phone, row.on_duty, row.lead)


def _engineer_data(row: Engineer) -> dict[str, Any]:
    return {
        "user": row.os_user,
        "name": row.name,
        "seniority": row.seniority,
        "phone": row.phone,
        "on_duty": row.on_duty,
        "lead": row.lead,
    }


def _customer(row: Customer, systems, contacts) -> CustomerInfo:
    return CustomerInfo(
        name=row.name,
        tier=row.tier,
        warranty_start=row.warranty_start,
        warranty_end=row.warranty_end,
        systems=tuple(
            SystemInfo(x.name, x.product, x.model) for x in systems if x.customer_id == row.id
        ),
        contacts=tuple(
            ContactInfo(c.name, c.phone, c.email, c.role)
            for c in contacts
            if c.customer_id == row.id
        ),
    )


def _checked_system(x: SystemInfo) -> SystemInfo:
    if not isinstance(x, SystemInfo):
        raise ValidationError(f"a system must be a SystemInfo, not {type(x).__name__}")
    return SystemInfo(
        v.text(x.name, N_("system name"), required=True, max_chars=200, strip=True),
        v.text(x.product, N_("product"), max_chars=200, strip=True),
        v.text(x.model, N_("model"), max_chars=200, strip=True),
    )


def _checked_contact(c: ContactInfo) -> ContactInfo:
    if not isinstance(c, ContactInfo):
        raise ValidationError(f"a contact must be a ContactInfo, not {type(c).__name__}")
    return ContactInfo(
        v.text(c.name, N_("contact name"), required=True, max_chars=200, strip=True),
        v.text(c.phone, N_("contact phone"), max_chars=64, strip=True),
        v.text(c.email, N_("contact email"), max_chars=200, strip=True),
        v.text(c.role, N_("contact role"), max_chars=200, strip=True),
    )

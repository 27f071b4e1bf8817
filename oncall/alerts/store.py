"""The alerts' database side: read open faults (the truth), store fired alerts once.

Plain functions over an engine, each one short transaction, called from the
alert service's database thread (never on the event loop). The desk's tables
are only read here; the one table written is ``alert``:

- ``insert_alert``: the claim to fire. The INSERT of the unique key
  (fault, clock, threshold, deadline) that commits first fired the alert; any
  other process gets ``IntegrityError`` and reads the stored row instead. Works
  the same on SQLite (writes start with BEGIN IMMEDIATE) and PostgreSQL (the
  second INSERT waits for the first to commit, then fails).
- ``claim_notify``: the claim to run the notify hook, a guarded UPDATE
  (``notify_state`` NULL -> ``sending``). The delivery supervisor
  (``deliver``) then marks the row started and writes the outcome. A claim
  older than its lease whose command never started may be taken over; one
  whose command started without an outcome becomes ``unknown``
  (``mark_unknown``): never resent unless a person asks (``resend``).
- ``withdraw``: alerts the stored history took back (see ``plan.withdrawal``),
  a guarded UPDATE that keeps when and why; a withdrawn alert is out of the
  unacknowledged count and never claimed for the notify command.

A fault's SLA history is rebuilt with the desk's own ``fault_history``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from oncall.desk.history import fault_history
from oncall.desk.views import OPEN_STATUSES
from oncall.sla import FaultHistory
from oncall.store import write_engine
from oncall.store.alert_models import Alert
from oncall.store.models import AuditEvent, Customer, Fault, System

from .plan import AlertKey, Plan

log = logging.getLogger("oncall.alerts")

_ALERT = Alert.__table__
_FAULT = Fault.__table__
_EVENT = AuditEvent.__table__
_CUSTOMER = Customer.__table__
_SYSTEM = System.__table__

# An alert counts as late when it fired this long after its instant.
LATE_AFTER = 2.0


@dataclass(frozen=True)
class FaultInfo:
    """What an alert shows of its fault."""

    id: int
    ref: str
    title: str
    customer: str
    system: str
    level: int
    status: str


@dataclass(frozen=True)
class FaultState:
    info: FaultInfo
    history: FaultHistory


@dataclass(frozen=True)
class AlertRecord:
    """A stored alert with its fault's names (what the console, the log and the hook show)."""

    id: int
    fault_id: int
    ref: str
    title: str
    customer: str
    system: str
    level: int
    clock: str
    threshold: str
    deadline: datetime
    planned_at: datetime
    fired_at: datetime
    late_seconds: float
    fired_by: str
    acked_by: str | None = None
    acked_at: datetime | None = None
    notify_state: str | None = None
    notify_by: str | None = None
    notify_attempts: int = 0
    notify_error: str | None = None
    notify_pid: int | None = None
    notify_host: str | None = None
    notify_exit: int | None = None
    notify_resent_by: str | None = None
    notify_resent_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdrawn_reason: str | None = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def late(self) -> bool:
        return self.late_seconds > LATE_AFTER

    @property
    def key(self) -> AlertKey:
        return AlertKey(self.fault_id, self.clock, self.threshold, self.deadline)


# -- reading the truth ---------------------------------------------------------------


def _fault_query():
    return (
        select(
            _FAULT.c.id,
            _FAULT.c.ref,
            _FAULT.c.title,
            _CUSTOMER.c.name.label("customer"),
            _SYSTEM.c.name.label("system"),
            _FAULT.c.level,
            _FAULT.c.status,
        )
        .join(_CUSTOMER, _FAULT.c.customer_id == _CUSTOMER.c.id)
        .join(_SYSTEM, _FAULT.c.system_id == _SYSTEM.c.id)
    )


def load_open_faults(engine: Engine, fault_ids: Iterable[int] | None = None) -> list[FaultState]:
    """Open faults (all, or those of ``fault_ids`` still open) with their SLA histories."""
    return _load_faults(engine, fault_ids, open_only=True)


def load_faults(engine: Engine, fault_ids: Iterable[int]) -> list[FaultState]:
    """These faults, open or not, with their SLA histories (for withdrawals)."""
    return _load_faults(engine, fault_ids, open_only=False)


def _load_faults(
    engine: Engine, fault_ids: Iterable[int] | None, open_only: bool
) -> list[FaultState]:
    stmt = _fault_query()
    if open_only:
        stmt = stmt.where(_FAULT.c.status.in_(OPEN_STATUSES))
    if fault_ids is not None:
        ids = sorted(set(fault_ids))
        if not ids:
            return []
        stmt = stmt.where(_FAULT.c.id.in_(ids))
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(_FAULT.c.id)).all()
        events: dict[int, list] = {row.id: [] for row in rows}
        if events:
            for fault_id, verb, at, data in conn.execute(
                select(_EVENT.c.fault_id, _EVENT.c.verb, _EVENT.c.at, _EVENT.c.data)
                .where(_EVENT.c.fault_id.in_(list(events)))
                .order_by(_EVENT.c.id)
            ):
                events[fault_id].append((verb, at, data))
    states = []
    for row in rows:
        try:
            history = fault_history(events[row.id])
        except (ValueError, KeyError, TypeError) as exc:
            log.error("%s: cannot rebuild its SLA history, no alerts for it: %s", row.ref, exc)
            continue
        states.append(FaultState(FaultInfo(*row), history))
    return states


def fired_for(engine: Engine, fault_ids: Sequence[int]) -> tuple[set[AlertKey], set[tuple]]:
    """The keys and the crossings already fired for these faults."""
    keys: set[AlertKey] = set()
    crossings: set[tuple] = set()
    if not fault_ids:
        return keys, crossings
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                _ALERT.c.fault_id,
                _ALERT.c.clock,
                _ALERT.c.threshold,
                _ALERT.c.deadline,
                _ALERT.c.planned_at,
            ).where(_ALERT.c.fault_id.in_(sorted(set(fault_ids))))
        ).all()
    for fault_id, clock, threshold, deadline, planned in rows:
        keys.add(AlertKey(fault_id, clock, threshold, deadline))
        crossings.add((fault_id, clock, threshold, planned))
    return keys, crossings


def changed_faults(engine: Engine, after_event: int) -> tuple[int, set[int]]:
    """(newest event id, faults with events newer than ``after_event``)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(_EVENT.c.id, _EVENT.c.fault_id).where(_EVENT.c.id > after_event)
        ).all()
    newest = max((r.id for r in rows), default=after_event)
    return newest, {r.fault_id for r in rows if r.fault_id is not None}


def withdrawal_candidates(engine: Engine, fault_ids: Iterable[int] | None) -> set[int]:
    """Faults whose fired alerts a later entry may have taken back.

    Given faults (they changed): those of them with alerts not withdrawn. None
    (a full pass, e.g. at start, catching what changed while nothing ran):
    faults with an alert not withdrawn and an event logged once the alert was
    due but dated no later than when it fired (a back-dated entry), so that a
    long history costs one indexed query, not a re-read of every fault.
    """
    live = _ALERT.c.withdrawn_at.is_(None)
    if fault_ids is not None:
        ids = sorted(set(fault_ids))
        if not ids:
            return set()
        stmt = select(_ALERT.c.fault_id).where(live, _ALERT.c.fault_id.in_(ids))
    else:
        stmt = (
            select(_ALERT.c.fault_id)
            .join(_EVENT, _EVENT.c.fault_id == _ALERT.c.fault_id)
            .where(
                live,
                _EVENT.c.logged_at >= _ALERT.c.planned_at,
                _EVENT.c.at <= _ALERT.c.fired_at,
            )
        )
    with engine.connect() as conn:
        return set(conn.execute(stmt.distinct()).scalars())


@dataclass(frozen=True)
class FiredAlert:
    """What ``plan.withdrawal`` needs of a stored alert."""

    id: int
    fault_id: int
    clock: str
    threshold: str
    deadline: datetime
    planned_at: datetime


def live_alerts(engine: Engine, fault_ids: Iterable[int]) -> list[FiredAlert]:
    """The alerts of these faults not withdrawn."""
    ids = sorted(set(fault_ids))
    if not ids:
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                _ALERT.c.id,
                _ALERT.c.fault_id,
                _ALERT.c.clock,
                _ALERT.c.threshold,
                _ALERT.c.deadline,
                _ALERT.c.planned_at,
            )
            .where(_ALERT.c.withdrawn_at.is_(None), _ALERT.c.fault_id.in_(ids))
            .order_by(_ALERT.c.id)
        ).all()
    return [FiredAlert(*row) for row in rows]


def withdraw(engine: Engine, reasons: dict[int, str], at: datetime) -> list[AlertRecord]:
    """Mark these alerts withdrawn (id -> why), each once: a guarded UPDATE.

    Returns those of them withdrawn now, by this call or by another process
    that got there first (it keeps its own instant and reason).
    """
    if not reasons:
        return []
    with write_engine(engine).begin() as conn:
        for alert_id, reason in sorted(reasons.items()):
            conn.execute(
                update(_ALERT)
                .where(_ALERT.c.id == alert_id, _ALERT.c.withdrawn_at.is_(None))
                .values(withdrawn_at=at, withdrawn_reason=reason[:200])
            )
        rows = conn.execute(
            _alert_query()
            .where(_ALERT.c.id.in_(sorted(reasons)), _ALERT.c.withdrawn_at.is_not(None))
            .order_by(_ALERT.c.id)
        ).all()
    return [_record(r) for r in rows]


# -- firing ---------------------------------------------------------------------------


def insert_alert(
    engine: Engine, plan: Plan, fault: FaultInfo, fired_at: datetime, fired_by: str
) -> tuple[AlertRecord, bool]:
    """Store the alert: (the stored row, True if this call fired it)."""
    late = max((fired_at - plan.planned_at).total_seconds(), 0.0)
    key = plan.key
    try:
        with write_engine(engine).begin() as conn:
            new_id = conn.execute(
                insert(_ALERT).values(
                    fault_id=key.fault_id,
                    clock=key.clock,
                    threshold=key.threshold,
                    deadline=key.deadline,
                    planned_at=plan.planned_at,
                    fired_at=fired_at,
                    late_seconds=late,
                    level=fault.level,
                    fired_by=fired_by[:200],
                    notify_attempts=0,
                )
            ).inserted_primary_key[0]
    except IntegrityError:
        stored = alert_by_key(engine, key)
        if stored is None:  # not the unique key: a real integrity problem
            raise
        return stored, False
    return (
        AlertRecord(
            id=new_id,
            fault_id=key.fault_id,
            ref=fault.ref,
            title=fault.title,
            customer=fault.customer,
            system=fault.system,
            level=fault.level,
            clock=key.clock,
            threshold=key.threshold,
            deadline=key.deadline,
            planned_at=plan.planned_at,
            fired_at=fired_at,
            late_seconds=late,
            fired_by=fired_by[:200],
        ),
        True,
    )


# -- reading alerts -------------------------------------------------------------------


def _alert_query():
    return (
        select(
            _ALERT,
            _FAULT.c.ref,
            _FAULT.c.title,
            _CUSTOMER.c.name.label("customer"),
            _SYSTEM.c.name.label("system"),
        )
        .join(_FAULT, _ALERT.c.fault_id == _FAULT.c.id)
        .join(_CUSTOMER, _FAULT.c.customer_id == _CUSTOMER.c.id)
        .join(_SYSTEM, _FAULT.c.system_id == _SYSTEM.c.id)
    )


def _record(row) -> AlertRecord:
    m = row._mapping
    return AlertRecord(
        id=m["id"],
        fault_id=m["fault_id"],
        ref=m["ref"],
        title=m["title"],
        customer=m["customer"],
        system=m["system"],
        level=m["level"],
        clock=m["clock"],
        threshold=m["threshold"],
        deadline=m["deadline"],
        planned_at=m["planned_at"],
        fired_at=m["fired_at"],
        late_seconds=m["late_seconds"],
        fired_by=m["fired_by"],
        acked_by=m["acked_by"],
        acked_at=m["acked_at"],
        notify_state=m["notify_state"],
        notify_by=m["notify_by"],
        notify_attempts=m["notify_attempts"],
        notify_error=m["notify_error"],
        notify_pid=m["notify_pid"],
        notify_host=m["notify_host"],
        notify_exit=m["notify_exit"],
        notify_resent_by=m["notify_resent_by"],
        notify_resent_at=m["notify_resent_at"],
        withdrawn_at=m["withdrawn_at"],
        withdrawn_reason=m["withdrawn_reason"],
    )


def alert_by_key(engine: Engine, key: AlertKey) -> AlertRecord | None:
    with engine.connect() as conn:
        row = conn.execute(
            _alert_query().where(
                _ALERT.c.fault_id == key.fault_id,
                _ALERT.c.clock == key.clock,
                _ALERT.c.threshold == key.threshold,
                _ALERT.c.deadline == key.deadline,
            )
        ).first()
    return _record(row) if row is not None else None


def alert_by_id(engine: Engine, alert_id: int) -> AlertRecord | None:
    with engine.connect() as conn:
        row = conn.execute(_alert_query().where(_ALERT.c.id == alert_id)).first()
    return _record(row) if row is not None else None


def _after(after_id: int, limit: int):
    return _alert_query().where(_ALERT.c.id > after_id).order_by(_ALERT.c.id).limit(limit)


# Counted: not acknowledged, and not withdrawn (a withdrawn alert asks nothing of anyone).
_UNACKED = (
    select(func.count())
    .select_from(_ALERT)
    .where(_ALERT.c.acked_at.is_(None), _ALERT.c.withdrawn_at.is_(None))
)


def alert_news(engine: Engine, after_id: int, limit: int = 500) -> tuple[list[AlertRecord], int]:
    """The per-second poll's reads on one connection: newer alerts, unacknowledged count."""
    with engine.connect() as conn:
        rows = conn.execute(_after(after_id, limit)).all()
        unacked = conn.execute(_UNACKED).scalar_one()
    return [_record(r) for r in rows], unacked


def recent_alerts(
    engine: Engine, limit: int = 200, *, unacked_only: bool = False
) -> list[AlertRecord]:
    """The newest alerts first (by the instant they fired)."""
    stmt = _alert_query()
    if unacked_only:
        stmt = stmt.where(_ALERT.c.acked_at.is_(None), _ALERT.c.withdrawn_at.is_(None))
    with engine.connect() as conn:
        rows = conn.execute(
            stmt.order_by(_ALERT.c.fired_at.desc(), _ALERT.c.id.desc()).limit(limit)
        ).all()
    return [_record(r) for r in rows]


def max_alert_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.max(_ALERT.c.id))).scalar() or 0


def unacked_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(_UNACKED).scalar_one()


# -- the notify hook's claim ------------------------------------------------------------


def _claimable(stale_before: datetime):
    """Not withdrawn, and nobody claimed it or a claim ran out before its supervisor
    started the command."""
    return and_(
        _ALERT.c.withdrawn_at.is_(None),
        or_(
            _ALERT.c.notify_state.is_(None),
            and_(
                _ALERT.c.notify_state == "sending",
                _ALERT.c.notify_pid.is_(None),
                _ALERT.c.notify_claimed_at < stale_before,
            ),
        ),
    )


def claim_notify(
    engine: Engine, alert_id: int, me: str, now: datetime, stale_before: datetime
) -> bool:
    """Take the alert's notification; True if this process is now the one to send it."""
    with write_engine(engine).begin() as conn:
        result = conn.execute(
            update(_ALERT)
            .where(_ALERT.c.id == alert_id, _claimable(stale_before))
            .values(notify_state="sending", notify_by=me[:200], notify_claimed_at=now)
        )
    return result.rowcount == 1


def release_notify(engine: Engine, me: str, ids: Iterable[int]) -> int:
    """Give back claims this process holds whose command has not started (a clean stop).

    A started one is left to its supervisor, which records the outcome; a
    supervisor that starts after this finds the claim gone and runs nothing.
    """
    chosen = sorted(set(ids))
    if not chosen:
        return 0
    with write_engine(engine).begin() as conn:
        return conn.execute(
            update(_ALERT)
            .where(
                _ALERT.c.id.in_(chosen),
                _ALERT.c.notify_by == me[:200],
                _ALERT.c.notify_state == "sending",
                _ALERT.c.notify_pid.is_(None),
            )
            .values(notify_state=None, notify_by=None, notify_claimed_at=None)
        ).rowcount


def _started_without_outcome():
    return and_(_ALERT.c.notify_state == "sending", _ALERT.c.notify_pid.is_not(None))


def mark_unknown(
    engine: Engine, stale_before: datetime, at: datetime, limit: int = 100
) -> list[AlertRecord]:
    """Claims whose command started and whose lease ran out with no outcome: ``unknown``.

    Their supervisor is gone (it gives up well within the lease): the page may
    or may not have gone out. Returns the alerts this call marked.
    """
    stale = and_(_started_without_outcome(), _ALERT.c.notify_claimed_at < stale_before)
    with write_engine(engine).begin() as conn:
        ids = (
            conn.execute(select(_ALERT.c.id).where(stale).order_by(_ALERT.c.id).limit(limit))
            .scalars()
            .all()
        )
        if not ids:
            return []
        conn.execute(
            update(_ALERT)
            .where(_ALERT.c.id.in_(ids), stale)
            .values(notify_state="unknown", notify_done_at=at)
        )
        rows = conn.execute(_alert_query().where(_ALERT.c.id.in_(ids))).all()
    return [_record(r) for r in rows if r.notify_state == "unknown"]


def supervisor_gone(engine: Engine, alert_id: int, me: str, at: datetime) -> str | None:
    """Our supervisor exited without an outcome: release the claim or mark it unknown.

    Returns the state now: None (the command never started: claimable again),
    ``unknown`` (it started), or the outcome it did record.
    """
    mine = and_(_ALERT.c.id == alert_id, _ALERT.c.notify_by == me[:200])
    with write_engine(engine).begin() as conn:
        conn.execute(
            update(_ALERT)
            .where(mine, _ALERT.c.notify_state == "sending", _ALERT.c.notify_pid.is_(None))
            .values(notify_state=None, notify_by=None, notify_claimed_at=None)
        )
        conn.execute(
            update(_ALERT)
            .where(mine, _started_without_outcome())
            .values(notify_state="unknown", notify_done_at=at)
        )
        return conn.execute(
            select(_ALERT.c.notify_state).where(_ALERT.c.id == alert_id)
        ).scalar_one_or_none()


def notify_backlog(
    engine: Engine, since: datetime, stale_before: datetime, limit: int = 100
) -> list[AlertRecord]:
    """Alerts fired (or asked to be resent) after ``since`` that nobody has claimed."""
    recent = or_(_ALERT.c.fired_at >= since, _ALERT.c.notify_resent_at >= since)
    with engine.connect() as conn:
        rows = conn.execute(
            _alert_query()
            .where(recent, _claimable(stale_before))
            .order_by(_ALERT.c.id)
            .limit(limit)
        ).all()
    return [_record(r) for r in rows]

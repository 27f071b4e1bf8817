"""``desk.alerts``: the SLA alerts as the desk's records (the ``alert`` table).

The alert service (``oncall.alerts``) plans and fires; what it reads and
writes goes through here. Each call is one short transaction on the desk's
engine, made from the service's database thread (never on the event loop);
database errors reach the caller as they are (the service classifies them,
``oncall.store.health``). Open faults with their SLA histories are read with
the store's one reader of faults (``reads.read_faults``/``read_events``).

- ``insert_many``: the claim to fire, a batch of alerts in one transaction.
  The INSERT of the unique key (fault, clock, threshold, deadline) that
  commits first fired the alert; any other process skips it (``ON CONFLICT DO
  NOTHING``) and reads the stored row instead. Works the same on SQLite
  (writes start with BEGIN IMMEDIATE) and PostgreSQL (the second INSERT waits
  for the first to commit, then skips the row).
- ``claim_notify``: the claim to run the notify hook, a guarded UPDATE
  (``notify_state`` NULL -> ``sending``). The delivery supervisor
  (``oncall.alerts.deliver``) then marks the row started and writes the
  outcome. A claim older than its lease whose command never started may be
  taken over; one whose command started without an outcome becomes
  ``unknown`` (``mark_unknown``): never resent unless a person asks (``resend``).
- ``withdraw``: alerts the stored history took back, a guarded UPDATE that
  keeps when and why; a withdrawn alert is out of the unacknowledged count and
  never claimed for the notify command.
- ``acknowledge`` and ``resend``: the engineers' verbs (audited).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from oncall.store.alert_models import RESENDABLE, Alert, resend_values
from oncall.store.models import AuditEvent, Customer, Fault, System

from . import history as h
from .alert_views import AlertKey, AlertRecord, FaultInfo, FaultState, FiredAlert, Resent
from .reads import read_events, read_faults
from .tx import Tx

log = logging.getLogger("oncall.alerts")

_ALERT = Alert.__table__
_FAULT = Fault.__table__
_EVENT = AuditEvent.__table__
_CUSTOMER = Customer.__table__
_SYSTEM = System.__table__

Plan = Any  # ``oncall.alerts.plan.Plan``: its ``key`` and ``planned_at``


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


# The alert's unique key, the target of the batch INSERT's ``ON CONFLICT DO NOTHING``.
_KEY_COLUMNS = ["fault_id", "clock", "threshold", "deadline"]


def _dialect_insert(dialect: str):
    """The INSERT construct that knows ``ON CONFLICT`` (the two databases the desk runs
    on; imported here, so that a console on SQLite never loads PostgreSQL's dialect)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _after(after_id: int, limit: int):
    return _alert_query().where(_ALERT.c.id > after_id).order_by(_ALERT.c.id).limit(limit)


# Counted: not acknowledged, and not withdrawn (a withdrawn alert asks nothing of anyone).


_UNACKED = (
    select(func.count())
    .select_from(_ALERT)
    .where(_ALERT.c.acked_at.is_(None), _ALERT.c.withdrawn_at.is_(None))
)


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


def _started_without_outcome():
    return and_(_ALERT.c.notify_state == "sending", _ALERT.c.notify_pid.is_not(None))


class Alerts:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def acknowledge(self, ids: Iterable[int] | None) -> list[int]:
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
        stmt = update(_ALERT).where(_ALERT.c.acked_at.is_(None))
        if chosen is not None:
            stmt = stmt.where(_ALERT.c.id.in_(chosen))
        else:  # "all": the ones counted; a withdrawn alert asks nothing of anyone
            stmt = stmt.where(_ALERT.c.withdrawn_at.is_(None))
        tx = self._tx
        with tx.write() as s:
            tx.actor(s)
            now = tx.now()
            rows = s.connection().execute(
                stmt.values(acked_by=tx.user, acked_at=now).returning(_ALERT.c.id)
            )
            done = sorted(row.id for row in rows)
            if done:
                tx.event(s, h.ALERT_ACK, {"alerts": done}, at=now, now=now)
            return done

    def resend(self, alert_id: int) -> Resent:
        """Ask for an alert whose delivery is unknown or failed to be sent again (audited).

        ``queued`` when this call queued it; not when its state is not one to resend
        (sent meanwhile, withdrawn, or someone else asked first); ``alert``: the
        alert as it is now (None: no such alert). The next process with a notify
        command claims and sends it.
        """
        tx = self._tx
        with tx.write() as s:
            tx.actor(s)
            now = tx.now()
            queued = (
                s.connection()
                .execute(
                    update(_ALERT)
                    .where(
                        _ALERT.c.id == alert_id,
                        _ALERT.c.notify_state.in_(RESENDABLE),
                        _ALERT.c.withdrawn_at.is_(None),  # taken back: nothing to send
                    )
                    .values(resend_values(tx.user, now))
                )
                .rowcount
            )
            if queued:
                tx.event(s, h.ALERT_RESEND, {"alert": alert_id}, at=now, now=now)
        return Resent(queued == 1, self.by_id(alert_id))

    # -- reading the truth -----------------------------------------------------------

    def open_faults(self, fault_ids: Iterable[int] | None = None) -> list[FaultState]:
        """Open faults (all, or those of ``fault_ids`` still open) with their SLA histories."""
        return self._load(fault_ids, open_only=True)

    def faults(self, fault_ids: Iterable[int]) -> list[FaultState]:
        """These faults, open or not, with their SLA histories (for withdrawals)."""
        return self._load(fault_ids, open_only=False)

    def _load(self, fault_ids: Iterable[int] | None, open_only: bool) -> list[FaultState]:
        with self._tx.engine.connect() as conn:
            rows = read_faults(conn, fault_ids, open_only=open_only)
            events = read_events(conn, [r[0] for r in rows])
        states = []
        for row in rows:
            try:
                history = h.fault_history(events[row[0]])
            except (ValueError, KeyError, TypeError) as exc:
                log.error("%s: cannot rebuild its SLA history, no alerts for it: %s", row.ref, exc)
                continue
            info = FaultInfo(row[0], row.ref, row.title, row[-2], row[-1], row.level, row.status)
            states.append(FaultState(info, history))
        return states

    def by_id(self, alert_id: int) -> AlertRecord | None:
        """One alert (None: no such alert)."""
        with self._tx.engine.connect() as conn:
            row = conn.execute(_alert_query().where(_ALERT.c.id == alert_id)).first()
        return _record(row) if row is not None else None

    def fired_for(self, fault_ids: Sequence[int]) -> tuple[set[AlertKey], set[tuple]]:
        """The keys and the crossings already fired for these faults."""
        keys: set[AlertKey] = set()
        crossings: set[tuple] = set()
        if not fault_ids:
            return keys, crossings
        with self._tx.engine.connect() as conn:
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

    def changed_faults(self, after_event: int) -> tuple[int, set[int]]:
        """(newest event id, faults with events newer than ``after_event``)."""
        with self._tx.engine.connect() as conn:
            rows = conn.execute(
                select(_EVENT.c.id, _EVENT.c.fault_id).where(_EVENT.c.id > after_event)
            ).all()
        newest = max((r.id for r in rows), default=after_event)
        return newest, {r.fault_id for r in rows if r.fault_id is not None}

    def withdrawal_candidates(self, fault_ids: Iterable[int] | None) -> set[int]:
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
        with self._tx.engine.connect() as conn:
            return set(conn.execute(stmt.distinct()).scalars())

    def live(self, fault_ids: Iterable[int]) -> list[FiredAlert]:
        """The alerts of these faults not withdrawn."""
        ids = sorted(set(fault_ids))
        if not ids:
            return []
        with self._tx.engine.connect() as conn:
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

    def withdraw(self, reasons: dict[int, str], at: datetime) -> list[AlertRecord]:
        """Mark these alerts withdrawn (id -> why), each once: a guarded UPDATE.

        Returns those of them withdrawn now, by this call or by another process
        that got there first (it keeps its own instant and reason).
        """
        if not reasons:
            return []
        with self._tx.writer.begin() as conn:
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

    def insert_many(
        self,
        plans: Sequence[Plan],
        faults: dict[int, FaultInfo],
        fired_at: datetime,
        fired_by: str,
    ) -> list[tuple[AlertRecord, bool]]:
        """Store a batch of alerts in one transaction: (the stored row, True if this
        call fired it) for each plan, in order.

        One INSERT of every row that skips the unique keys stored already (``ON
        CONFLICT DO NOTHING``, SQLite and PostgreSQL alike) and returns the ids of
        the rows it wrote; a key another process stored first is read back.
        """
        if not plans:
            return []
        fired_by = fired_by[:200]
        values = [
            {
                "fault_id": p.key.fault_id,
                "clock": p.key.clock,
                "threshold": p.key.threshold,
                "deadline": p.key.deadline,
                "planned_at": p.planned_at,
                "fired_at": fired_at,
                "late_seconds": max((fired_at - p.planned_at).total_seconds(), 0.0),
                "level": faults[p.key.fault_id].level,
                "fired_by": fired_by,
                "notify_attempts": 0,
            }
            for p in plans
        ]
        # One statement compiled once (SQLAlchemy caches it), its rows sent as one
        # multi-row INSERT ("insertmanyvalues"), RETURNING what it wrote.
        stmt = (
            _dialect_insert(self._tx.engine.dialect.name)(_ALERT)
            .on_conflict_do_nothing(index_elements=_KEY_COLUMNS)
            .returning(_ALERT.c.id, *(_ALERT.c[c] for c in _KEY_COLUMNS))
        )
        with self._tx.writer.begin() as conn:
            ids = {AlertKey(*row[1:]): row[0] for row in conn.execute(stmt, values)}
        lost = [p.key for p in plans if p.key not in ids]
        stored = self._by_keys(lost) if lost else {}
        out: list[tuple[AlertRecord, bool]] = []
        for plan, row in zip(plans, values, strict=True):
            if plan.key not in ids:
                if plan.key not in stored:  # neither written nor there: not the unique key
                    raise IntegrityError("alert insert", None, Exception(str(plan.key)))
                out.append((stored[plan.key], False))
                continue
            fault = faults[plan.key.fault_id]
            record = AlertRecord(
                id=ids[plan.key],
                ref=fault.ref,
                title=fault.title,
                customer=fault.customer,
                system=fault.system,
                **{k: v for k, v in row.items() if k != "notify_attempts"},
            )
            out.append((record, True))
        return out

    def _by_keys(self, keys: Sequence[AlertKey]) -> dict[AlertKey, AlertRecord]:
        """The stored alerts of these keys (read by their faults, matched here)."""
        wanted = set(keys)
        with self._tx.engine.connect() as conn:
            rows = conn.execute(
                _alert_query().where(_ALERT.c.fault_id.in_(sorted({k.fault_id for k in keys})))
            ).all()
        records = (_record(r) for r in rows)
        return {r.key: r for r in records if r.key in wanted}

    def news(self, after_id: int, limit: int = 500) -> tuple[list[AlertRecord], int]:
        """The per-second poll's reads on one connection: newer alerts, unacknowledged count."""
        with self._tx.engine.connect() as conn:
            rows = conn.execute(_after(after_id, limit)).all()
            unacked = conn.execute(_UNACKED).scalar_one()
        return [_record(r) for r in rows], unacked

    def recent(self, limit: int = 200, *, unacked_only: bool = False) -> list[AlertRecord]:
        """The newest alerts first (by the instant they fired)."""
        stmt = _alert_query()
        if unacked_only:
            stmt = stmt.where(_ALERT.c.acked_at.is_(None), _ALERT.c.withdrawn_at.is_(None))
        with self._tx.engine.connect() as conn:
            rows = conn.execute(
                stmt.order_by(_ALERT.c.fired_at.desc(), _ALERT.c.id.desc()).limit(limit)
            ).all()
        return [_record(r) for r in rows]

    def max_id(self) -> int:
        with self._tx.engine.connect() as conn:
            return conn.execute(select(func.max(_ALERT.c.id))).scalar() or 0

    def unacked_count(self) -> int:
        with self._tx.engine.connect() as conn:
            return conn.execute(_UNACKED).scalar_one()

    def claim_notify(self, alert_id: int, me: str, now: datetime, stale_before: datetime) -> bool:
        """Take the alert's notification; True if this process is now the one to send it."""
        with self._tx.writer.begin() as conn:
            result = conn.execute(
                update(_ALERT)
                .where(_ALERT.c.id == alert_id, _claimable(stale_before))
                .values(notify_state="sending", notify_by=me[:200], notify_claimed_at=now)
            )
        return result.rowcount == 1

    def claim_notify_many(
        self, ids: Iterable[int], me: str, now: datetime, stale_before: datetime
    ) -> list[int]:
        """Take the notifications of these alerts at once (``notify_batch``): the ids
        now this process's to send, in order (the others: taken, sent or withdrawn)."""
        chosen = sorted(set(ids))
        if not chosen:
            return []
        with self._tx.writer.begin() as conn:
            rows = conn.execute(
                update(_ALERT)
                .where(_ALERT.c.id.in_(chosen), _claimable(stale_before))
                .values(notify_state="sending", notify_by=me[:200], notify_claimed_at=now)
                .returning(_ALERT.c.id)
            )
            return sorted(rows.scalars())

    def release_notify(self, me: str, ids: Iterable[int]) -> int:
        """Give back claims this process holds whose command has not started (a clean stop).

        A started one is left to its supervisor, which records the outcome; a
        supervisor that starts after this finds the claim gone and runs nothing.
        """
        chosen = sorted(set(ids))
        if not chosen:
            return 0
        with self._tx.writer.begin() as conn:
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

    def mark_unknown(
        self, stale_before: datetime, at: datetime, limit: int = 100
    ) -> list[AlertRecord]:
        """Claims whose command started and whose lease ran out with no outcome: ``unknown``.

        Their supervisor is gone (it gives up well within the lease): the page may
        or may not have gone out. Returns the alerts this call marked.
        """
        stale = and_(_started_without_outcome(), _ALERT.c.notify_claimed_at < stale_before)
        with self._tx.writer.begin() as conn:
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

    def supervisor_gone(self, alert_id: int, me: str, at: datetime) -> str | None:
        """Our supervisor exited without an outcome: release the claim or mark it unknown.

        Returns the state now: None (the command never started: claimable again),
        ``unknown`` (it started), or the outcome it did record.
        """
        mine = and_(_ALERT.c.id == alert_id, _ALERT.c.notify_by == me[:200])
        with self._tx.writer.begin() as conn:
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
        self, since: datetime, stale_before: datetime, limit: int = 100
    ) -> list[AlertRecord]:
        """Alerts fired (or asked to be resent) after ``since`` that nobody has claimed."""
        recent = or_(_ALERT.c.fired_at >= since, _ALERT.c.notify_resent_at >= since)
        with self._tx.engine.connect() as conn:
            rows = conn.execute(
                _alert_query()
                .where(recent, _claimable(stale_before))
                .order_by(_ALERT.c.id)
                .limit(limit)
            ).all()
        return [_record(r) for r in rows]

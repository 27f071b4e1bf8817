"""The demo's fast writer: the fault verbs the demo uses, done in memory, written in bulk.

Through the desk's verbs, every step of every demo fault is a transaction of its
own making (lock the row, re-read the fault's events, evaluate its clocks,
guarded update): about 20,000 statements for the 344 faults of the demo, 5 to
50 seconds. The demo's stories are valid by construction, so this writer keeps
each fault's row, record, work entries and audit events in memory exactly as
the verbs would leave them, evaluates each fault's clocks once (over its whole
history, as the verbs' last step does) and writes everything with a handful of
multi-row INSERTs inside the demo's one transaction.

It keeps the verbs' rules on time (an instant is UTC whole seconds, never in
the future nor before the report, clock changes in order) and their version
checks, so a story that the verbs would refuse is refused here too.
``tests/test_desk_demo.py`` loads demos both ways and compares every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from oncall.sla import Policy, evaluate
from oncall.store.models import (
    AuditEvent,
    Customer,
    Fault,
    FaultCounter,
    FaultRecordRow,
    System,
    WorkEntryRow,
)
from oncall.vocabulary import new_fault_ref

from . import history as h
from . import validate as v
from .errors import StaleVersion, ValidationError
from .views import SENIORITIES, EngineerInfo, warranty_ended

_FAULTS = Fault.__table__
_RECORDS = FaultRecordRow.__table__
_WORK = WorkEntryRow.__table__
_EVENTS = AuditEvent.__table__
_COUNTERS = FaultCounter.__table__
_RECORD_FIELDS = ("diagnosis", "handling", "losses", "changes")


class FaultRef(NamedTuple):
    """What a verb hands back (as much of ``FaultSummary`` as the demo reads)."""

    ref: str
    version: int
    channel: str
    closed_at: datetime | None


class WorkRef(NamedTuple):
    """What a work verb hands back (as much of ``WorkEntry`` as the demo reads)."""

    id: int  # the writer's own number until the entry is written
    fault_version: int


@dataclass
class _Fault:
    row: dict[str, Any]  # the fault table's columns, as the verbs would leave them
    record: dict[str, str] = field(default_factory=lambda: dict.fromkeys(_RECORD_FIELDS, ""))
    events: list[tuple[str, datetime, dict, str]] = field(default_factory=list)  # + os user
    last_clock_change: datetime | None = None

    def ref(self) -> FaultRef:
        r = self.row
        return FaultRef(r["ref"], r["version"], r["channel"], r["closed_at"])


class DemoWriter:
    """Faults made in memory by ``as_user(user).<verb>(...)``, written by ``write``.

    ``systems``: (customer name, system name) -> (customer id, system id); ``roster``: the
    engineers (escalation picks among them as the desk does); ``counters``: the
    fault numbers already given out per year; ``now``: the desk's instant.
    """

    def __init__(
        self,
        policy: Policy,
        now: datetime,
        systems: dict[tuple[str, str], tuple[int, int]],
        roster: list[EngineerInfo],
        counters: dict[int, int],
        real_user: str | None = None,
    ) -> None:
        self.policy = policy
        # The OS user loading the demo: the audit's real user of every event (the
        # verbs are written on the engineers' behalf, as ``Desk.claim`` does).
        self.real_user = real_user
        self.now = now
        self.systems = systems
        self.roster = {e.user: e for e in roster}
        self.counters = dict(counters)
        self._known_years = set(counters)
        self.faults: list[_Fault] = []
        self._by_ref: dict[str, _Fault] = {}
        # Work entries and their faults; entry i has the writer's number i + 1.
        self.work: list[dict[str, Any]] = []
        self._work_faults: list[_Fault] = []

    def as_user(self, user: str) -> _Acting:
        return _Acting(_Faults(self, user), _Work(self, user))

    # -- the bookkeeping each verb shares -----------------------------------------------

    def _fault(self, ref: str, version: int | None) -> _Fault:
        fault = self._by_ref[ref]
        seen = fault.row["version"]
        if version is not None and version != seen:
            last = fault.events[-1]
            raise StaleVersion(
                ref, seen=version, current=seen, changed_by=last[3], changed_at=self.now
            )
        return fault

    def _instant(self, at: datetime, fault: _Fault | None = None, verb: str = "") -> datetime:
        """``at`` as the verbs store it, under the verbs' rules on time."""
        when = v.instant(at, "the time")
        if when > self.now:
            raise ValidationError(f"demo: {when.isoformat()} is in the future")
        if fault is not None:
            if when < fault.row["reported_at"]:
                raise ValidationError(f"demo: {fault.row['ref']} changed before it was reported")
            if verb in h.CLOCK_VERBS:
                last = fault.last_clock_change
                if last is not None and when < last:
                    raise ValidationError(f"demo: {fault.row['ref']} back-dated before {last}")
        return when

    def _event(self, fault: _Fault, user: str, verb: str, at: datetime, data: dict) -> int:
        """Append the verb's event and bump the version; returns the new version."""
        fault.events.append((verb, at, data, user))
        if verb in h.CLOCK_VERBS:
            fault.last_clock_change = at
        fault.row["version"] += 1
        return fault.row["version"]

    def _next_number(self, year: int) -> int:
        self.counters[year] = self.counters.get(year, 0) + 1
        return self.counters[year]

    def _escalation_target(self, current: str) -> EngineerInfo:
        """One step up from ``current``: the lowest seniority above, those on duty first."""
        rank = SENIORITIES.index(self.roster[current].seniority)
        above = [e for e in self.roster.values() if SENIORITIES.index(e.seniority) > rank]
        return min(above, key=lambda e: (SENIORITIES.index(e.seniority), not e.on_duty, e.user))

    # -- writing -------------------------------------------------------------------------

    def write(self, conn: Connection) -> None:
        """Everything made so far, in the order the verbs would have written it."""
        if not self.faults:
            return
        rows = []
        for fault in self.faults:
            history = h.fault_history((verb, at, data) for verb, at, data, _ in fault.events)
            clocks = evaluate(self.policy, history, self.now)
            rows.append(
                {**fault.row, "next_breach": clocks.next_breach, "next_clock": clocks.next_clock}
            )
        ids = self._insert(conn, _FAULTS, rows)
        conn.execute(
            insert(_RECORDS),
            [{"fault_id": i, **f.record} for i, f in zip(ids, self.faults, strict=True)],
        )
        fault_ids = {id(f): i for i, f in zip(ids, self.faults, strict=True)}
        entry_ids: dict[int, int] = {}
        if self.work:
            work = [
                {**w, "fault_id": fault_ids[id(f)]}
                for w, f in zip(self.work, self._work_faults, strict=True)
            ]
            for number, real in enumerate(self._insert(conn, _WORK, work), start=1):
                entry_ids[number] = real
        events = []
        for fault in self.faults:
            for verb, at, data, user in fault.events:
                if "entry" in data:
                    data = {**data, "entry": entry_ids[data["entry"]]}
                events.append(
                    {
                        "fault_id": fault_ids[id(fault)],
                        "at": at,
                        "logged_at": self.now,
                        "os_user": user,
                        "real_user": self.real_user or user,
                        "verb": verb,
                        "data": data,
                    }
                )
        conn.execute(insert(_EVENTS), events)
        for year, last in sorted(self.counters.items()):
            if year in self._known_years:
                conn.execute(update(_COUNTERS).where(_COUNTERS.c.year == year).values(last=last))
            else:
                conn.execute(insert(_COUNTERS).values(year=year, last=last))

    @staticmethod
    def _insert(conn: Connection, table, rows: list[dict]) -> list[int]:
        """Insert ``rows`` in one statement (or a few); their new ids, in order."""
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [row.id for row in conn.execute(stmt, rows)]


def read_state(conn: Connection) -> tuple[dict[tuple[str, str], tuple], dict]:
    """(customer, system) -> (customer id, system id, the customer's warranty end), and
    the fault numbers given out per year."""
    systems = {
        (customer, system): (cid, sid, end)
        for cid, sid, customer, system, end in conn.execute(
            select(Customer.id, System.id, Customer.name, System.name, Customer.warranty_end).join(
                Customer, System.customer_id == Customer.id
            )
        )
    }
    counters = dict(conn.execute(select(_COUNTERS.c.year, _COUNTERS.c.last)).all())
    return systems, counters


class _Acting(NamedTuple):
    """The demo writer as one OS user, shaped as a desk: ``faults`` and ``work``."""

    faults: _Faults
    work: _Work


class _Faults:
    """The fault verbs' signatures and results (``desk.faults``), written in memory."""

    def __init__(self, writer: DemoWriter, user: str) -> None:
        self.w = writer
        self.user = user

    def log(self, *, customer, system, title, level, channel, symptom, contact, at):
        w = self.w
        when = w._instant(at)
        local = when.astimezone(w.policy.timezone)
        year = local.year
        seq = w._next_number(year)
        customer_id, system_id, warranty_end = w.systems[(customer, system)]
        out_of_warranty = warranty_ended(warranty_end, local.date())  # as the verb marks it
        row = dict.fromkeys(c.name for c in _FAULTS.columns if c.name != "id")
        row.update(
            ref=new_fault_ref(year, seq),
            year=year,
            seq=seq,
            customer_id=customer_id,
            system_id=system_id,
            title=title,
            symptom=symptom,
            level=level,
            channel=channel,
            contact=contact,
            reported_at=when,
            reported_by=self.user,
            status="new",
            version=0,
            out_of_warranty=out_of_warranty,
        )
        fault = _Fault(row)
        data = {
            "customer": customer,
            "system": system,
            "title": title,
            "level": level,
            "channel": channel,
            "symptom": symptom,
            "contact": contact,
            "assignee": None,
        }
        if out_of_warranty:
            data["out_of_warranty"] = True
        w._event(fault, self.user, h.LOG, when, data)
        w.faults.append(fault)
        w._by_ref[row["ref"]] = fault
        return fault.ref()

    def _verb(self, verb: str, ref: str, version: int | None, at, data: dict, **changes):
        """One verb on a fault: its changes to the row (``_AT``: the verb's instant), its event."""
        w = self.w
        fault = w._fault(ref, version)
        when = w._instant(at, fault, verb)
        fault.row.update({k: (when if val is _AT else val) for k, val in changes.items()})
        w._event(fault, self.user, verb, when, data)
        return fault.ref()

    def respond(self, ref, *, version, how, note="", at):
        data = {"how": how, "note": note}
        changes = {"status": "responded", "responded_at": _AT}
        return self._verb(h.RESPOND, ref, version, at, data, **changes)

    def assign(self, ref, engineer, *, version, note="", at):
        before = self.w._by_ref[ref].row["assignee"]
        data = {"from": before, "to": engineer, "note": note}
        return self._verb(h.ASSIGN, ref, version, at, data, assignee=engineer)

    def propose(self, ref, *, version, text, at):
        fault = self.w._by_ref[ref]
        first = {"solution_at": _AT} if fault.row["solution_at"] is None else {}
        return self._verb(h.SOLUTION, ref, version, at, {"text": text}, **first)

    def pause(self, ref, *, version, reason, at):
        data = {"reason": reason}
        return self._verb(h.PAUSE, ref, version, at, data, status="waiting")

    def resume(self, ref, *, version, note="", at):
        data = {"note": note}
        return self._verb(h.RESUME, ref, version, at, data, status="in_progress")

    def level(self, ref, level, *, version, reason, at):
        data = {"from": self.w._by_ref[ref].row["level"], "to": level, "reason": reason}
        return self._verb(h.LEVEL, ref, version, at, data, level=level)

    def escalate(self, ref, *, version, reason, at):
        current = self.w.roster[self.w._by_ref[ref].row["assignee"]]
        target = self.w._escalation_target(current.user)
        data = {
            "from": current.user,
            "to": target.user,
            "from_seniority": current.seniority,
            "to_seniority": target.seniority,
            "reason": reason,
        }
        return self._verb(h.ESCALATE, ref, version, at, data, assignee=target.user)

    def record(self, ref, *, version, at, **given):
        fault = self.w._by_ref[ref]
        current = {"symptom": fault.row["symptom"], **fault.record}
        changed = {k: val for k, val in given.items() if val is not None and current[k] != val}
        fault.record.update({k: val for k, val in changed.items() if k in _RECORD_FIELDS})
        extra = {"symptom": changed["symptom"]} if "symptom" in changed else {}
        return self._verb(h.RECORD, ref, version, at, {"fields": changed}, **extra)

    def resolve(self, ref, *, version, summary, at):
        data = {"summary": summary}
        changes = {"status": "resolved", "resolved_at": _AT}
        return self._verb(h.RESOLVE, ref, version, at, data, **changes)

    def close(self, ref, *, version, note="", at):
        data = {"note": note}
        changes = {"status": "closed", "closed_at": _AT}
        return self._verb(h.CLOSE, ref, version, at, data, **changes)

    def reopen(self, ref, *, version, reason, at):
        data = {"reason": reason, "from": self.w._by_ref[ref].row["status"]}
        changes = {"status": "in_progress", "resolved_at": None, "closed_at": None}
        return self._verb(h.REOPEN, ref, version, at, data, **changes)


class _Work:
    """The work verbs' signatures and results (``desk.work``), written in memory."""

    def __init__(self, writer: DemoWriter, user: str) -> None:
        self.w = writer
        self.user = user

    def add(self, ref, *, version, mode, start=None, end=None, done="", result="", at):
        w = self.w
        fault = w._fault(ref, version)
        when = w._instant(at, fault, h.WORK_ADD)
        begin = w._instant(start or when, fault)
        finish = w._instant(end) if end is not None else None
        if finish is not None and finish < begin:
            raise ValidationError(f"demo: work on {ref} ends before it starts")
        w._work_faults.append(fault)
        w.work.append(
            {
                "mode": mode,
                "started_at": begin,
                "ended_at": finish,
                "engineer": self.user,
                "done": done,
                "result": result,
                "customer_signoff_name": None,
                "customer_signoff_at": None,
                "engineer_signoff": None,
                "engineer_signoff_at": None,
            }
        )
        number = len(w.work)
        if fault.row["status"] == "responded":
            fault.row["status"] = "in_progress"
        data = {
            "entry": number,
            "mode": mode,
            "start": h.iso(begin),
            "end": h.iso(finish),
            "engineer": self.user,
            "done": done,
            "result": result,
        }
        return WorkRef(number, w._event(fault, self.user, h.WORK_ADD, when, data))

    def sign_off(self, entry_id, *, version, customer_rep, at):
        w = self.w
        entry = w.work[entry_id - 1]
        fault = w._fault(w._work_faults[entry_id - 1].row["ref"], version)
        when = w._instant(at, fault, h.SIGN_OFF)
        ended = entry["ended_at"] is None
        entry.update(
            customer_signoff_name=customer_rep,
            customer_signoff_at=when,
            engineer_signoff=entry["engineer"],
            engineer_signoff_at=when,
            ended_at=when if ended else entry["ended_at"],
        )
        if fault.row["signed_off_at"] is None or fault.row["signed_off_at"] < when:
            fault.row["signed_off_at"] = when
        # As desk.work.sign_off: "ended" when the sign-off fixed the end, "ended_was" when it
        # replaced one (the demo never gives another end, so never here).
        data = {
            "entry": entry_id,
            "customer_rep": customer_rep,
            "engineer": entry["engineer"],
            "ended": h.iso(when) if ended else None,
            "ended_was": None,
        }
        return WorkRef(entry_id, w._event(fault, self.user, h.SIGN_OFF, when, data))


_AT = object()  # in a verb's changes: "the verb's instant"

"""``desk.customers.archive(name)``: a customer's archive with its service history.

The contract's 用户专用档案: the customer's systems, warranty, service tier, contacts,
requirements and usage notes, and every fault it reported with each clock's result
(met, or breached by how much) and every on-site visit with its sign-offs. Clocks
are evaluated from each fault's history at the desk's now, as ``fault_view`` does.

``clock_result`` is the one wording of a clock's outcome, shared with the fault report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from oncall.sla import evaluate
from oncall.store.models import AuditEvent, Fault, WorkEntryRow

from . import history as h
from .convert import customer_info
from .customers import customer_parts
from .tx import Tx
from .views import CustomerInfo

# A clock's outcome. ``met``/``breached``: it stopped (in time or late); ``open``:
# still running or paused, in time so far; ``overdue``: still running (or paused) past
# its deadline; ``not_owed``: a conditional clock (the on-site arrival, owed only if the
# desk did not respond in time) that never applied.
RESULTS = ("met", "breached", "open", "overdue", "not_owed")


def clock_result(clock, now: datetime) -> str:
    """``clock``'s (a ``ClockState``) outcome as of ``now``, one of ``RESULTS``."""
    if clock.stopped_at is not None:
        return "met" if clock.met else "breached"
    if clock.pending:
        return "not_owed"
    return "overdue" if clock.late(now) else "open"


@dataclass(frozen=True)
class ClockOutcome:
    clock: str
    deadline: datetime | None
    result: str  # one of RESULTS
    late_seconds: int  # wall seconds past the deadline (0: in time)


@dataclass(frozen=True)
class FaultHistoryLine:
    ref: str
    system: str
    title: str
    level: int
    status: str
    reported_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    out_of_warranty: bool
    clocks: tuple[ClockOutcome, ...]


@dataclass(frozen=True)
class Visit:
    """An on-site visit: the work entry and who signed it for each side."""

    fault_ref: str
    entry: int
    start: datetime
    end: datetime | None
    engineer: str
    done: str
    customer_signed_by: str | None
    customer_signed_at: datetime | None
    vendor_signed_by: str | None
    vendor_signed_at: datetime | None


@dataclass(frozen=True)
class CustomerArchive:
    customer: CustomerInfo
    faults: tuple[FaultHistoryLine, ...]  # newest report first
    visits: tuple[Visit, ...]  # oldest first
    now: datetime  # the instant the clocks were evaluated at


def read_archive(tx: Tx, name: str) -> CustomerArchive:
    now = tx.now()
    with tx.read() as s:
        row, systems, contacts = customer_parts(s, name)
        info = customer_info(row, systems, contacts)
        names = {x.id: x.name for x in systems}
        faults = s.exec(
            select(Fault)
            .where(Fault.customer_id == row.id)
            .order_by(Fault.reported_at.desc(), Fault.id.desc())
        ).all()
        ids = [f.id for f in faults]
        events: dict[int, list] = {i: [] for i in ids}
        work: list[WorkEntryRow] = []
        if ids:
            for e in s.exec(
                select(AuditEvent).where(AuditEvent.fault_id.in_(ids)).order_by(AuditEvent.id)
            ).all():
                events[e.fault_id].append((e.verb, e.at, e.data))
            work = list(
                s.exec(
                    select(WorkEntryRow)
                    .where(WorkEntryRow.fault_id.in_(ids), WorkEntryRow.mode == "onsite")
                    .order_by(WorkEntryRow.started_at, WorkEntryRow.id)
                ).all()
            )
    refs = {f.id: f.ref for f in faults}
    lines = []
    for f in faults:
        clocks = evaluate(tx.policy, h.fault_history(events[f.id]), now)
        lines.append(
            FaultHistoryLine(
                ref=f.ref,
                system=names.get(f.system_id, ""),
                title=f.title,
                level=f.level,
                status=f.status,
                reported_at=f.reported_at,
                resolved_at=f.resolved_at,
                closed_at=f.closed_at,
                out_of_warranty=bool(f.out_of_warranty),
                clocks=tuple(
                    ClockOutcome(
                        c.name,
                        c.deadline,
                        clock_result(c, now),
                        0 if c.pending else c.late(now),
                    )
                    for c in clocks.clocks
                ),
            )
        )
    visits = tuple(
        Visit(
            fault_ref=refs[w.fault_id],
            entry=w.id,
            start=w.started_at,
            end=w.ended_at,
            engineer=w.engineer,
            done=w.done,
            customer_signed_by=w.customer_signoff_name,
            customer_signed_at=w.customer_signoff_at,
            vendor_signed_by=w.engineer_signoff,
            vendor_signed_at=w.engineer_signoff_at,
        )
        for w in work
    )
    return CustomerArchive(info, tuple(lines), visits, now)

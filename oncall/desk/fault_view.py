"""One fault's whole view (``FaultView``), put together in a session that has the fault.

Two callers: ``desk.reads.fault_view`` (a read of its own) and a fault verb run under
``Desk.changed`` (the verb's own transaction, which already holds the fault's row,
its events and its clocks: the view costs two reads more, the record and the work,
and no second evaluation of the clocks).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from sqlmodel import Session, select

from oncall.sla import FaultClocks
from oncall.store.models import FaultRecordRow, WorkEntryRow

from .convert import event_view, work_entry
from .views import EventView, FaultRecord, FaultSummary, FaultView


class EventRow(Protocol):
    """An audit event's row (the ORM's ``AuditEvent`` or a Core row of its table)."""

    id: int
    at: datetime
    logged_at: datetime
    os_user: str
    real_user: str
    verb: str
    data: dict


def view_in(
    s: Session,
    fault: FaultSummary,
    fault_id: int,
    symptom: str,
    system: tuple[str, str],
    events: Iterable[EventRow | EventView],
    clocks: FaultClocks,
    now: datetime,
    *,
    out_of_warranty: bool = False,
) -> FaultView:
    """The view of ``fault`` (row id ``fault_id``; ``system``: its product and model) with
    ``events`` (any order) and ``clocks`` as evaluated at ``now``; reads its record and
    its work entries in ``s``."""
    record = s.get(FaultRecordRow, fault_id) or FaultRecordRow(fault_id=fault_id)
    work = s.exec(
        select(WorkEntryRow)
        .where(WorkEntryRow.fault_id == fault_id)
        .order_by(WorkEntryRow.started_at, WorkEntryRow.id)
    ).all()
    views = [e if isinstance(e, EventView) else event_view(e, fault.ref) for e in events]
    return FaultView(
        fault=fault,
        record=FaultRecord(
            symptom, record.diagnosis, record.handling, record.losses, record.changes
        ),
        system_product=system[0],
        system_model=system[1],
        clocks=clocks,
        now=now,
        work=tuple(work_entry(w, fault.ref) for w in work),
        events=tuple(sorted(views, key=lambda e: (e.at, e.id), reverse=True)),
        out_of_warranty=bool(out_of_warranty),
    )

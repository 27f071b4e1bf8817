"""A fault's report for the customer: what the contract promised, and what happened.

``build`` is pure: it takes the desk's ``FaultView`` (clocks evaluated at the
view's ``now``), the roster's names and the desk's time zone, and works out each
clock's result (met, or breached by how much), the waits on the customer, the
work log by mode with durations, the on-site service reports with their
signatures, and the audit trail. ``fault_report(desk, ref)`` reads those from a desk.
Instants stay aware UTC ``datetime``s; the renderers show them in ``tz``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from ..desk import history as h
from ..desk.customer_archive import RESULTS, clock_result  # noqa: F401  (one wording)
from ..desk.views import FaultRecord, FaultView
from ..vocabulary import MODES


@dataclass(frozen=True)
class ClockResult:
    name: str  # respond, resolve, solution, remote_fix, onsite_escalation, onsite_arrival
    window: str  # the service window it counts in (7x24, 5x8 ...)
    target_seconds: int  # service seconds allowed
    started_at: datetime
    deadline: datetime | None  # None while paused in time
    stopped_at: datetime | None
    result: str  # one of RESULTS
    late_seconds: int  # wall seconds past the deadline (to the stop, or to the report's now)
    paused_seconds: int  # service seconds the clock spent paused


@dataclass(frozen=True)
class Pause:
    """A wait on the customer: from ``start`` to ``end`` (None: still waiting)."""

    start: datetime
    end: datetime | None
    seconds: int  # wall seconds (to the report's now while still waiting)
    reason: str


@dataclass(frozen=True)
class WorkLine:
    id: int
    mode: str
    start: datetime
    end: datetime | None  # None: still going on
    seconds: int | None  # None while it goes on
    engineer: str  # the OS user
    engineer_name: str
    done: str
    result: str


@dataclass(frozen=True)
class ModeWork:
    """The work of one mode (phone, remote, onsite, internal) and its total."""

    mode: str
    entries: tuple[WorkLine, ...]
    seconds: int  # of the ended entries
    ongoing: int  # entries still going on


@dataclass(frozen=True)
class OnsiteReport:
    """An on-site service report: the work and who signed it, for each side, when."""

    entry: int
    start: datetime
    end: datetime | None
    engineer: str
    engineer_name: str
    done: str
    result: str
    customer_signed_by: str | None
    customer_signed_at: datetime | None
    vendor_signed_by: str | None  # the engineer's OS user
    vendor_signed_by_name: str | None
    vendor_signed_at: datetime | None


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: datetime
    logged_at: datetime
    user: str  # recorded as
    real_user: str | None  # the OS user who wrote it (when a lead acted for someone)
    verb: str  # as the audit trail stores it
    data: Mapping[str, Any]  # instants as ISO strings, as stored


@dataclass(frozen=True)
class FaultReport:
    ref: str
    title: str
    customer: str
    system: str
    product: str
    model: str
    level: int
    channel: str
    status: str
    contact: str
    reported_at: datetime
    reported_by: str
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    resolution: str  # the summary given when it was (last) resolved; "" if never
    out_of_warranty: bool  # reported after the customer's warranty ended
    clocks: tuple[ClockResult, ...]
    paused_seconds: int  # wall seconds spent waiting on the customer
    pauses: tuple[Pause, ...]
    record: FaultRecord
    work: tuple[ModeWork, ...]  # in MODES order, modes with entries only
    onsite: tuple[OnsiteReport, ...]
    audit: tuple[AuditLine, ...]  # oldest first
    now: datetime  # the instant the clocks were evaluated at (the report's date)
    tz: tzinfo  # the desk's time zone: every instant is shown in it


def build(view: FaultView, names: Mapping[str, str], tz: tzinfo) -> FaultReport:
    """The report of the fault in ``view``; ``names``: OS user -> engineer's name."""
    f, now = view.fault, view.now
    events = sorted(view.events, key=lambda e: (e.at, e.id))  # oldest first
    resolution = ""
    for e in events:
        if e.verb == h.RESOLVE:
            resolution = str(e.data.get("summary", ""))
    clocks = tuple(
        ClockResult(
            name=c.name,
            window=c.window,
            target_seconds=c.target,
            started_at=c.started_at,
            deadline=c.deadline,
            stopped_at=c.stopped_at,
            result=clock_result(c, now),
            late_seconds=0 if c.pending else c.late(now),
            paused_seconds=c.paused_seconds,
        )
        for c in view.clocks.clocks
    )
    return FaultReport(
        ref=f.ref,
        title=f.title,
        customer=f.customer,
        system=f.system,
        product=view.system_product,
        model=view.system_model,
        level=f.level,
        channel=f.channel,
        status=f.status,
        contact=f.contact,
        reported_at=f.reported_at,
        reported_by=f.reported_by,
        responded_at=f.responded_at,
        resolved_at=f.resolved_at,
        closed_at=f.closed_at,
        resolution=resolution,
        out_of_warranty=view.out_of_warranty,
        clocks=clocks,
        paused_seconds=view.clocks.paused_wall_seconds,
        pauses=_pauses(events, now),
        record=view.record,
        work=_work(view, names, now),
        onsite=tuple(_onsite(w, names) for w in view.work if w.mode == "onsite"),
        audit=tuple(
            AuditLine(e.id, e.at, e.logged_at, e.user, e.real_user, e.verb, dict(e.data))
            for e in events
        ),
        now=now,
        tz=tz,
    )


def fault_report(desk, ref: str) -> FaultReport:
    """The report of fault ``ref`` as the desk has it now (its clocks at ``desk``'s now)."""
    view = desk.reads.fault_view(ref)
    names = {e.user: e.name for e in desk.roster.all()}
    return build(view, names, desk.policy.timezone)


def _pauses(events, now: datetime) -> tuple[Pause, ...]:
    """The waits on the customer, from the history the clocks use, with their reasons."""
    history = h.fault_history([(e.verb, e.at, e.data) for e in events])
    reasons = {e.at: str(e.data.get("reason", "")) for e in events if e.verb == h.PAUSE}
    return tuple(
        Pause(
            start,
            end,
            int(((end or now) - start).total_seconds()),
            reasons.get(start, ""),
        )
        for start, end in history.pauses
    )


def _work(view: FaultView, names: Mapping[str, str], now: datetime) -> tuple[ModeWork, ...]:
    out = []
    for mode in MODES:
        lines = tuple(
            WorkLine(
                w.id,
                w.mode,
                w.start,
                w.end,
                None if w.end is None else int((w.end - w.start).total_seconds()),
                w.engineer,
                names.get(w.engineer, w.engineer),
                w.done,
                w.result,
            )
            for w in view.work
            if w.mode == mode
        )
        if lines:
            ended = [x.seconds for x in lines if x.seconds is not None]
            out.append(ModeWork(mode, lines, sum(ended), len(lines) - len(ended)))
    return tuple(out)


def _onsite(w, names: Mapping[str, str]) -> OnsiteReport:
    vendor = w.engineer_signoff
    return OnsiteReport(
        entry=w.id,
        start=w.start,
        end=w.end,
        engineer=w.engineer,
        engineer_name=names.get(w.engineer, w.engineer),
        done=w.done,
        result=w.result,
        customer_signed_by=w.customer_signoff_name,
        customer_signed_at=w.customer_signoff_at,
        vendor_signed_by=vendor,
        vendor_signed_by_name=None if vendor is None else names.get(vendor, vendor),
        vendor_signed_at=w.engineer_signoff_at,
    )

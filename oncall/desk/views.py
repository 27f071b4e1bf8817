"""Read models: plain frozen dataclasses handed to the CLI and the console.

No ORM object leaves the desk; every instant is an aware UTC ``datetime``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from oncall.sla import Band, FaultClocks

# The word lists live in one place (oncall/vocabulary.py); re-exported for the desk's callers.
from oncall.vocabulary import (  # noqa: F401
    MODES,
    OPEN_STATUSES,
    RESPONSE_HOW,
    SENIORITIES,
    STATUSES,
)

R = TypeVar("R")


@dataclass(frozen=True)
class SystemInfo:
    """A customer's system (also the input of ``add_customer`` / ``add_system``)."""

    name: str
    product: str = ""
    model: str = ""


@dataclass(frozen=True)
class ContactInfo:
    """A customer contact (also the input of ``add_customer``)."""

    name: str
    phone: str = ""
    email: str = ""
    role: str = ""


def warranty_ended(end: date | None, day: date) -> bool:
    """A fault reported on ``day`` (in the desk's zone) is out of warranty: the warranty
    ended before it. No end date on file: not known to have ended."""
    return end is not None and day > end


@dataclass(frozen=True)
class CustomerInfo:
    name: str
    tier: str
    warranty_start: date | None  # the date of final acceptance
    warranty_end: date | None
    systems: tuple[SystemInfo, ...] = ()
    contacts: tuple[ContactInfo, ...] = ()
    requirements: str = ""  # what the customer asks of the service (用户需求)
    usage_notes: str = ""  # how it uses its systems (使用情况)

    def in_warranty(self, day: date) -> bool:
        if self.warranty_start is None or self.warranty_end is None:
            return False
        return self.warranty_start <= day <= self.warranty_end

    def warranty_ended(self, day: date) -> bool:
        return warranty_ended(self.warranty_end, day)


@dataclass(frozen=True)
class EngineerInfo:
    user: str  # OS user name, the roster key
    name: str
    seniority: str  # one of SENIORITIES
    phone: str
    on_duty: bool
    lead: bool = False  # may change the roster and act on others' behalf


@dataclass(frozen=True)
class FaultSummary:
    """One fault's row: what a list or the queue shows."""

    ref: str  # F-2026-00042
    customer: str
    system: str
    title: str
    level: int
    channel: str  # phone | electronic
    status: str  # one of STATUSES
    contact: str  # who reported it at the customer
    reported_at: datetime
    reported_by: str  # the engineer (OS user) who took it
    assignee: str | None
    responded_at: datetime | None
    solution_at: datetime | None
    resolved_at: datetime | None  # the current resolution (None once reopened)
    signed_off_at: datetime | None  # last customer sign-off of on-site work
    closed_at: datetime | None
    next_breach: datetime | None  # earliest deadline of a live clock (cached; see sla.clocks)
    next_clock: str | None  # which clock that is
    version: int  # pass it back to the verbs

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class QueueItem:
    """A fault in the open queue, with its clocks evaluated at the desk's now."""

    fault: FaultSummary
    clocks: FaultClocks
    now: datetime  # the instant the clocks were evaluated at

    @property
    def band(self) -> Band:
        return self.clocks.band

    @property
    def paused(self) -> bool:
        return self.fault.status == "waiting"

    @property
    def paused_since(self) -> datetime | None:
        """When the wait on the customer going on began (None: not waiting)."""
        return self.clocks.paused_since

    @property
    def breached(self) -> bool:
        nb = self.clocks.next_breach
        return nb is not None and nb <= self.now

    def left(self, now: datetime) -> int | None:
        """Wall seconds until the next breach (negative once overdue, paused or not);
        None if no clock is at stake. From the clocks, not the row's cached next
        breach: a row cached under an older policy or rule still sorts right."""
        nb = self.clocks.next_breach
        return None if nb is None else int((nb - now).total_seconds())

    def band_at(self, now: datetime) -> Band:
        """The band at ``now`` (after ``self.now``) if nothing happens to the fault meanwhile."""
        return self.clocks.band_at(now)

    def changes_after(self, now: datetime) -> datetime | None:
        """When ``band_at`` may next change after ``now`` (None: not without an event)."""
        return self.clocks.changes_after(now)


@dataclass(frozen=True)
class FaultRecord:
    """The fault record the contract requires (用户专用档案)."""

    symptom: str
    diagnosis: str  # diagnosis process
    handling: str  # handling process
    losses: str  # losses caused to systems and applications
    changes: str  # system parameters changed, operations performed


@dataclass(frozen=True)
class WorkEntry:
    id: int
    fault_ref: str
    mode: str  # one of MODES
    start: datetime
    end: datetime | None  # None while the work goes on
    engineer: str
    done: str  # what was done
    result: str
    customer_signoff_name: str | None = None  # on-site: the customer's responsible person
    customer_signoff_at: datetime | None = None
    engineer_signoff: str | None = None  # on-site: the engineer who signed
    engineer_signoff_at: datetime | None = None
    fault_version: int | None = None  # the fault's version after the verb that returned this

    @property
    def signed(self) -> bool:
        return self.customer_signoff_at is not None and self.engineer_signoff_at is not None


@dataclass(frozen=True)
class EventView:
    """One entry of the audit trail."""

    id: int
    fault_ref: str | None  # None for roster and customer changes
    at: datetime  # when it happened (may be back-dated)
    logged_at: datetime  # when it was written
    user: str  # the engineer it is recorded as (who acted, or whom a lead acted for)
    verb: str
    data: dict[str, Any] = field(default_factory=dict)
    real_user: str | None = None  # the OS user of the process (None: before schema 0003)


@dataclass(frozen=True)
class FaultView:
    """Everything about one fault, for the detail pane and ``oncall show``."""

    fault: FaultSummary
    record: FaultRecord
    system_product: str
    system_model: str
    clocks: FaultClocks  # evaluated at ``now``
    now: datetime
    work: tuple[WorkEntry, ...]  # oldest first
    events: tuple[EventView, ...]  # newest first
    out_of_warranty: bool = False  # logged after the customer's warranty ended


@dataclass(frozen=True)
class Changed(Generic[R]):
    """A verb's result with what a console repaints from (``Desk.changed``): the view of
    the fault it changed, built in the verb's own transaction (None: it changed none)."""

    result: R
    view: FaultView | None


def changed_ref(result: object) -> str | None:
    """The fault a verb's result is, or belongs to (a work entry's)."""
    if isinstance(result, FaultSummary):
        return result.ref
    if isinstance(result, WorkEntry):
        return result.fault_ref
    return None

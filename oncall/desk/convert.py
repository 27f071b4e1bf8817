"""Rows to read models (and the inputs the verbs check): no session, no SQL.

Every instant stays an aware UTC ``datetime``; no ORM object leaves the desk.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oncall.i18n import N_
from oncall.store.models import AuditEvent, Customer, Engineer, Fault, WorkEntryRow

from . import history as h
from . import validate as v
from .errors import ValidationError
from .views import (
    ContactInfo,
    CustomerInfo,
    EngineerInfo,
    EventView,
    FaultSummary,
    SystemInfo,
    WorkEntry,
)

FAULT_COLUMNS = tuple(c.name for c in Fault.__table__.columns)

WORK_KEYS = {
    "mode": "mode",
    "started_at": "start",
    "ended_at": "end",
    "engineer": "engineer",
    "done": "done",
    "result": "result",
}


def first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def jsonable(value: Any) -> Any:
    return h.iso(value) if isinstance(value, datetime) else value


def values_of(fault: Fault) -> dict[str, Any]:
    return {name: getattr(fault, name) for name in FAULT_COLUMNS}


def summary(values: dict[str, Any], customer: str, system: str) -> FaultSummary:
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


def work_entry(row: WorkEntryRow, ref: str, version: int | None = None) -> WorkEntry:
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


def event_view(row: AuditEvent, ref: str | None) -> EventView:
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


def engineer_info(row: Engineer) -> EngineerInfo:
    return EngineerInfo(row.os_user, row.name, row.seniority, row.phone, row.on_duty, row.lead)


def engineer_data(row: Engineer) -> dict[str, Any]:
    return {
        "user": row.os_user,
        "name": row.name,
        "seniority": row.seniority,
        "phone": row.phone,
        "on_duty": row.on_duty,
        "lead": row.lead,
    }


def customer_info(row: Customer, systems, contacts) -> CustomerInfo:
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
        requirements=row.requirements or "",
        usage_notes=row.usage_notes or "",
    )


def checked_system(x: SystemInfo) -> SystemInfo:
    if not isinstance(x, SystemInfo):
        raise ValidationError(f"a system must be a SystemInfo, not {type(x).__name__}")
    return SystemInfo(
        v.text(x.name, N_("system name"), required=True, max_chars=200, strip=True),
        v.text(x.product, N_("product"), max_chars=200, strip=True),
        v.text(x.model, N_("model"), max_chars=200, strip=True),
    )


def checked_contact(c: ContactInfo) -> ContactInfo:
    if not isinstance(c, ContactInfo):
        raise ValidationError(f"a contact must be a ContactInfo, not {type(c).__name__}")
    return ContactInfo(
        v.text(c.name, N_("contact name"), required=True, max_chars=200, strip=True),
        v.text(c.phone, N_("contact phone"), max_chars=64, strip=True),
        v.text(c.email, N_("contact email"), max_chars=200, strip=True),
        v.text(c.role, N_("contact role"), max_chars=200, strip=True),
    )


def checked_level(level: int, levels) -> int:
    """A fault level the policy knows (``levels``: the policy's)."""
    if isinstance(level, bool) or not isinstance(level, int) or level not in levels:
        known = ", ".join(str(n) for n in sorted(levels))
        raise ValidationError(f"level {level!r} is not one of the policy's levels ({known})")
    return level

"""The tables, SQLModel style: small and declarative.

Every instant is a ``UTCDateTime`` (aware UTC). Long free text is ``Text``;
the desk refuses more than 64 KiB and NUL bytes before anything gets here.
The audit trail (``audit_event``) is append-only: the code never updates or
deletes a row, and the migrations add triggers that make the database refuse
it too.

Keep this file and the migrations in step: ``tests/test_store_migrations.py``
compares the two.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    FetchedValue,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlmodel import Field, SQLModel

# The allowed values, checked by the desk and by the database.
from ..vocabulary import CHANNELS, MODES, SENIORITIES, STATUSES
from .types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Engineer(SQLModel, table=True):
    """The roster, keyed by OS user name."""

    __tablename__ = "engineer"
    __table_args__ = (CheckConstraint(_one_of("seniority", SENIORITIES), name="seniority"),)

    os_user: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    seniority: str = Field(max_length=16)
    phone: str = Field(default="", max_length=64)
    on_duty: bool = Field(default=False)
    lead: bool = Field(default=False)  # may change the roster and act on others' behalf
    created_at: datetime = Field(sa_type=UTCDateTime)


class Customer(SQLModel, table=True):
    __tablename__ = "customer"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    tier: str = Field(default="standard", max_length=64)
    warranty_start: date | None = None  # the date of final acceptance
    warranty_end: date | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    # What the customer asks of the service, and how it uses its systems (schema 0006).
    requirements: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    usage_notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class Contact(SQLModel, table=True):
    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    name: str = Field(max_length=200)
    phone: str = Field(default="", max_length=64)
    email: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)


class System(SQLModel, table=True):
    """A customer's system: product and model."""

    __tablename__ = "system"
    __table_args__ = (UniqueConstraint("customer_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    name: str = Field(max_length=200)
    product: str = Field(default="", max_length=200)
    model: str = Field(default="", max_length=200)


class Fault(SQLModel, table=True):
    """A fault's current state; its history is in ``audit_event``.

    ``next_breach``/``next_clock`` cache the SLA engine's earliest live deadline
    (running, or paused after it passed), rewritten by every verb, so the open
    queue is one indexed query.
    ``version`` grows by one with every change (optimistic concurrency).
    """

    __tablename__ = "fault"
    __table_args__ = (
        UniqueConstraint("year", "seq"),
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        CheckConstraint(_one_of("channel", CHANNELS), name="channel"),
        Index("ix_fault_status_next_breach", "status", "next_breach"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=32, unique=True)  # F-2026-00042
    year: int
    seq: int
    customer_id: int = Field(foreign_key="customer.id", index=True)
    system_id: int = Field(foreign_key="system.id")
    title: str = Field(max_length=500)
    symptom: str = Field(default="", sa_type=Text)
    level: int
    channel: str = Field(max_length=16)
    contact: str = Field(default="", max_length=500)
    reported_at: datetime = Field(sa_type=UTCDateTime, index=True)
    reported_by: str = Field(foreign_key="engineer.os_user", max_length=64)
    assignee: str | None = Field(default=None, foreign_key="engineer.os_user", max_length=64)
    status: str = Field(default="new", max_length=16)
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    solution_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    signed_off_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_breach: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    next_clock: str | None = Field(default=None, max_length=32)
    version: int = Field(default=1)
    # Logged after the customer's warranty ended (schema 0006): logged all the same.
    out_of_warranty: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )


class FaultCounter(SQLModel, table=True):
    """The last fault number given out in a year (``F-2026-00042`` is 42 of 2026).

    Taken with ``UPDATE ... SET last = last + 1`` inside the verb's transaction,
    so concurrent desks queue on the row and numbers have no gaps.
    """

    __tablename__ = "fault_counter"

    year: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    last: int


class FaultRecordRow(SQLModel, table=True):
    """The fault record the contract asks for, besides the symptom on the fault."""

    __tablename__ = "fault_record"

    fault_id: int = Field(foreign_key="fault.id", primary_key=True)
    diagnosis: str = Field(default="", sa_type=Text)  # diagnosis process
    handling: str = Field(default="", sa_type=Text)  # handling process
    losses: str = Field(default="", sa_type=Text)  # losses caused
    changes: str = Field(default="", sa_type=Text)  # parameters changed, operations performed


class WorkEntryRow(SQLModel, table=True):
    """One step of work on a fault; on-site work carries both sign-offs."""

    __tablename__ = "work_entry"
    __table_args__ = (CheckConstraint(_one_of("mode", MODES), name="mode"),)

    id: int | None = Field(default=None, primary_key=True)
    fault_id: int = Field(foreign_key="fault.id", index=True)
    mode: str = Field(max_length=16)
    started_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    engineer: str = Field(foreign_key="engineer.os_user", max_length=64)
    done: str = Field(default="", sa_type=Text)
    result: str = Field(default="", sa_type=Text)
    customer_signoff_name: str | None = Field(default=None, max_length=200)
    customer_signoff_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    engineer_signoff: str | None = Field(
        default=None, foreign_key="engineer.os_user", max_length=64
    )
    engineer_signoff_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEvent(SQLModel, table=True):
    """The audit trail: one row per change, never updated nor deleted.

    ``at`` is when it happened (may be back-dated), ``logged_at`` when it was
    written; ``verb`` and ``data`` say what. A fault's SLA history is rebuilt
    from its events. Roster, customer and alert acknowledgements have no fault.

    Who: ``os_user`` is the engineer the change is recorded as (who acted, or
    whom a lead acted for with ``ONCALL_USER``); ``real_user`` is the OS user
    of the process that wrote it, from its uid (NULL on rows older than
    schema 0003). On PostgreSQL the database fills ``db_user`` itself with
    the session's role (a trigger overrides whatever the client sends), so
    with per-engineer roles the database vouches for who wrote each row; on
    SQLite it stays NULL.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    fault_id: int | None = Field(default=None, foreign_key="fault.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    logged_at: datetime = Field(sa_type=UTCDateTime)
    os_user: str = Field(max_length=64)
    real_user: str | None = Field(default=None, max_length=64)
    # Written by the database (server default and trigger on PostgreSQL), never by us.
    db_user: str | None = Field(
        default=None, sa_column=Column(String(64), server_default=FetchedValue(), nullable=True)
    )
    verb: str = Field(max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


# Tables that live in modules of their own register on the same metadata here,
# so that everything comparing or creating the schema sees all of it.
from .alert_models import Alert  # noqa: E402

TABLES = (
    Engineer,
    Customer,
    Contact,
    System,
    Fault,
    FaultCounter,
    FaultRecordRow,
    WorkEntryRow,
    AuditEvent,
    Alert,
)
metadata = SQLModel.metadata

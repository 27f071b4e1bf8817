"""The alert table: every SLA alert that fired, stored once.

An alert is keyed by (fault, clock, threshold, deadline): the unique
constraint is what makes it fire once across restarts and across several
consoles and watchers on one database. The process whose INSERT wins fired
it; the others see ``IntegrityError`` and show the stored row instead.

The notify hook is claimed separately (``notify_state`` goes from NULL to
``sending`` with a guarded UPDATE), since not every process has a hook
configured. A claim older than its lease may be taken over (the sender died).

This module is imported by ``oncall.alerts`` and by the migration that makes
the table (``0002``), so the shared metadata sees it whenever the schema is
compared or upgraded. ``tests/test_store_migrations.py`` compares the two.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .types import UTCDateTime

THRESHOLDS = ("warning", "critical", "breach")
NOTIFY_STATES = ("sending", "sent", "failed")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Alert(SQLModel, table=True):
    """One fired alert: when it was planned and fired, who acknowledged it, the hook's fate."""

    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("fault_id", "clock", "threshold", "deadline"),
        CheckConstraint(_one_of("threshold", THRESHOLDS), name="threshold"),
        CheckConstraint(
            f"notify_state IS NULL OR {_one_of('notify_state', NOTIFY_STATES)}",
            name="notify_state",
        ),
        Index("ix_alert_fired_at", "fired_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    fault_id: int = Field(foreign_key="fault.id")
    clock: str = Field(max_length=32)  # respond, resolve, solution, remote_fix, onsite_*
    threshold: str = Field(max_length=16)  # warning, critical, breach
    deadline: datetime = Field(sa_type=UTCDateTime)  # the clock's deadline it warns of
    planned_at: datetime = Field(sa_type=UTCDateTime)  # when it was due
    fired_at: datetime = Field(sa_type=UTCDateTime)  # when it fired
    late_seconds: float = Field(default=0.0)  # fired_at - planned_at
    level: int  # the fault's level when it fired
    fired_by: str = Field(max_length=200)  # kind:user@host:pid of the process that fired it
    acked_by: str | None = Field(default=None, max_length=64)
    acked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The notify hook: NULL (nobody has claimed it), sending, sent or failed.
    notify_state: str | None = Field(default=None, max_length=16)
    notify_by: str | None = Field(default=None, max_length=200)
    notify_claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    notify_attempts: int = Field(default=0)
    notify_done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    notify_error: str | None = Field(default=None, sa_type=Text)

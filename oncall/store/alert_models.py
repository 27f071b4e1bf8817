"""The alert table: every SLA alert that fired, stored once.

An alert is keyed by (fault, clock, threshold, deadline): the unique
constraint is what makes it fire once across restarts and across several
consoles and watchers on one database. The process whose INSERT wins fired
it; the others see ``IntegrityError`` and show the stored row instead.

The notify hook is claimed separately (``notify_state`` goes from NULL to
``sending`` with a guarded UPDATE), since not every process has a hook
configured. The command then runs under a delivery supervisor
(``oncall.alerts.deliver``) that writes its pid and host into the row before
it starts the command, and the outcome (``sent`` or ``failed``) when it ends.
A claim whose supervisor never started may be taken over once its lease ran
out; one whose supervisor started and left no outcome becomes ``unknown``
(the page may or may not have gone out): never resent automatically, shown,
and resent only when a person asks (``notify_resent_by``).

An alert the stored history later shows should not have fired (its clock
stopped in time, by an entry logged after the fact) is *withdrawn*
(``withdrawn_at``, ``withdrawn_reason``): kept, out of the unacknowledged
count, never claimed for the notify command.

This module is imported by ``oncall.alerts`` and by the migrations of the
table (``0002``, ``0004``, ``0005``, ``0006``), so the shared metadata sees it
whenever the schema is compared or upgraded. ``tests/test_store_migrations.py`` compares the two.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..vocabulary import THRESHOLDS
from .types import UTCDateTime

NOTIFY_STATES = ("sending", "sent", "failed", "unknown")
# A person may ask to send again an alert whose delivery is unknown or failed.
RESENDABLE = ("unknown", "failed")


def resend_values(user: str, at: datetime) -> dict:
    """The columns of an alert asked to be sent again: claimable, its last try forgotten."""
    return {
        "notify_state": None,
        "notify_by": None,
        "notify_claimed_at": None,
        "notify_pid": None,
        "notify_host": None,
        "notify_exit": None,
        "notify_done_at": None,
        "notify_error": None,
        "notify_attempts": 0,
        "notify_resent_by": user[:64],
        "notify_resent_at": at,
    }


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
        # The recurring reads: the unacknowledged count, deliveries left
        # ``sending``, resends asked for (``0006``).
        Index("ix_alert_acked_at", "acked_at"),
        Index("ix_alert_notify_state", "notify_state"),
        Index("ix_alert_notify_resent_at", "notify_resent_at"),
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
    # The notify hook: NULL (nobody has claimed it), sending, sent, failed or unknown.
    notify_state: str | None = Field(default=None, max_length=16)
    notify_by: str | None = Field(default=None, max_length=200)
    notify_claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    notify_attempts: int = Field(default=0)
    notify_done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    notify_error: str | None = Field(default=None, sa_type=Text)
    # The delivery supervisor running the command (set once it starts it).
    notify_pid: int | None = Field(default=None)
    notify_host: str | None = Field(default=None, max_length=255)
    notify_exit: int | None = Field(default=None)  # the last run's exit status
    # Who asked for it to be sent again (after unknown or failed), and when.
    notify_resent_by: str | None = Field(default=None, max_length=64)
    notify_resent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Withdrawn by the alert service once the stored history showed that the clock
    # stopped in time (a back-dated entry): when it found it, and which stop.
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_reason: str | None = Field(default=None, max_length=200)

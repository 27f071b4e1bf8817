"""What the desk's alert records hand out: plain frozen dataclasses.

No database library here (the hook's supervisor and the console import these).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from oncall.sla import FaultHistory

# An alert counts as late when it fired this long after its instant.
LATE_AFTER = 2.0


@dataclass(frozen=True, order=True)
class AlertKey:
    """What makes an alert unique: fault, clock, threshold and the deadline it warns of."""

    fault_id: int
    clock: str
    threshold: str
    deadline: datetime

    @property
    def job_id(self) -> str:
        return f"{self.fault_id}:{self.clock}:{self.threshold}:{int(self.deadline.timestamp())}"


@dataclass(frozen=True)
class FaultInfo:
    """What an alert shows of its fault."""

    id: int
    ref: str
    title: str
    customer: str
    system: str
    level: int
    status: str


@dataclass(frozen=True)
class FaultState:
    info: FaultInfo
    history: FaultHistory


@dataclass(frozen=True)
class FiredAlert:
    """What ``alerts.plan.withdrawal`` needs of a stored alert."""

    id: int
    fault_id: int
    clock: str
    threshold: str
    deadline: datetime
    planned_at: datetime


@dataclass(frozen=True)
class AlertRecord:
    """A stored alert with its fault's names (what the console, the log and the hook show)."""

    id: int
    fault_id: int
    ref: str
    title: str
    customer: str
    system: str
    level: int
    clock: str
    threshold: str
    deadline: datetime
    planned_at: datetime
    fired_at: datetime
    late_seconds: float
    fired_by: str
    acked_by: str | None = None
    acked_at: datetime | None = None
    notify_state: str | None = None
    notify_by: str | None = None
    notify_attempts: int = 0
    notify_error: str | None = None
    notify_pid: int | None = None
    notify_host: str | None = None
    notify_exit: int | None = None
    notify_resent_by: str | None = None
    notify_resent_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdrawn_reason: str | None = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def late(self) -> bool:
        return self.late_seconds > LATE_AFTER

    @property
    def key(self) -> AlertKey:
        return AlertKey(self.fault_id, self.clock, self.threshold, self.deadline)


class Resent(NamedTuple):
    """What ``desk.alerts.resend`` did: ``queued`` (this call asked for it) and the
    alert as it is now (None: no such alert)."""

    queued: bool
    alert: AlertRecord | None

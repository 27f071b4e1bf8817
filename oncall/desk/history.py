"""A fault's SLA history, rebuilt from its stored audit events.

The clocks depend only on what happened and when: the verbs' events (verb, at,
data) are folded here into the SLA engine's ``HistoryEvent`` list. Work entries
are folded from their ``work_add`` and ``work_edit`` events, so an edited start
moves the remote or on-site clock with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from oncall.sla import Event, FaultHistory, HistoryEvent
from oncall.verbs import audit

# Verbs, as written in the audit trail: a desk verb's from its entry in
# ``oncall/verbs.py`` (its one name -> the stored one), the others here.
LOG = "log"
RESPOND = audit("respond")
SOLUTION = audit("propose")
ASSIGN = audit("assign")
WORK_ADD = audit("work")
WORK_EDIT = audit("work-edit")
WORK_END = audit("work-end")
SIGN_OFF = audit("sign-off")
ESCALATE = audit("escalate")
PAUSE = audit("pause")
RESUME = audit("resume")
LEVEL = audit("level")
RECORD = audit("record")
RESOLVE = audit("resolve")
CLOSE = audit("close")
REOPEN = audit("reopen")
ENGINEER_ADD = "engineer_add"
ENGINEER_EDIT = "engineer_edit"
CUSTOMER_ADD = "customer_add"
CUSTOMER_EDIT = "customer_edit"
SYSTEM_ADD = "system_add"
ALERT_ACK = "alert_ack"
ALERT_RESEND = "alert_resend"

_SIMPLE = {
    RESPOND: Event.RESPONDED,
    SOLUTION: Event.SOLUTION,
    PAUSE: Event.PAUSED,
    RESUME: Event.RESUMED,
    RESOLVE: Event.RESOLVED,
    REOPEN: Event.REOPENED,
    ESCALATE: Event.ESCALATED,
}
_WORK = {"remote": Event.REMOTE_STARTED, "onsite": Event.ONSITE_STARTED}

# Verbs that count for the clocks (``history_events`` reads no other), and those
# of them whose data it reads.
HISTORY_VERBS = (LOG, LEVEL, *_SIMPLE, WORK_ADD, WORK_EDIT)
DATA_VERBS = frozenset((LOG, LEVEL, WORK_ADD, WORK_EDIT))

# Verbs whose instants the clocks order: a new one may not be back-dated before them.
CLOCK_VERBS = (LOG, *_SIMPLE, LEVEL, CLOSE)


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def history_events(events: Iterable[tuple[str, datetime, dict[str, Any]]]) -> list[HistoryEvent]:
    """(verb, at, data) of one fault's events, oldest logged first -> SLA events."""
    out: list[HistoryEvent] = []
    work: dict[int, dict[str, Any]] = {}
    for verb, at, data in events:
        if verb == LOG:
            out.append(HistoryEvent(Event.REPORTED, at, (data["level"], data["channel"])))
        elif verb == LEVEL:
            out.append(HistoryEvent(Event.LEVEL, at, data["to"]))
        elif verb in _SIMPLE:
            out.append(HistoryEvent(_SIMPLE[verb], at))
        elif verb == WORK_ADD:
            work[data["entry"]] = {"mode": data["mode"], "start": data["start"]}
        elif verb == WORK_EDIT and data["entry"] in work:
            after = data.get("after", {})
            work[data["entry"]].update({k: after[k] for k in ("mode", "start") if k in after})
    for entry in work.values():
        kind = _WORK.get(entry["mode"])
        if kind is not None:
            out.append(HistoryEvent(kind, parse_iso(entry["start"])))
    return out


def fault_history(events: Iterable[tuple[str, datetime, dict[str, Any]]]) -> FaultHistory:
    return FaultHistory.from_events(history_events(events))

"""Pure planning: a fault's clocks -> the alerts to fire now and the ones to wait for.

No I/O and no scheduler here. ``plan_fault`` turns one fault's evaluated
clocks (``evaluate(..., thresholds=True)``) into ``Plan``s, one per threshold
of each running clock; ``triage`` splits them, as of an instant, into those to
fire now, those still ahead, and those superseded or already fired.

Rules:
- Only running clocks plan anything: a paused clock has no deadline (its
  alerts are planned again on resume, with the new deadline); a stopped clock
  none (its pending alerts are dropped).
- An alert is keyed by (fault, clock, threshold, deadline). The same key never
  fires twice (the database's unique key). A key with a new deadline whose
  *crossing* (fault, clock, threshold, planned instant) already fired under an
  older deadline is the same event and does not fire again: a warning given
  before a pause is not repeated on resume.
- Only the highest due threshold of a clock fires: once a higher threshold is
  due, the lower ones are superseded (a breach missed while nothing was
  running fires alone, never with its warning and critical; a restart never
  floods the desk).
- The on-site arrival clock applies only once the fault has gone unresponded
  for the policy's ``unresponded_after``: its alerts never come before that.
- An alert that fired is *withdrawn* when the stored history, read again after
  an entry logged after the fact, says its clock had stopped in time
  (``withdrawal``): a breach whose clock stopped at or before its deadline, a
  warning or critical whose clock stopped before the alert's instant, an
  on-site arrival alert of a fault responded to within ``unresponded_after``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from oncall.desk.alert_views import AlertKey
from oncall.sla import FaultClocks, FaultHistory, Policy
from oncall.vocabulary import THRESHOLDS

RANK = {name: i for i, name in enumerate(THRESHOLDS)}


@dataclass(frozen=True)
class Plan:
    """One alert to come: its key and the instant it is due."""

    key: AlertKey
    planned_at: datetime

    @property
    def crossing(self) -> tuple[int, str, str, datetime]:
        """The event itself: this clock crossing this threshold at this instant."""
        return (self.key.fault_id, self.key.clock, self.key.threshold, self.planned_at)

    @property
    def rank(self) -> int:
        return RANK[self.key.threshold]


@dataclass(frozen=True)
class Selection:
    fire: tuple[Plan, ...]  # due now: fire these
    later: tuple[Plan, ...]  # still ahead: schedule these
    superseded: tuple[Plan, ...]  # due, but a higher threshold of the clock is due too
    done: tuple[Plan, ...]  # fired already (this key, or this crossing)


def plan_fault(
    policy: Policy, fault_id: int, history: FaultHistory, clocks: FaultClocks
) -> tuple[Plan, ...]:
    """Every alert of the fault's running clocks (evaluated with ``thresholds=True``)."""
    plans: list[Plan] = []
    for clock in clocks.clocks:
        if not clock.running or clock.deadline is None or not clock.thresholds:
            continue
        floor = applies_from(policy, history, clock.name)
        for threshold, at in clock.thresholds:
            if threshold not in RANK:
                continue
            key = AlertKey(fault_id, clock.name, threshold, clock.deadline)
            plans.append(Plan(key, max(at, floor) if floor is not None else at))
    return tuple(plans)


def applies_from(policy: Policy, history: FaultHistory, clock: str) -> datetime | None:
    """The instant before which a clock's alerts never fire (on-site arrival only)."""
    if clock != "onsite_arrival":
        return None
    for d in policy.further_for(history.level):
        if d.clock == clock and d.unresponded_after:
            return history.reported_at + timedelta(seconds=d.unresponded_after)
    return None


def withdrawal(
    policy: Policy,
    history: FaultHistory,
    clocks: FaultClocks,
    clock: str,
    threshold: str,
    deadline: datetime,
    planned_at: datetime,
) -> str | None:
    """Why a fired alert should not have fired, by the stored history; None: it stands.

    ``clocks``: the fault's clocks evaluated from that history. Only a stop
    withdraws: a clock that still runs (or paused) keeps its alerts, and a
    stop after the deadline is a breach that happened (the alert stands).
    """
    state = clocks.clock(clock)
    if state is None:
        # On-site arrival is owed only while a fault goes unresponded: a response
        # in time (entered later) means it never applied.
        trigger = applies_from(policy, history, clock)
        responded = history.responded_at
        if trigger is not None and responded is not None and responded <= trigger:
            return f"{clock}: not owed, responded {responded.isoformat()}"
        return None
    stop = state.stopped_at
    if stop is None:
        return None
    in_time = stop <= deadline if threshold == "breach" else stop < planned_at
    return f"{clock}: stopped {stop.isoformat()}" if in_time else None


def triage(
    plans: Iterable[Plan],
    fired_keys: set[AlertKey] | frozenset[AlertKey],
    fired_crossings: set[tuple] | frozenset[tuple],
    now: datetime,
) -> Selection:
    """Split ``plans`` as of ``now`` (see the module's rules).

    Not ``select``: that name is SQLAlchemy's, imported next to this one.
    """
    groups: dict[tuple[int, str], list[Plan]] = {}
    for plan in plans:
        groups.setdefault((plan.key.fault_id, plan.key.clock), []).append(plan)
    fire: list[Plan] = []
    later: list[Plan] = []
    superseded: list[Plan] = []
    done: list[Plan] = []
    for group in groups.values():
        due = [p for p in group if p.planned_at <= now]
        top = max(due, key=lambda p: p.rank) if due else None
        for plan in sorted(group, key=lambda p: p.rank):
            if plan.key in fired_keys or plan.crossing in fired_crossings:
                done.append(plan)
            elif plan.planned_at > now:
                later.append(plan)
            elif plan is top:
                fire.append(plan)
            else:
                superseded.append(plan)
    return Selection(tuple(fire), tuple(later), tuple(superseded), tuple(done))

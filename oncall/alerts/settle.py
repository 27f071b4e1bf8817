"""The truth read on the alert service's database thread: what to arm, what to fire.

Two steps over the same read of the database (open faults, their histories,
the alerts they fired), both as of the instant they run on the thread:

- ``replan``, the poll's step: every alert still to fire, the due ones
  included, for the timer to arm (a due one gets a job that runs at once);
  it fires nothing.
- ``settle``, a due job's step: fire what the stored history says is due (a
  clock that stopped, paused or moved its deadline fires nothing), and the
  rest to arm. Firing is an INSERT of the alert's unique key
  (``desk.alerts.insert``): the process whose INSERT wins fired it, the
  others get the stored row.

Both withdraw first the fired alerts that the stored history now says should
not have fired (an entry logged after the fact stopped the clock in time:
``plan.withdrawal``), so that what a back-dated entry took back is never sent
meanwhile. A read of every open fault looks only at faults with such a
back-dated entry (``desk.alerts.withdrawal_candidates``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from oncall.clock import Clock
from oncall.desk.alert_records import Alerts
from oncall.desk.alert_views import AlertRecord, FaultState
from oncall.sla import FaultClocks, Policy, evaluate

from .plan import Plan, Selection, plan_fault, triage, withdrawal

log = logging.getLogger("oncall.alerts")


@dataclass
class Outcome:
    """What one step found: the plans to arm per fault read, what fired, what was withdrawn."""

    plans: dict[int, tuple[Plan, ...]] = field(default_factory=dict)
    fired: list[tuple[AlertRecord, bool]] = field(default_factory=list)
    withdrawn: list[AlertRecord] = field(default_factory=list)


def replan(records: Alerts, policy: Policy, fault_ids: set[int] | None, now: datetime) -> Outcome:
    """These faults (None: every open fault): their alerts to arm, due ones included."""
    states, chosen = _read(records, policy, fault_ids, now)
    out = Outcome(plans={fid: s.fire + s.later for fid, s in chosen.items()})
    out.withdrawn = _withdraw(records, policy, fault_ids, states, now)
    return out


def settle(
    records: Alerts, policy: Policy, fault_ids: set[int], clock: Clock, name: str
) -> Outcome:
    """Fire by the truth what is due for these faults; their alerts still to come."""
    now = clock.now()  # here, not when queued: what is due by the time the thread runs
    states, chosen = _read(records, policy, fault_ids, now)
    out = Outcome(plans={fid: s.later for fid, s in chosen.items()})
    out.withdrawn = _withdraw(records, policy, fault_ids, states, now)
    info = {s.info.id: s.info for s in states}
    due = sorted(
        (plan for s in chosen.values() for plan in s.fire),
        key=lambda p: (p.planned_at, p.key),
    )
    for plan in due:
        out.fired.append(records.insert(plan, info[plan.key.fault_id], clock.now(), name))
    return out


def _read(
    records: Alerts, policy: Policy, fault_ids: set[int] | None, now: datetime
) -> tuple[list[FaultState], dict[int, Selection]]:
    """The open faults (all, or those of ``fault_ids``) and their alerts sorted out as of now."""
    states = records.open_faults(fault_ids)
    keys, crossings = records.fired_for([s.info.id for s in states])
    chosen: dict[int, Selection] = {}
    for state in states:
        try:
            clocks = evaluate(policy, state.history, now, thresholds=True)
        except ValueError as exc:
            log.error("%s: cannot evaluate its clocks, no alerts: %s", state.info.ref, exc)
            continue
        plans = plan_fault(policy, state.info.id, state.history, clocks)
        chosen[state.info.id] = triage(plans, keys, crossings, now)
    return states, chosen


def _withdraw(
    records: Alerts,
    policy: Policy,
    fault_ids: set[int] | None,
    known: list[FaultState],
    now: datetime,
) -> list[AlertRecord]:
    """Withdraw the fired alerts of these faults that their history takes back."""
    candidates = records.withdrawal_candidates(fault_ids)
    if not candidates:
        return []
    alerts = records.live(candidates)
    states = {s.info.id: s for s in known if s.info.id in candidates}
    states.update((s.info.id, s) for s in records.faults(candidates - set(states)))
    reasons: dict[int, str] = {}
    clocks_of: dict[int, FaultClocks | None] = {}
    for alert in alerts:
        state = states.get(alert.fault_id)
        if state is None:
            continue
        if alert.fault_id not in clocks_of:
            try:
                clocks_of[alert.fault_id] = evaluate(policy, state.history, now)
            except ValueError:
                clocks_of[alert.fault_id] = None  # logged by the planning above
        clocks = clocks_of[alert.fault_id]
        if clocks is None:
            continue
        reason = withdrawal(
            policy,
            state.history,
            clocks,
            alert.clock,
            alert.threshold,
            alert.deadline,
            alert.planned_at,
        )
        if reason is not None:
            reasons[alert.id] = reason
    return records.withdraw(reasons, now)

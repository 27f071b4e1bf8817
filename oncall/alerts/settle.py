"""The truth read on the alert service's database thread: what to arm, what to fire.

Two steps:

- ``replan``: one read of the database (open faults, their histories, the
  alerts they fired) as of the instant it runs on the thread, each fault's
  clocks evaluated once: the alerts still to come (for the timer to arm) and
  those the stored history says are due now (a clock that stopped, paused or
  moved its deadline has none).
- ``fire``: one batch of those due alerts, one transaction
  (``desk.alerts.insert_many``: an INSERT of each alert's unique key; the
  process whose INSERT wins fired it, the others get the stored row). The
  service fires a catch-up of hundreds in batches, the loop free between them.

``replan`` withdraws first the fired alerts that the stored history now says should
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
from oncall.desk.alert_views import AlertRecord, FaultInfo, FaultState
from oncall.sla import FaultClocks, Policy, evaluate

from .plan import Plan, Selection, plan_fault, triage, withdrawal

log = logging.getLogger("oncall.alerts")


@dataclass
class Outcome:
    """What one read found: the plans to arm per fault read, the alerts due to fire now
    (soonest first, with their faults), and what was withdrawn."""

    plans: dict[int, tuple[Plan, ...]] = field(default_factory=dict)
    due: list[Plan] = field(default_factory=list)
    faults: dict[int, FaultInfo] = field(default_factory=dict)
    withdrawn: list[AlertRecord] = field(default_factory=list)


def replan(records: Alerts, policy: Policy, fault_ids: set[int] | None, clock: Clock) -> Outcome:
    """These faults (None: every open fault) as of now: their alerts to arm and to fire.

    Each fault's clocks are evaluated once here; what is due is fired by ``fire``,
    in batches, without reading or evaluating again.
    """
    now = clock.now()  # here, not when queued: what is due by the time the thread runs
    states, chosen, clocks = _read(records, policy, fault_ids, now)
    out = Outcome(plans={fid: s.later for fid, s in chosen.items()})
    out.withdrawn = _withdraw(records, policy, fault_ids, states, clocks, now)
    out.faults = {s.info.id: s.info for s in states}
    out.due = sorted(
        (plan for s in chosen.values() for plan in s.fire),
        key=lambda p: (p.planned_at, p.key),
    )
    return out


def fire(
    records: Alerts, due: list[Plan], faults: dict[int, FaultInfo], clock: Clock, name: str
) -> list[tuple[AlertRecord, bool]]:
    """Fire one batch of due alerts: one transaction (``desk.alerts.insert_many``)."""
    return records.insert_many(due, faults, clock.now(), name)


def _read(
    records: Alerts, policy: Policy, fault_ids: set[int] | None, now: datetime
) -> tuple[list[FaultState], dict[int, Selection], dict[int, FaultClocks | None]]:
    """The open faults (all, or those of ``fault_ids``), their alerts sorted out as of
    now, and their clocks (None: they cannot be evaluated), for the withdrawals."""
    states = records.open_faults(fault_ids)
    keys, crossings = records.fired_for([s.info.id for s in states])
    chosen: dict[int, Selection] = {}
    evaluated: dict[int, FaultClocks | None] = {}
    for state in states:
        try:
            clocks = evaluate(policy, state.history, now, thresholds=True)
        except ValueError as exc:
            log.error("%s: cannot evaluate its clocks, no alerts: %s", state.info.ref, exc)
            evaluated[state.info.id] = None
            continue
        evaluated[state.info.id] = clocks
        plans = plan_fault(policy, state.info.id, state.history, clocks)
        chosen[state.info.id] = triage(plans, keys, crossings, now)
    return states, chosen, evaluated


def _withdraw(
    records: Alerts,
    policy: Policy,
    fault_ids: set[int] | None,
    known: list[FaultState],
    evaluated: dict[int, FaultClocks | None],
    now: datetime,
) -> list[AlertRecord]:
    """Withdraw the fired alerts of these faults that their history takes back (the
    clocks of the faults just read are not evaluated again)."""
    candidates = records.withdrawal_candidates(fault_ids)
    if not candidates:
        return []
    alerts = records.live(candidates)
    states = {s.info.id: s for s in known if s.info.id in candidates}
    states.update((s.info.id, s) for s in records.faults(candidates - set(states)))
    reasons: dict[int, str] = {}
    clocks_of = dict(evaluated)
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

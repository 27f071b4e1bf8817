"""Pure alert planning: clocks -> alert keys and instants; what fires now (``oncall.alerts.plan``).

Times are the desk's (Asia/Shanghai); 2026-03-04 is an ordinary Wednesday. Level
0 runs on 7x24: respond 1 h (warning at 45 min, critical at 54 min), resolve
4 h, solution 2 h, on-site arrival 24 h once unresponded for 1 h.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from oncall.alerts.plan import AlertKey, Plan, applies_from, plan_fault, triage
from oncall.resources import data_path
from oncall.sla import FaultHistory, evaluate, load_policy

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat("2026-" + text).replace(tzinfo=SH)


@pytest.fixture(scope="module")
def policy():
    return load_policy(data_path("sla.toml"))


def plans_of(policy, history, now) -> dict[tuple[str, str], Plan]:
    clocks = evaluate(policy, history, now, thresholds=True)
    return {(p.key.clock, p.key.threshold): p for p in plan_fault(policy, 7, history, clocks)}


def test_three_alerts_per_running_clock_at_the_policy_shares(policy):
    history = FaultHistory(level=0, channel="phone", reported_at=at("03-04 10:00"))
    plans = plans_of(policy, history, at("03-04 10:10"))
    assert {c for c, _ in plans} == {"respond", "resolve", "solution", "onsite_arrival"}
    respond = {t: plans[("respond", t)] for t in ("warning", "critical", "breach")}
    assert respond["warning"].planned_at == at("03-04 10:45")
    assert respond["critical"].planned_at == at("03-04 10:54")
    assert respond["breach"].planned_at == at("03-04 11:00")
    assert {p.key.deadline for p in respond.values()} == {at("03-04 11:00")}
    assert plans[("resolve", "breach")].planned_at == at("03-04 14:00")
    assert plans[("resolve", "warning")].planned_at == at("03-04 13:00")  # 75% of 4 h


def test_a_warning_lands_in_service_hours(policy):
    # Level 2 (5x8, 09:00-17:00): respond by phone in 4 service hours.
    history = FaultHistory(level=2, channel="phone", reported_at=at("03-04 15:00"))
    plans = plans_of(policy, history, at("03-04 15:00"))
    # 3 h used: 2 h on Wednesday, then Thursday 09:00 + 1 h
    assert plans[("respond", "warning")].planned_at == at("03-05 10:00")
    assert plans[("respond", "breach")].planned_at == at("03-05 11:00")


def test_stopped_and_paused_clocks_plan_nothing(policy):
    history = FaultHistory(
        level=0,
        channel="phone",
        reported_at=at("03-04 10:00"),
        responded_at=at("03-04 10:20"),
        pauses=((at("03-04 10:30"), None),),
    )
    plans = plans_of(policy, history, at("03-04 11:00"))
    assert ("respond", "warning") not in plans  # stopped by the response
    assert ("resolve", "warning") not in plans  # paused
    assert ("solution", "breach") in plans  # not pausable: runs on


def test_a_resume_plans_again_with_the_later_deadline(policy):
    paused = FaultHistory(
        level=0,
        channel="phone",
        reported_at=at("03-04 10:00"),
        responded_at=at("03-04 10:05"),
        pauses=((at("03-04 13:30"), at("03-04 15:30")),),
    )
    plans = plans_of(policy, paused, at("03-04 15:30"))
    # warning (13:00) came before the pause: same instant; the rest moves by 2 h
    assert plans[("resolve", "warning")].planned_at == at("03-04 13:00")
    assert plans[("resolve", "critical")].planned_at == at("03-04 15:36")
    assert plans[("resolve", "breach")].planned_at == at("03-04 16:00")
    assert plans[("resolve", "breach")].key.deadline == at("03-04 16:00")


def test_onsite_arrival_never_alerts_before_it_applies(policy):
    history = FaultHistory(level=0, channel="phone", reported_at=at("03-04 10:00"))
    assert applies_from(policy, history, "onsite_arrival") == at("03-04 11:00")
    assert applies_from(policy, history, "respond") is None
    plans = plans_of(policy, history, at("03-04 10:10"))
    assert plans[("onsite_arrival", "warning")].planned_at == at("03-05 04:00")
    assert all(
        p.planned_at >= at("03-04 11:00") for (c, _), p in plans.items() if c == "onsite_arrival"
    )


def _clock_plans(deadline: datetime) -> list[Plan]:
    key = AlertKey(1, "respond", "warning", deadline)
    return [
        Plan(key, deadline - timedelta(minutes=15)),
        Plan(AlertKey(1, "respond", "critical", deadline), deadline - timedelta(minutes=6)),
        Plan(AlertKey(1, "respond", "breach", deadline), deadline),
    ]


def test_triage_fires_what_is_due_and_keeps_the_rest():
    deadline = at("03-04 11:00")
    plans = _clock_plans(deadline)
    chosen = triage(plans, set(), set(), at("03-04 10:46"))
    assert [p.key.threshold for p in chosen.fire] == ["warning"]
    assert [p.key.threshold for p in chosen.later] == ["critical", "breach"]


def test_only_the_highest_missed_threshold_fires():
    deadline = at("03-04 11:00")
    plans = _clock_plans(deadline)
    chosen = triage(plans, set(), set(), at("03-04 13:00"))
    assert [p.key.threshold for p in chosen.fire] == ["breach"]
    assert [p.key.threshold for p in chosen.superseded] == ["warning", "critical"]
    assert chosen.later == ()
    # the breach already fired: the lower ones stay superseded, nothing fires
    again = triage(plans, {plans[2].key}, set(), at("03-04 13:00"))
    assert again.fire == () and [p.key.threshold for p in again.done] == ["breach"]
    assert len(again.superseded) == 2


def test_highest_rule_is_per_clock():
    deadline = at("03-04 11:00")
    other = [
        Plan(AlertKey(1, "resolve", t, at("03-04 14:00")), at(f"03-04 {h}"))
        for t, h in (("warning", "13:00"), ("critical", "13:36"), ("breach", "14:00"))
    ]
    chosen = triage(_clock_plans(deadline) + other, set(), set(), at("03-04 13:10"))
    assert sorted((p.key.clock, p.key.threshold) for p in chosen.fire) == [
        ("resolve", "warning"),
        ("respond", "breach"),
    ]


def test_a_fired_key_or_crossing_never_fires_again():
    deadline = at("03-04 11:00")
    plans = _clock_plans(deadline)
    warning = plans[0]
    chosen = triage(plans, {warning.key}, set(), at("03-04 10:50"))
    assert chosen.fire == () and chosen.done == (warning,)
    # the same crossing under a later deadline (a pause moved it): not again
    moved = Plan(AlertKey(1, "respond", "warning", at("03-04 12:00")), warning.planned_at)
    chosen = triage([moved], set(), {warning.crossing}, at("03-04 12:00"))
    assert chosen.fire == () and chosen.done == (moved,)


def test_job_ids_are_stable_and_distinct():
    deadline = at("03-04 11:00")
    ids = {p.key.job_id for p in _clock_plans(deadline)}
    assert len(ids) == 3
    assert (
        AlertKey(1, "respond", "warning", deadline).job_id == _clock_plans(deadline)[0].key.job_id
    )

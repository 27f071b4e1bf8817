"""A breach stays a breach: paused, resumed, stopped late, after a level change; and how
late it is (``late``), what is at stake (the fault's band, next breach) and what is
history (``missed``). The rules are in ``oncall.sla.clocks``'s docstring.

Level 0, phone, reported Wed 2026-03-04 10:00 (7x24): respond by 11:00, solution
by 12:00, resolve by 14:00. Level 3 (5x8): resolve 40h, a working week.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sla_support import H, M, at, events, fault

from oncall.resources import data_path
from oncall.sla import Band, Event, evaluate, load_policy


@pytest.fixture(scope="module")
def policy():
    return load_policy(data_path("sla.toml"))


def answered(**fields):
    """Responded and a solution proposed in time: only the resolve clock still runs."""
    return fault(responded_at="03-04 10:30", solution_at="03-04 11:00", **fields)


def test_paused_after_the_breach_stays_breached_and_at_stake(policy):
    clocks = evaluate(policy, answered(pauses=[("03-04 15:00", None)]), at("03-04 16:00"), True)
    resolve = clocks.clock("resolve")
    assert resolve.paused and not resolve.running and resolve.live
    assert resolve.deadline == at("03-04 14:00") and resolve.band is Band.BREACHED
    assert resolve.late(at("03-04 16:00")) == 2 * H
    # The fault: breached, its next breach the paused clock's deadline (sorts as overdue).
    assert clocks.band is Band.BREACHED
    assert (clocks.next_clock, clocks.next_breach) == ("resolve", at("03-04 14:00"))
    assert clocks.paused_since == at("03-04 15:00") and clocks.late(at("03-04 16:00")) == 2 * H
    # Time moves on: still breached, later by the wall time, no band change to wait for.
    day_after = at("03-05 16:00")
    assert clocks.band_at(day_after) is Band.BREACHED and resolve.late(day_after) == 26 * H
    assert clocks.changes_after(at("03-04 16:00")) is None


def test_paused_in_time_is_not_at_stake_while_paused(policy):
    # Paused at 13:45 with 3h45 of 4h used (critical): no deadline until it resumes.
    clocks = evaluate(policy, answered(pauses=[("03-04 13:45", None)]), at("03-04 20:00"), True)
    resolve = clocks.clock("resolve")
    assert resolve.paused and resolve.deadline is None and not resolve.live
    assert resolve.band is Band.CRITICAL and resolve.late(at("03-04 20:00")) == 0
    assert clocks.band is Band.OK and clocks.next_breach is None and clocks.next_clock is None
    assert clocks.paused_since == at("03-04 13:45") and clocks.late(at("03-04 20:00")) == 0
    # Resumed at 20:00: 15 min left, due 20:15; breached from then on.
    resumed = answered(pauses=[("03-04 13:45", "03-04 20:00")])
    clocks = evaluate(policy, resumed, at("03-04 20:10"), True)
    assert clocks.paused_since is None
    assert clocks.next_breach == at("03-04 20:15") and clocks.band is Band.CRITICAL
    assert clocks.band_at(at("03-04 20:15")) is Band.BREACHED


def test_resumed_after_the_breach_keeps_the_deadline_and_the_lateness(policy):
    history = answered(pauses=[("03-04 15:00", "03-04 16:00")])
    clocks = evaluate(policy, history, at("03-04 17:00"), True)
    resolve = clocks.clock("resolve")
    assert resolve.running and resolve.deadline == at("03-04 14:00")
    assert resolve.band is Band.BREACHED and clocks.band is Band.BREACHED
    assert resolve.late(at("03-04 17:00")) == 3 * H  # wall time, the pause included
    assert -resolve.remaining == 2 * H  # service time over the target: the pause excluded
    assert clocks.next_breach == at("03-04 14:00")


def test_stopped_late_is_missed_history_not_at_stake(policy):
    # Responded at 11:30 (due 11:00), solution at 13:00 (due 12:00), resolved at 15:30
    # (due 14:00): three missed deadlines, nothing at stake any more.
    history = fault(
        responded_at="03-04 11:30",
        solution_at="03-04 13:00",
        resolutions=[("03-04 15:30", None)],
    )
    for now in (at("03-04 16:00"), at("03-09 16:00")):  # the lateness does not grow
        clocks = evaluate(policy, history, now)
        assert [c.name for c in clocks.missed] == ["respond", "resolve", "solution"]
        assert [c.late(now) for c in clocks.missed] == [30 * M, 90 * M, 1 * H]
        assert all(c.band is Band.BREACHED and c.met is False for c in clocks.missed)
        assert not any(c.live for c in clocks.clocks)
        assert clocks.band is Band.OK and clocks.next_breach is None


def test_a_late_response_is_missed_while_the_fault_is_judged_by_what_still_runs(policy):
    history = fault(responded_at="03-04 11:30", solution_at="03-04 11:40")
    clocks = evaluate(policy, history, at("03-04 12:00"))
    assert [c.name for c in clocks.missed] == ["respond"]
    assert clocks.clock("respond").late(at("03-04 12:00")) == 30 * M
    # resolve: 2h of 4h used; the missed response does not make the fault breached
    assert clocks.band is Band.OK and clocks.next_clock == "resolve"


def test_met_and_running_clocks_are_not_late(policy):
    clocks = evaluate(policy, answered(), at("03-04 12:00"))
    assert clocks.missed == ()
    assert all(c.late(at("03-04 12:00")) == 0 for c in clocks.clocks)
    running = evaluate(policy, answered(), at("03-04 14:00")).clock("resolve")
    assert running.late(at("03-04 14:00")) == 0  # due now: breached, not late yet
    assert running.late(at("2026-03-04 14:00:30")) == 30


def test_a_stop_while_paused_after_the_breach_is_missed_by_the_stop(policy):
    # Paused at 15:00 after the 14:00 breach, resolved while waiting at 18:00.
    history = events(
        (Event.REPORTED, "03-04 10:00", (0, "phone")),
        (Event.RESPONDED, "03-04 10:30"),
        (Event.SOLUTION, "03-04 11:00"),
        (Event.PAUSED, "03-04 15:00"),
        (Event.RESOLVED, "03-04 18:00"),
    )
    clocks = evaluate(policy, history, at("03-05 09:00"))
    resolve = clocks.clock("resolve")
    assert resolve.met is False and resolve.late(at("03-05 09:00")) == 4 * H
    assert clocks.band is Band.OK and clocks.paused_since is None


def test_a_level_change_while_paused_recomputes_the_breach(policy):
    base = [
        (Event.REPORTED, "03-04 10:00", (0, "phone")),
        (Event.RESPONDED, "03-04 10:30"),
        (Event.SOLUTION, "03-04 11:00"),
        (Event.PAUSED, "03-04 15:00"),
    ]
    now = at("03-04 16:30")
    breached = evaluate(policy, events(*base), now)
    assert breached.band is Band.BREACHED and breached.next_clock == "resolve"
    # Down to level 3 (40 working hours): the 14:00 breach never happened.
    lowered = evaluate(policy, events(*base, (Event.LEVEL, "03-04 16:00", 3)), now)
    resolve = lowered.clock("resolve")
    assert resolve.paused and resolve.deadline is None and resolve.band is Band.OK
    assert lowered.band is Band.OK and lowered.next_breach is None
    # Up from level 3 to level 0 while paused: breached at 14:00, before the pause.
    raised = [(*base[0][:2], (3, "phone")), *base[1:], (Event.LEVEL, "03-04 16:00", 0)]
    clocks = evaluate(policy, events(*raised), now)
    assert clocks.clock("resolve").deadline == at("03-04 14:00")
    assert clocks.band is Band.BREACHED and clocks.next_breach == at("03-04 14:00")
    assert clocks.clock("resolve").late(now) == 150 * M


def test_a_paused_breach_sorts_before_a_later_running_one(policy):
    # The earliest live deadline is the next breach, paused or running.
    history = fault(responded_at="03-04 10:30", pauses=[("03-04 15:00", None)])
    clocks = evaluate(policy, history, at("03-04 16:00"))
    # solution (not pausable) breached at 12:00 and still runs; resolve paused after 14:00
    assert clocks.clock("solution").running and clocks.clock("resolve").paused
    assert (clocks.next_clock, clocks.next_breach) == ("solution", at("03-04 12:00"))
    proposed = replace(history, solution_at=at("03-04 12:30"))
    clocks = evaluate(policy, proposed, at("03-04 16:00"))
    assert (clocks.next_clock, clocks.next_breach) == ("resolve", at("03-04 14:00"))
    assert [c.name for c in clocks.missed] == ["solution"]

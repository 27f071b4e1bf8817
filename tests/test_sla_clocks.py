"""A fault's clocks from its history: pauses, level changes, reopening, stops,
the further deadlines, bands and the next breach (``evaluate``).

Times are the desk's (Asia/Shanghai). 2026-03-04 is a Wednesday, an ordinary
working day; level 0 runs on 7x24 (respond 1h, resolve 4h, solution 2h), level 1
on 7x8, level 2 on 5x8 (respond phone 4h, resolve 24h, solution 24h on 7x24).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sla_support import SH, H, M, at, events, fault  # noqa: F401

from oncall.resources import data_path
from oncall.sla import Band, Event, evaluate, load_policy


@pytest.fixture(scope="module")
def policy():
    return load_policy(data_path("sla.toml"))


# -- pauses -----------------------------------------------------------------------------


def test_a_finished_pause_moves_the_resolve_deadline(policy):
    history = fault(pauses=[("03-04 11:00", "03-04 12:30")])
    clocks = evaluate(policy, history, at("03-04 13:00"))
    resolve = clocks.clock("resolve")
    assert resolve.deadline == at("03-04 15:30")  # 14:00 + the 1h30 waited
    assert resolve.running and not resolve.paused
    assert resolve.paused_seconds == 90 * M
    assert resolve.used == 90 * M  # 3h since the report, less 1h30 paused
    assert clocks.paused_wall_seconds == 90 * M
    # The response clock does not pause.
    assert clocks.clock("respond").deadline == at("03-04 11:00")
    assert clocks.clock("respond").paused_seconds == 0


def test_while_paused_the_deadline_is_unknown(policy):
    history = fault(pauses=[("03-04 11:00", None)])
    clocks = evaluate(policy, history, at("03-04 12:00"))
    resolve = clocks.clock("resolve")
    assert resolve.paused and not resolve.running
    assert resolve.deadline is None and resolve.left(at("03-04 12:00")) is None
    assert resolve.used == 1 * H
    assert resolve.paused_seconds == 1 * H
    assert resolve.band is Band.OK
    assert clocks.paused_wall_seconds == 1 * H
    # Still paused hours later: the used time does not grow.
    later = evaluate(policy, history, at("03-04 20:00")).clock("resolve")
    assert later.used == 1 * H and later.paused_seconds == 9 * H and later.band is Band.OK


def test_resume_continues_with_the_remaining_time(policy):
    history = fault(pauses=[("03-04 11:00", "03-04 12:30")])
    resolve = evaluate(policy, history, at("03-04 12:30")).clock("resolve")
    assert resolve.deadline == at("03-04 12:30") + timedelta(hours=3)  # 3h of 4h were left
    assert resolve.remaining == 3 * H


def test_pause_across_the_night_counts_service_time_only(policy):
    # Level 2 (5x8) from Wed 09:00; waiting on the customer Wed 16:00 to Thu 10:00:
    # 1h (16-17) + 1h (09-10) of service paused, 18h of real time.
    history = fault(level=2, reported="03-04 09:00", pauses=[("03-04 16:00", "03-05 10:00")])
    clocks = evaluate(policy, history, at("03-05 12:00"))
    resolve = clocks.clock("resolve")
    assert resolve.paused_seconds == 2 * H
    assert clocks.paused_wall_seconds == 18 * H
    assert resolve.used == 7 * H + 2 * H  # Wed 09-16 and Thu 10-12
    # 24h would end Fri 17:00; 2h paused move it to Mon 11:00.
    assert resolve.deadline == at("03-09 11:00")


def test_several_pauses_add_up(policy):
    history = fault(
        pauses=[
            ("03-04 10:30", "03-04 11:00"),
            ("03-04 12:00", "03-04 12:15"),
            ("03-04 13:00", "03-04 14:00"),
        ]
    )
    clocks = evaluate(policy, history, at("03-04 15:00"))
    assert clocks.clock("resolve").deadline == at("03-04 15:45")
    assert clocks.clock("resolve").paused_seconds == 105 * M
    assert clocks.paused_wall_seconds == 105 * M


def test_a_pause_after_the_breach_does_not_undo_it(policy):
    # The resolve clock ran out at 14:00; the wait starts at 15:00.
    for pauses in ([("03-04 15:00", None)], [("03-04 15:00", "03-04 15:30")]):
        resolve = evaluate(policy, fault(pauses=pauses), at("03-04 16:00")).clock("resolve")
        assert resolve.deadline == at("03-04 14:00")
        assert resolve.band is Band.BREACHED


def test_a_pause_before_the_report_is_ignored(policy):
    history = fault(pauses=[("03-04 08:00", "03-04 09:00")])
    resolve = evaluate(policy, history, at("03-04 11:00")).clock("resolve")
    assert resolve.deadline == at("03-04 14:00")
    assert resolve.paused_seconds == 0


def test_a_pause_that_began_before_the_report_counts_from_the_report(policy):
    history = fault(pauses=[("03-04 09:00", "03-04 11:00")])
    resolve = evaluate(policy, history, at("03-04 12:00")).clock("resolve")
    assert resolve.deadline == at("03-04 15:00")
    assert resolve.paused_seconds == 1 * H


def test_a_pause_after_the_resolution_does_not_change_the_verdict(policy):
    # Level 2 reported Wed 09:00: 24h of 5x8 end Fri 17:00. Resolved Fri 16:00 (met);
    # a wait that starts after the resolution must not move the deadline.
    base = fault(level=2, reported="03-04 09:00", resolutions=[("03-06 16:00", None)])
    after = replace(base, pauses=((at("03-06 16:30"), at("03-06 16:45")),))
    for history in (base, after):
        resolve = evaluate(policy, history, at("03-09 12:00")).clock("resolve")
        assert resolve.deadline == at("03-06 17:00")
        assert resolve.stopped_at == at("03-06 16:00")
        assert resolve.met is True and resolve.band is Band.OK
        assert resolve.paused_seconds == 0


def test_a_pause_after_now_is_not_counted_yet(policy):
    # Replaying a history as of an earlier instant: a later wait is not yet known.
    history = fault(pauses=[("03-04 13:00", "03-04 14:00")])
    resolve = evaluate(policy, history, at("03-04 11:00")).clock("resolve")
    assert resolve.deadline == at("03-04 14:00")
    assert resolve.running and resolve.used == 1 * H


def test_a_pause_starting_now_is_a_pause(policy):
    history = fault(pauses=[("03-04 11:00", None)])
    resolve = evaluate(policy, history, at("03-04 11:00")).clock("resolve")
    assert resolve.paused and resolve.deadline is None and resolve.used == 1 * H


def test_pausable_further_deadline(policy):
    pausable = replace(
        policy,
        further=tuple(replace(d, pausable=d.clock == "solution") for d in policy.further),
    )
    history = fault(pauses=[("03-04 11:00", "03-04 11:30")])
    clocks = evaluate(pausable, history, at("03-04 11:45"))
    assert clocks.clock("solution").deadline == at("03-04 12:30")  # 2h + 30 min waited
    assert evaluate(policy, history, at("03-04 11:45")).clock("solution").deadline == at(
        "03-04 12:00"
    )
    paused = evaluate(pausable, fault(pauses=[("03-04 11:00", None)]), at("03-04 11:45"))
    assert paused.clock("solution").paused and paused.clock("solution").deadline is None


# -- level and channel changes ------------------------------------------------------------


def test_level_change_recomputes_from_the_report_and_keeps_the_pauses(policy):
    history = events(
        (Event.REPORTED, "03-04 10:00", (2, "phone")),
        (Event.PAUSED, "03-04 11:00"),
        (Event.RESUMED, "03-04 12:00"),
        (Event.LEVEL, "03-04 12:30", 0),
    )
    assert history.level == 0 and history.reported_at == at("03-04 10:00")
    clocks = evaluate(policy, history, at("03-04 13:00"))
    respond = clocks.clock("respond")
    assert respond.deadline == at("03-04 11:00")  # level 0: 1h from the report
    assert respond.band is Band.BREACHED
    resolve = clocks.clock("resolve")
    assert resolve.window == "7x24"
    assert resolve.deadline == at("03-04 15:00")  # 4h from the report + 1h paused
    assert resolve.paused_seconds == 1 * H
    assert clocks.paused_wall_seconds == 1 * H
    assert {c.name for c in clocks.clocks} >= {"solution", "onsite_arrival"}


def test_level_lowered_runs_on_the_new_window(policy):
    history = events(
        (Event.REPORTED, "03-06 16:00", (0, "electronic")),
        (Event.LEVEL, "03-06 16:20", 3),
    )
    clocks = evaluate(policy, history, at("03-06 16:30"))
    # Level 3 on 5x8: 1h Fri, then 7h on Mon; resolve 1 + 32 (Mon-Thu) + 7 on Fri.
    assert clocks.clock("respond").deadline == at("03-09 16:00")
    assert clocks.clock("resolve").deadline == at("03-13 16:00")
    assert clocks.clock("onsite_arrival") is None  # level 3 owes no on-site arrival


def test_channel_change_picks_the_other_target(policy):
    history = events(
        (Event.REPORTED, "03-04 10:00", (2, "phone")),
        (Event.CHANNEL, "03-04 10:05", "electronic"),
    )
    # electronic on 5x8: 8h = 7h Wed + 1h Thu
    assert evaluate(policy, history, at("03-04 10:10")).clock("respond").deadline == at(
        "03-05 10:00"
    )


def test_from_events_folds_the_history():
    history = events(
        (Event.RESPONDED, "03-04 10:30"),  # any order: sorted by time
        (Event.REPORTED, "03-04 10:00", (1, "phone")),
        (Event.RESPONDED, "03-04 10:45"),  # the first response counts
        (Event.PAUSED, "03-04 11:00"),
        (Event.PAUSED, "03-04 11:10"),  # already waiting
        (Event.RESUMED, "03-04 11:30"),
        (Event.RESUMED, "03-04 11:40"),  # not waiting
        (Event.REMOTE_STARTED, "03-04 11:50"),
        (Event.PAUSED, "03-04 12:00"),
        (Event.RESOLVED, "03-04 12:30"),  # resolving ends the wait
        (Event.REOPENED, "03-04 13:00"),
        (Event.ONSITE_STARTED, "03-04 14:00"),
        (Event.ESCALATED, "03-04 15:00"),
        (Event.SOLUTION, "03-04 15:10"),
    )
    assert history.responded_at == at("03-04 10:30")
    assert history.pauses == (
        (at("03-04 11:00"), at("03-04 11:30")),
        (at("03-04 12:00"), at("03-04 12:30")),
    )
    assert history.resolutions == ((at("03-04 12:30"), at("03-04 13:00")),)
    assert history.first_resolved_at == at("03-04 12:30")
    assert history.resolved_at is None
    assert history.remote_started_at == at("03-04 11:50")
    assert history.onsite_started_at == at("03-04 14:00")
    assert history.escalated_at == at("03-04 15:00")
    assert history.solution_at == at("03-04 15:10")


def test_from_events_needs_the_report_first():
    with pytest.raises(ValueError, match="starts with its report"):
        events((Event.RESPONDED, "03-04 10:30"))
    with pytest.raises(ValueError, match="level, channel"):
        events((Event.REPORTED, "03-04 10:00"))


# -- reopening ----------------------------------------------------------------------------


def reopened(**more):
    return fault(resolutions=[("03-04 11:00", "03-04 13:00")], **more)


def test_reopen_full_starts_the_whole_target_again(policy):
    assert policy.reopen == "full"
    resolve = evaluate(policy, reopened(), at("03-04 14:00")).clock("resolve")
    assert resolve.started_at == at("03-04 13:00")
    assert resolve.deadline == at("03-04 17:00")
    assert resolve.used == 1 * H and resolve.paused_seconds == 0


def test_reopen_remaining_resumes_what_was_left(policy):
    remaining = replace(policy, reopen="remaining")
    resolve = evaluate(remaining, reopened(), at("03-04 14:00")).clock("resolve")
    assert resolve.started_at == at("03-04 10:00")
    # 1h used before the resolution, 2h resolved count as paused: due 16:00.
    assert resolve.deadline == at("03-04 16:00")
    assert resolve.used == 2 * H and resolve.paused_seconds == 2 * H


def test_reopen_modes_with_pauses_and_a_second_resolution(policy):
    history = fault(
        pauses=[("03-04 10:30", "03-04 10:45"), ("03-04 13:30", "03-04 14:00")],
        resolutions=[("03-04 11:00", "03-04 13:00"), ("03-04 15:00", None)],
    )
    full = evaluate(policy, history, at("03-04 16:00")).clock("resolve")
    # From the reopen at 13:00, less the 30 min wait: 2h of service up to 15:00.
    assert full.started_at == at("03-04 13:00")
    assert full.stopped_at == at("03-04 15:00")
    assert full.used == 90 * M and full.deadline == at("03-04 17:30") and full.met
    rest = evaluate(replace(policy, reopen="remaining"), history, at("03-04 16:00"))
    resolve = rest.clock("resolve")
    # From 10:00: 15 min waited, 2h resolved and 30 min waited are paused (2h45).
    assert resolve.paused_seconds == 165 * M
    assert resolve.used == 5 * H - 165 * M
    assert resolve.deadline == at("03-04 16:45") and resolve.met
    # Other clocks stop at the first resolution.
    assert rest.clock("solution").stopped_at == at("03-04 11:00")


# -- stopped clocks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("responded", "met", "band"),
    [
        ("03-04 10:30", True, Band.OK),
        ("03-04 11:00", True, Band.OK),
        ("2026-03-04 11:00:01", False, Band.BREACHED),
        ("03-04 12:00", False, Band.BREACHED),
    ],
)
def test_stopped_response_is_met_or_breached(policy, responded, met, band):
    clocks = evaluate(policy, fault(responded_at=responded), at("03-04 13:00"))
    respond = clocks.clock("respond")
    assert respond.stopped_at == at(responded) and not respond.running
    assert respond.deadline == at("03-04 11:00")
    assert respond.met is met and respond.band is band


def test_stopped_clock_keeps_its_used_time(policy):
    clocks = evaluate(policy, fault(level=2, responded_at="03-04 11:30"), at("03-05 13:00"))
    respond = clocks.clock("respond")
    assert respond.used == 90 * M and respond.remaining == 150 * M


def test_resolution_stops_resolve_and_the_further_clocks(policy):
    history = fault(
        responded_at="03-04 11:30",
        remote_started_at="03-04 10:30",
        onsite_started_at="03-04 12:00",
        resolutions=[("03-04 13:00", None)],
    )
    clocks = evaluate(policy, history, at("03-04 18:00"))
    for name in ("resolve", "solution", "onsite_escalation"):
        assert clocks.clock(name).stopped_at == at("03-04 13:00"), name
    assert clocks.clock("respond").band is Band.BREACHED  # answered 30 min late
    # Not answered within 1h: an engineer was owed on site, and came at 12:00.
    assert clocks.clock("onsite_arrival").stopped_at == at("03-04 12:00")
    assert clocks.clock("resolve").met and clocks.clock("onsite_escalation").met
    assert clocks.clock("solution").band is Band.BREACHED  # due 12:00
    assert clocks.clock("remote_fix").stopped_at == at("03-04 12:00")  # on-site work began
    assert clocks.next_breach is None and clocks.next_clock is None
    assert clocks.band is Band.OK  # no running clock


# -- the further clocks --------------------------------------------------------------------


def test_onsite_arrival_is_pending_during_the_first_hour(policy):
    history = fault(level=1)
    early = evaluate(policy, history, at("03-04 10:30"))
    arrival = early.clock("onsite_arrival")
    assert arrival.pending and arrival.deadline == at("03-05 10:00")
    assert early.band is Band.OK
    late = evaluate(policy, history, at("03-04 11:01")).clock("onsite_arrival")
    assert not late.pending and late.deadline == at("03-05 10:00") and late.running


@pytest.mark.parametrize(
    ("responded", "owed"),
    [("03-04 10:59", False), ("03-04 11:00", False), ("03-04 11:01", True)],
)
def test_onsite_arrival_only_when_not_responded_within_an_hour(policy, responded, owed):
    clocks = evaluate(policy, fault(level=1, responded_at=responded), at("03-04 12:00"))
    arrival = clocks.clock("onsite_arrival")
    assert (arrival is not None) is owed
    if owed:
        assert not arrival.pending and arrival.deadline == at("03-05 10:00")


def test_onsite_arrival_stops_when_on_site_work_starts(policy):
    history = fault(responded_at="03-04 12:00", onsite_started_at="03-05 09:30")
    arrival = evaluate(policy, history, at("03-05 12:00")).clock("onsite_arrival")
    assert arrival.stopped_at == at("03-05 09:30") and arrival.met
    late = replace(history, onsite_started_at=at("03-05 10:30"))
    arrival = evaluate(policy, late, at("03-05 12:00")).clock("onsite_arrival")
    assert arrival.met is False and arrival.band is Band.BREACHED


def test_onsite_arrival_only_for_major_levels(policy):
    for level in (2, 3):
        assert (
            evaluate(policy, fault(level=level), at("03-04 12:00")).clock("onsite_arrival") is None
        )


def test_remote_fix_runs_from_the_first_remote_work_to_on_site(policy):
    assert evaluate(policy, fault(level=1), at("03-04 12:00")).clock("remote_fix") is None
    running = evaluate(policy, fault(level=1, remote_started_at="03-04 10:30"), at("03-04 11:00"))
    remote = running.clock("remote_fix")
    assert remote.started_at == at("03-04 10:30") and remote.deadline == at("03-04 12:30")
    assert remote.running and remote.used == 30 * M
    onsite = fault(level=1, remote_started_at="03-04 10:30", onsite_started_at="03-04 13:00")
    remote = evaluate(policy, onsite, at("03-04 14:00")).clock("remote_fix")
    assert remote.stopped_at == at("03-04 13:00") and remote.met is False
    fixed = fault(level=1, remote_started_at="03-04 10:30", resolutions=[("03-04 12:00", None)])
    remote = evaluate(policy, fixed, at("03-04 14:00")).clock("remote_fix")
    assert remote.stopped_at == at("03-04 12:00") and remote.met


def test_remote_fix_not_for_level_3(policy):
    history = fault(level=3, remote_started_at="03-04 10:30")
    assert evaluate(policy, history, at("03-04 11:00")).clock("remote_fix") is None


def test_onsite_escalation_runs_from_on_site_work_to_escalation(policy):
    history = fault(level=1, responded_at="03-04 10:10", onsite_started_at="03-04 13:00")
    escalation = evaluate(policy, history, at("03-04 14:00")).clock("onsite_escalation")
    assert escalation.started_at == at("03-04 13:00")
    assert escalation.deadline == at("03-04 15:00") and escalation.running
    done = replace(history, escalated_at=at("03-04 14:30"))
    escalation = evaluate(policy, done, at("03-04 16:00")).clock("onsite_escalation")
    assert escalation.stopped_at == at("03-04 14:30") and escalation.met
    # An escalation before on-site work began does not stop this clock.
    early = replace(history, escalated_at=at("03-04 12:00"))
    escalation = evaluate(policy, early, at("03-04 16:00")).clock("onsite_escalation")
    assert escalation.stopped_at is None and escalation.band is Band.BREACHED
    assert (
        evaluate(policy, fault(level=2, onsite_started_at="03-04 13:00"), at("03-04 14:00")).clock(
            "onsite_escalation"
        )
        is None
    )


def test_solution_stops_at_the_proposal(policy):
    history = fault(level=2, solution_at="03-05 09:00")
    solution = evaluate(policy, history, at("03-05 12:00")).clock("solution")
    assert solution.deadline == at("03-05 10:00") and solution.met


# -- bands and the next breach --------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "band"),
    [
        ("03-04 10:00", Band.OK),
        ("2026-03-04 12:59:59", Band.OK),  # 74.99 %
        ("03-04 13:00", Band.WARNING),  # 3h of 4h: 75 %
        ("2026-03-04 13:35:59", Band.WARNING),
        ("03-04 13:36", Band.CRITICAL),  # 3h36 of 4h: 90 %
        ("2026-03-04 13:59:59", Band.CRITICAL),
        ("03-04 14:00", Band.BREACHED),  # at the deadline
        ("03-04 18:00", Band.BREACHED),
    ],
)
def test_bands_at_75_90_and_100_percent(policy, now, band):
    history = fault(responded_at="03-04 10:05", solution_at="03-04 10:10")
    clocks = evaluate(policy, history, at(now))
    assert clocks.clock("resolve").band is band
    assert clocks.band is band  # the only running clock besides the pending arrival


def test_bands_count_service_time_only(policy):
    # Level 2 reported Wed 16:00 (resolve 24h of 5x8): by Thu 09:00 one hour is used.
    history = fault(level=2, reported="03-04 16:00", responded_at="03-04 16:10")
    resolve = evaluate(policy, history, at("03-05 09:00")).clock("resolve")
    assert resolve.used == 1 * H and resolve.band is Band.OK
    # Wed 1h + Thu 8h + Fri 8h = 17h by Friday's close: 70.8 %.
    resolve = evaluate(policy, history, at("03-07 12:00")).clock("resolve")
    assert resolve.used == 17 * H and resolve.band is Band.OK
    # The weekend adds nothing; Mon 10:00 makes 18h: 75 %.
    resolve = evaluate(policy, history, at("03-09 10:00")).clock("resolve")
    assert resolve.used == 18 * H and resolve.band is Band.WARNING
    # 90 % is 21h36: Mon 09:00 + 4h36 = 13:36.
    resolve = evaluate(policy, history, at("03-09 13:36")).clock("resolve")
    assert resolve.used == 21 * H + 36 * M and resolve.band is Band.CRITICAL


def test_warning_thresholds_come_from_the_policy(policy):
    strict = replace(policy, warning=0.5, critical=0.6)
    history = fault(responded_at="03-04 10:05", solution_at="03-04 10:10")
    assert evaluate(strict, history, at("03-04 12:00")).clock("resolve").band is Band.WARNING
    assert evaluate(strict, history, at("03-04 12:24")).clock("resolve").band is Band.CRITICAL


def test_next_breach_is_the_earliest_running_deadline(policy):
    # Level 2 phone, Wed 10:00: respond 14:00; solution Thu 10:00 (24h on 7x24);
    # resolve 24h of 5x8 = 7h Wed + 8h Thu + 8h Fri + 1h Mon = Mon 10:00.
    history = fault(level=2)
    clocks = evaluate(policy, history, at("03-04 11:00"))
    assert (clocks.next_clock, clocks.next_breach) == ("respond", at("03-04 14:00"))
    answered = replace(history, responded_at=at("03-04 11:00"))
    clocks = evaluate(policy, answered, at("03-04 12:00"))
    assert (clocks.next_clock, clocks.next_breach) == ("solution", at("03-05 10:00"))
    proposed = replace(answered, solution_at=at("03-04 15:00"))
    clocks = evaluate(policy, proposed, at("03-04 16:00"))
    assert (clocks.next_clock, clocks.next_breach) == ("resolve", at("03-09 10:00"))
    remote = replace(proposed, remote_started_at=at("03-04 16:00"))
    clocks = evaluate(policy, remote, at("03-04 16:30"))
    assert (clocks.next_clock, clocks.next_breach) == ("remote_fix", at("03-04 18:00"))
    # A paused clock has no deadline: it is not the next breach.
    waiting = replace(proposed, pauses=((at("03-04 15:30"), None),))
    clocks = evaluate(policy, waiting, at("03-04 16:00"))
    assert clocks.next_breach is None and clocks.next_clock is None


def test_a_breached_running_clock_is_still_the_next_breach(policy):
    clocks = evaluate(policy, fault(), at("03-04 11:30"))
    assert clocks.next_clock == "respond" and clocks.next_breach == at("03-04 11:00")
    assert clocks.band is Band.BREACHED
    assert clocks.clock("respond").left(at("03-04 11:30")) == -30 * M


def test_every_clock_of_every_level_is_named_in_order(policy):
    for level in range(4):
        for channel in ("phone", "electronic"):
            history = fault(
                level=level,
                channel=channel,
                remote_started_at="03-04 10:30",
                onsite_started_at="03-04 11:30",
            )
            names = [c.name for c in evaluate(policy, history, at("03-04 12:00")).clocks]
            assert names[:2] == ["respond", "resolve"]
            expected = {
                0: ["solution", "remote_fix", "onsite_escalation", "onsite_arrival"],
                1: ["solution", "remote_fix", "onsite_escalation", "onsite_arrival"],
                2: ["solution", "remote_fix"],
                3: ["solution"],
            }[level]
            assert names[2:] == expected


def test_unknown_level_or_channel(policy):
    with pytest.raises(ValueError, match="unknown level"):
        evaluate(policy, fault(level=9), at("03-04 12:00"))
    with pytest.raises(ValueError, match="unknown channel"):
        evaluate(policy, fault(channel="pigeon"), at("03-04 12:00"))


def test_threshold_instants_for_the_alert_scheduler(policy):
    history = fault(responded_at="03-04 10:05", solution_at="03-04 10:10")
    resolve = evaluate(policy, history, at("03-04 11:00"), thresholds=True).clock("resolve")
    assert resolve.thresholds == (
        ("warning", at("03-04 13:00")),  # 75 % of 4h
        ("critical", at("03-04 13:36")),  # 90 %
        ("breach", at("03-04 14:00")),
    )
    waited = replace(history, pauses=((at("03-04 11:00"), at("03-04 11:30")),))
    resolve = evaluate(policy, waited, at("03-04 12:00"), thresholds=True).clock("resolve")
    assert [t for _, t in resolve.thresholds] == [
        at("03-04 13:30"),
        at("03-04 14:06"),
        at("03-04 14:30"),
    ]
    # On 5x8 the shares are of service time: level 2 from Wed 16:00, 24h; Wed 1h,
    # Thu and Fri 8h each, then Mon: 18h at 10:00, 21h36 at 13:36, 24h at 16:00.
    minor = fault(level=2, reported="03-04 16:00", responded_at="03-04 16:10")
    resolve = evaluate(policy, minor, at("03-05 09:00"), thresholds=True).clock("resolve")
    assert [t for _, t in resolve.thresholds] == [
        at("03-09 10:00"),
        at("03-09 13:36"),
        at("03-09 16:00"),
    ]
    # Without the flag, or for a stopped or paused clock: none.
    assert evaluate(policy, history, at("03-04 11:00")).clock("resolve").thresholds == ()
    paused = replace(history, pauses=((at("03-04 10:30"), None),))
    assert (
        evaluate(policy, paused, at("03-04 11:00"), thresholds=True).clock("resolve").thresholds
        == ()
    )
    assert (
        evaluate(policy, history, at("03-04 11:00"), thresholds=True).clock("respond").thresholds
        == ()
    )

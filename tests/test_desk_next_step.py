"""The contract's next step, over a table of histories: every status and deadline situation.

Pure: each case is a ``FaultView`` built from a history and the SLA engine's
clocks over it, no database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oncall.desk.next_step import REASONS, STEPS, NextStep, Wording, describe, next_step
from oncall.desk.views import (
    EngineerInfo,
    EventView,
    FaultRecord,
    FaultSummary,
    FaultView,
    WorkEntry,
)
from oncall.sla import Event, FaultHistory, HistoryEvent, evaluate
from oncall.timefmt import show, span

H = timedelta(hours=1)
M = timedelta(minutes=1)
# Tuesday 2026-03-10 09:00 in Shanghai: the start of every service window.
T0 = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
FULL = FaultRecord("stale data", "traced to the FEP", "restarted it", "none", "none")
EMPTY = FaultRecord("stale data", "", "", "", "")
ROSTER = (
    EngineerInfo("alice", "Alice Wang", "engineer", "", True),
    EngineerInfo("bob", "Bob Li", "senior", "", True),
    EngineerInfo("carol", "Carol Zhang", "expert", "", False),
)


def work(n, mode, start, end=None, signed=None) -> WorkEntry:
    return WorkEntry(
        id=n,
        fault_ref="F-2026-00001",
        mode=mode,
        start=start,
        end=end,
        engineer="alice",
        done="",
        result="",
        customer_signoff_name="张工" if signed else None,
        customer_signoff_at=signed,
        engineer_signoff="alice" if signed else None,
        engineer_signoff_at=signed,
    )


def view(
    policy,
    now,
    *,
    level=0,
    status="in_progress",
    assignee="alice",
    responded=T0 + 10 * M,
    solution=None,
    entries=(),
    escalated=None,
    paused=None,
    resolved=None,
    reopened=None,
    record=EMPTY,
) -> FaultView:
    """A fault reported at T0 by phone, with what happened to it since."""
    happened = [HistoryEvent(Event.REPORTED, T0, (level, "phone"))]
    marks = [
        (Event.RESPONDED, responded),
        (Event.SOLUTION, solution),
        (Event.ESCALATED, escalated),
        (Event.PAUSED, paused),
        (Event.RESOLVED, resolved),
        (Event.REOPENED, reopened),
    ]
    happened += [HistoryEvent(kind, at) for kind, at in marks if at is not None]
    started = {"remote": Event.REMOTE_STARTED, "onsite": Event.ONSITE_STARTED}
    happened += [HistoryEvent(started[w.mode], w.start) for w in entries if w.mode in started]
    clocks = evaluate(policy, FaultHistory.from_events(happened), now)
    events = ()
    if paused is not None:
        events = (
            EventView(9, "F-2026-00001", paused, paused, "duty", "pause", {"reason": "logs"}),
        )
    fault = FaultSummary(
        ref="F-2026-00001",
        customer="华东电网",
        system="EMS",
        title="telemetry stale",
        level=level,
        channel="phone",
        status=status,
        contact="张工",
        reported_at=T0,
        reported_by="duty",
        assignee=assignee,
        responded_at=responded,
        solution_at=solution,
        resolved_at=resolved if reopened is None else None,
        signed_off_at=None,
        closed_at=T0 + 9 * H if status == "closed" else None,
        next_breach=clocks.next_breach,
        next_clock=clocks.next_clock,
        version=3,
    )
    return FaultView(fault, record, "D5000", "v3", clocks, now, tuple(entries), events)


# (case, view keywords, now, expected (step, reason, action), expected due)
remote_at = T0 + 20 * M
onsite_at = T0 + 3 * H
CASES = [
    # -- not open ------------------------------------------------------------------------
    ("closed", dict(status="closed", resolved=T0 + 2 * H), T0 + 9 * H,
     ("none", "closed", None), None),
    ("resolved, on-site work unsigned",
     dict(status="resolved", resolved=T0 + 2 * H, record=FULL,
          entries=[work(1, "remote", remote_at, T0 + H), work(2, "onsite", T0 + H)]),
     T0 + 3 * H, ("signoff", "onsite_unsigned", "sign-off"), None),
    ("resolved, remote work still going on",
     dict(status="resolved", resolved=T0 + 2 * H, entries=[work(1, "remote", remote_at)]),
     T0 + 3 * H, ("end_work", "work_open", "work-end"), None),
    ("resolved, the record not written",
     dict(status="resolved", resolved=T0 + 2 * H,
          entries=[work(1, "onsite", T0 + H, T0 + 2 * H, signed=T0 + 2 * H)]),
     T0 + 3 * H, ("record", "record_missing", "record"), None),
    ("resolved, all done", dict(status="resolved", resolved=T0 + 2 * H, record=FULL),
     T0 + 3 * H, ("close", "ready", "close"), None),
    ("waiting on the customer", dict(status="waiting", paused=T0 + H), T0 + 5 * H,
     ("resume", "waiting_for", "resume"), None),
    # -- before the work -----------------------------------------------------------------
    ("nobody owns it", dict(status="new", assignee=None, responded=None), T0 + 5 * M,
     ("assign", "unassigned", "assign"), None),
    ("not responded", dict(status="new", responded=None), T0 + 40 * M,
     ("respond", "not_responded", "respond"), T0 + H),
    ("responding overdue", dict(status="new", responded=None), T0 + 90 * M,
     ("respond", "not_responded", "respond"), T0 + H),
    ("L0: the solution proposal is due before the fix",
     dict(status="responded"), T0 + 30 * M, ("solution", "no_solution", "propose"), T0 + 2 * H),
    ("L0: proposed, so remote work", dict(status="responded", solution=T0 + 30 * M),
     T0 + 40 * M, ("remote", "remote_not_started", "work"), T0 + 4 * H),
    ("L1: the fix (8 service hours) is due before the proposal (24 h)",
     dict(level=1, status="responded"), T0 + 30 * M,
     ("remote", "remote_not_started", "work"), T0 + 8 * H),
    ("L3 has no remote-fix window: the proposal, then resolve",
     dict(level=3, status="responded"), T0 + 30 * M,
     ("solution", "no_solution", "propose"), T0 + 32 * H),
    ("L3, proposed: resolve", dict(level=3, status="responded", solution=T0 + H),
     T0 + 2 * H, ("resolve", "resolve", "resolve"), None),
    # -- remote, then on site ------------------------------------------------------------
    ("remote work inside its window",
     dict(solution=T0 + 15 * M, entries=[work(1, "remote", remote_at)]), T0 + H,
     ("remote", "remote_window", "resolve"), remote_at + 2 * H),
    ("the solution proposal, due before the remote window ends",
     dict(entries=[work(1, "remote", remote_at)]), T0 + H,
     ("solution", "no_solution", "propose"), T0 + 2 * H),
    ("the remote-fix window ran out", dict(solution=T0 + 15 * M,
     entries=[work(1, "remote", remote_at, T0 + H)]), remote_at + 2 * H + M,
     ("onsite", "remote_ran_out", "work"), remote_at + 2 * H),
    ("no response in time: an engineer is owed on site",
     dict(responded=T0 + 90 * M, status="responded", solution=T0 + 95 * M), T0 + 2 * H,
     ("onsite", "arrival_owed", "work"), T0 + 24 * H),
    ("on site, escalation window running",
     dict(solution=T0 + 15 * M, entries=[work(1, "remote", remote_at, T0 + H),
                                         work(2, "onsite", onsite_at)]), onsite_at + H,
     ("onsite", "onsite_escalation_at", "resolve"), onsite_at + 2 * H),
    ("on site for two hours: escalate to the senior on duty",
     dict(solution=T0 + 15 * M, entries=[work(2, "onsite", onsite_at)]),
     onsite_at + 2 * H, ("escalate", "escalation_due", "escalate"), onsite_at + 2 * H),
    ("escalated: fix it on site by the resolve deadline",
     dict(solution=T0 + 15 * M, entries=[work(2, "onsite", onsite_at)],
          escalated=onsite_at + 2 * H), onsite_at + 150 * M,
     ("onsite", "onsite_working", "resolve"), T0 + 4 * H),
    ("L2 has no escalation window", dict(level=2, solution=T0 + 15 * M,
     entries=[work(2, "onsite", T0 + H)]), T0 + 4 * H,
     ("onsite", "onsite_working", "resolve"), T0 + 56 * H),
    ("on-site work ended, not signed off",
     dict(solution=T0 + 15 * M, entries=[work(2, "onsite", T0 + H, T0 + 2 * H)]),
     T0 + 150 * M, ("signoff", "onsite_unsigned", "sign-off"), None),
    ("on-site work signed off: resolve",
     dict(solution=T0 + 15 * M,
          entries=[work(2, "onsite", T0 + H, T0 + 2 * H, signed=T0 + 2 * H)]),
     T0 + 150 * M, ("resolve", "onsite_done", "resolve"), T0 + 4 * H),
    ("reopened after remote work: its window ended with the first resolution",
     dict(solution=T0 + 15 * M, entries=[work(1, "remote", remote_at, T0 + H)],
          resolved=T0 + H, reopened=T0 + 5 * H), T0 + 5 * H + M,
     ("resolve", "resolve", "resolve"), T0 + 9 * H),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kw", "now", "expected", "due"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_next_step(policy, kw, now, expected, due):
    step = next_step(view(policy, now, **kw), policy, ROSTER)
    assert (step.step, step.reason, step.action) == expected
    if due is not None:
        assert step.due == due
    assert step.step in STEPS and step.reason in REASONS


def test_every_step_and_status_is_covered(policy):
    steps = {c[3][0] for c in CASES}
    assert steps == set(STEPS)
    statuses = {c[1].get("status", "in_progress") for c in CASES}
    assert statuses == {"new", "responded", "in_progress", "waiting", "resolved", "closed"}


def test_the_details_each_step_carries(policy):
    resolved = dict(status="resolved", resolved=T0 + 2 * H)
    step = next_step(
        view(policy, T0 + 3 * H, **resolved, entries=[work(7, "onsite", T0 + H)]), policy
    )
    assert step.entry == 7 and step.since == T0 + H
    step = next_step(view(policy, T0 + 3 * H, **resolved), policy)
    assert step.missing == ("diagnosis", "handling", "losses", "changes")
    step = next_step(
        view(policy, T0 + 3 * H, **resolved, record=FaultRecord("", "", "", "", "x")), policy
    )
    assert step.missing == ("symptom", "diagnosis", "handling", "losses")
    step = next_step(view(policy, T0 + 2 * H, status="waiting", paused=T0 + H), policy)
    assert (step.since, step.note) == (T0 + H, "logs")
    step = next_step(
        view(policy, T0 + 2 * H, solution=T0, entries=[work(1, "remote", T0 + H)]), policy
    )
    assert step.mode is None and step.since == T0 + H  # resolve within the window
    for kw, mode in (
        (dict(solution=T0 + H), "remote"),
        (dict(solution=T0 + H, entries=[work(1, "remote", T0 + H)]), "onsite"),
    ):
        assert next_step(view(policy, T0 + 4 * H - M, **kw), policy).mode == mode


def test_whom_to_escalate_to(policy):
    due = view(policy, T0 + 6 * H, solution=T0, entries=[work(2, "onsite", T0 + H)])
    assert next_step(due, policy, ROSTER).to == "bob"  # the senior on duty
    assert next_step(due, policy, None) == NextStep(
        "escalate", "escalation_anyone", "escalate", due=T0 + 3 * H, since=T0 + H
    )
    off = (ROSTER[0], EngineerInfo("bob", "Bob Li", "senior", "", False), ROSTER[2])
    step = next_step(due, policy, off)
    assert (step.reason, step.to) == ("escalation_off_duty", "bob")
    # an expert on duty comes before a senior off duty
    on = (*off[:2], EngineerInfo("carol", "Carol Zhang", "expert", "", True))
    assert next_step(due, policy, on).to == "carol"
    top = view(
        policy, T0 + 6 * H, assignee="carol", solution=T0, entries=[work(2, "onsite", T0 + H)]
    )
    step = next_step(top, policy, ROSTER)
    assert (step.reason, step.action, step.to) == ("escalation_nobody", None, None)


def test_the_step_moves_on_with_a_later_now(policy):
    """The console asks again each tick with the view it has: deadlines passing move it."""
    v = view(policy, T0 + H, solution=T0 + 15 * M, entries=[work(1, "remote", remote_at)])
    assert next_step(v, policy).step == "remote"
    assert next_step(v, policy, now=remote_at + 2 * H).step == "onsite"
    v = view(policy, T0 + H, solution=T0 + 15 * M, entries=[work(2, "onsite", T0 + 50 * M)])
    assert next_step(v, policy, ROSTER).step == "onsite"
    assert next_step(v, policy, ROSTER, now=T0 + 170 * M).step == "escalate"


# -- the words ---------------------------------------------------------------------------


def cli_words(policy) -> Wording:
    return Wording(when=lambda at: show(at, policy.timezone), span=span)


def test_describe_in_english(policy):
    words = cli_words(policy)
    responding = view(policy, T0 + 40 * M, status="new", responded=None)
    step = next_step(responding, policy)
    assert describe(step, T0 + 40 * M, words) == (
        "respond to the customer (due 2026-03-10 10:00, 0:20:00 left)"
    )
    assert describe(step, T0 + 70 * M, words) == (
        "respond to the customer (due 2026-03-10 10:00, 0:10:00 late)"
    )
    quiet = Wording(when=words.when)  # no countdown: the console's line
    assert describe(step, T0 + 40 * M, quiet) == "respond to the customer (due 2026-03-10 10:00)"
    assert describe(step, T0 + 70 * M, quiet) == (
        "respond to the customer (overdue since 2026-03-10 10:00)"
    )
    ran_out = view(
        policy, T0 + 3 * H, solution=T0, entries=[work(1, "remote", T0 + 30 * M, T0 + H)]
    )
    assert describe(next_step(ran_out, policy), T0 + 3 * H, words) == (
        "go on site: the remote-fix window ran out at 2026-03-10 11:30"
    )
    escalate = view(policy, T0 + 6 * H, solution=T0, entries=[work(2, "onsite", T0 + H)])
    named = Wording(when=words.when, who=lambda u: {"bob": "Bob Li (bob)"}[u])
    assert describe(next_step(escalate, policy, ROSTER), T0 + 6 * H, named) == (
        "escalate to a senior engineer on duty (Bob Li (bob)): on-site work started "
        "2026-03-10 10:00 and was not cleared by 2026-03-10 12:00"
    )
    record = view(policy, T0 + 3 * H, status="resolved", resolved=T0 + 2 * H)
    assert describe(next_step(record, policy), T0 + 3 * H, words) == (
        "write the fault record (diagnosis, handling, losses, changes)"
    )
    waiting = view(policy, T0 + 2 * H, status="waiting", paused=T0 + H)
    assert describe(next_step(waiting, policy), T0 + 2 * H, words) == (
        "resume when the customer answers (waiting since 2026-03-10 10:00 for: logs)"
    )


def test_every_reason_reads_with_every_value_missing(policy):
    """No reason names a value its step may lack (a KeyError would crash the console)."""
    words = cli_words(policy)
    for reason in REASONS:
        text = describe(NextStep("none", reason, None), T0, words)
        assert text and "{" not in text

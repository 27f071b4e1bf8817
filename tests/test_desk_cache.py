"""The next breach cached on the fault row is what the SLA engine says, after every verb."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from conftest import assert_cache_right
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncall.desk import DeskError

M = timedelta(minutes=1)


def act(desk, ref: str, action: str, n: int) -> None:
    f = desk.reads.fault(ref)
    v = f.version
    view = desk.reads.fault_view(ref)
    open_work = [w for w in view.work if w.end is None]
    unsigned = [w for w in view.work if w.mode == "onsite" and not w.signed]
    if action == "respond":
        desk.faults.respond(ref, version=v, how="phone")
    elif action == "solution":
        desk.faults.propose(ref, version=v, text="try this")
    elif action == "assign":
        desk.faults.assign(ref, ("alice", "bob", "carol", "duty")[n % 4], version=v)
    elif action == "escalate":
        desk.faults.escalate(ref, version=v, reason="r")
    elif action == "work":
        mode = ("phone", "remote", "onsite", "internal")[n % 4]
        start = max(f.reported_at, desk.clock.now() - n * M)
        desk.work.add(ref, version=v, mode=mode, start=start)
    elif action == "end" and open_work:
        desk.work.end(open_work[0].id, version=v)
    elif action == "sign" and unsigned:
        desk.work.sign_off(unsigned[0].id, version=v, customer_rep="张工")
    elif action == "pause":
        desk.faults.pause(ref, version=v, reason="waiting")
    elif action == "resume":
        desk.faults.resume(ref, version=v)
    elif action == "level":
        desk.faults.level(ref, n % 4, version=v, reason="r")
    elif action == "record":
        desk.faults.record(ref, version=v, diagnosis=f"d{n}")
    elif action == "resolve":
        desk.faults.resolve(ref, version=v, summary="s")
    elif action == "close":
        desk.faults.close(ref, version=v)
    elif action == "reopen":
        desk.faults.reopen(ref, version=v, reason="again")
    elif action == "wait":
        desk.clock.advance(minutes=n)


ACTIONS = (
    "respond",
    "solution",
    "assign",
    "escalate",
    "work",
    "end",
    "sign",
    "pause",
    "resume",
    "level",
    "record",
    "resolve",
    "close",
    "reopen",
    "wait",
    "wait",
)


def test_cache_after_a_scripted_life(desk, fault, clock):
    script = [
        ("wait", 20),
        ("respond", 0),
        ("assign", 0),
        ("work", 5),  # remote
        ("wait", 30),
        ("work", 2),  # on-site
        ("wait", 130),  # on-site escalation overdue
        ("escalate", 0),
        ("pause", 0),
        ("wait", 600),
        ("level", 2),
        ("resume", 0),
        ("end", 0),
        ("sign", 0),
        ("resolve", 0),
        ("close", 0),
        ("wait", 60),
        ("reopen", 0),
        ("level", 0),
        ("wait", 500),
    ]
    for action, n in script:
        act(desk, fault.ref, action, n)
        assert_cache_right(desk)
    assert desk.reads.fault(fault.ref).status == "in_progress"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    level=st.integers(0, 3),
    channel=st.sampled_from(("phone", "electronic")),
    steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 900)), max_size=14),
)
def test_cache_after_any_sequence_of_verbs(desk, level, channel, steps):
    f = desk.faults.log(
        customer="华东电网",
        system="EMS",
        title="walk",
        level=level,
        channel=channel,
        at=desk.clock.now() - 45 * M,
    )
    for action, n in steps:
        with contextlib.suppress(DeskError):  # a refusal writes nothing
            act(desk, f.ref, action, n)
        assert_cache_right(desk)

"""One clock state: the CLI (`fault show`) and the console's detail pane read a clock's
state from ``ClockState.state``, so they agree on every state and every combination
(a clock both paused and pending read "paused" in one and "pending" in the other)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from oncall.cli.fault_show import clock_rows
from oncall.i18n import set_language
from oncall.resources import data_path
from oncall.sla import Band, FaultHistory, evaluate, load_policy
from oncall.sla.clocks import ClockState
from oncall.tui.detail import _clock_line
from oncall.vocabulary import CLOCK_STATES

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=SH)
DEADLINE = NOW + timedelta(hours=2)
WORDS = ("met", "missed", "pending", "paused")  # the console's words; running shows time left


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def a_clock(stopped: str | None, paused: bool, pending: bool) -> ClockState:
    """A clock stopped in time ("met"), late ("missed") or not at all, paused or not,
    pending or not: every combination the engine's fields allow."""
    stopped_at = {None: None, "met": NOW - timedelta(hours=1), "missed": DEADLINE + timedelta(1)}
    return ClockState(
        name="onsite_arrival",
        window="7x24",
        target=24 * 3600,
        started_at=NOW - timedelta(hours=3),
        deadline=DEADLINE,
        stopped_at=stopped_at[stopped],
        paused=paused,
        used=3 * 3600,
        paused_seconds=0,
        band=Band.OK,
        pending=pending,
    )


def console_state(clock: ClockState, now: datetime = NOW) -> str:
    """The state the console's detail pane shows for ``clock``."""
    (text, _style), *_ = _clock_line(clock, now, SH)
    shown = [word for word in WORDS if f" {word} " in f" {text} "]
    assert len(shown) <= 1, text
    return shown[0] if shown else "running"


def cli_state(clock: ClockState, now: datetime = NOW) -> str:
    """The state column of `oncall fault show` for ``clock``."""
    (row,) = clock_rows([clock], now, SH)
    return row[6]


COMBINATIONS = list(itertools.product((None, "met", "missed"), (False, True), (False, True)))


@pytest.mark.parametrize(("stopped", "paused", "pending"), COMBINATIONS)
def test_the_cli_and_the_console_agree_on_every_clock_state(stopped, paused, pending):
    clock = a_clock(stopped, paused, pending)
    assert clock.state in CLOCK_STATES
    assert cli_state(clock) == console_state(clock) == clock.state


def test_the_order_of_checks_stopped_then_pending_then_paused():
    assert a_clock("met", True, True).state == "met"
    assert a_clock("missed", True, True).state == "missed"
    assert a_clock(None, True, True).state == "pending"  # not owed yet: its pause is moot
    assert a_clock(None, True, False).state == "paused"
    assert a_clock(None, False, False).state == "running"
    # Every state is reached by some combination.
    assert {a_clock(*c).state for c in COMBINATIONS} == set(CLOCK_STATES)


def test_a_pending_clock_of_a_paused_fault_reads_pending_in_both(tmp_path):
    """The engine's own clock: on-site arrival made pausable, a level-0 fault waiting on
    the customer before its response is due: the arrival clock is pending and paused."""
    text = data_path("sla.toml").read_text(encoding="utf-8")
    anchor = 'clock = "onsite_arrival"\n'
    assert anchor in text
    path = tmp_path / "sla.toml"
    for other in data_path("sla.toml").parent.glob("*.toml"):  # its override files too
        (tmp_path / other.name).write_text(other.read_text(encoding="utf-8"), encoding="utf-8")
    path.write_text(text.replace(anchor, anchor + "pausable = true\n"), encoding="utf-8")
    policy = load_policy(path)
    reported = datetime(2026, 3, 4, 10, 0, tzinfo=SH)
    history = FaultHistory(
        level=0,
        channel="phone",
        reported_at=reported,
        pauses=((reported + timedelta(minutes=10), None),),
    )
    now = reported + timedelta(minutes=30)
    arrival = evaluate(policy, history, now).clock("onsite_arrival")
    assert arrival.pending and arrival.paused
    assert cli_state(arrival, now) == console_state(arrival, now) == "pending"
    # Stopped, the same clock reads the same in both again.
    stopped = replace(arrival, stopped_at=now, deadline=now + timedelta(hours=1))
    assert cli_state(stopped, now) == console_state(stopped, now) == "met"

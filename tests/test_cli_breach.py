"""Breaches in ``oncall fault list`` and ``fault show``: a paused breach stays breached,
lateness is stated as time (text and ``late_seconds``), missed deadlines are named.

Now is Monday 2026-11-23 16:30 (see test_cli_desk). A level-0 phone fault reported at
09:30 (7x24) is due: respond 10:30, solution 11:30, resolve 13:30.
"""

# ruff: noqa: F811  (the CLI fixtures are imported from cli_support)
from __future__ import annotations

from cli_support import cli, isolated, new_fault, templates  # noqa: F401

H = 3600


def late_fault(cli) -> str:
    """Responded and proposed 30 min late each, paused at 14:00 after the 13:30 breach."""
    ref = new_fault(cli, level="0")["ref"]
    cli.ok("fault", "respond", ref, "--via", "phone", "--at", "2026-11-23T11:00")
    cli.ok("fault", "propose", ref, "--text", "重启前置机", "--at", "2026-11-23T12:00")
    cli.ok("fault", "pause", ref, "--reason", "等客户窗口", "--at", "2026-11-23T14:00")
    return ref


def test_list_keeps_a_paused_breach_breached_in_order_and_says_since_when(cli):
    paused = late_fault(cli)
    unanswered = new_fault(cli)["ref"]  # level 1, respond by 11:30: 5 h late
    calm = new_fault(cli, level="3")["ref"]
    cli.ok("fault", "respond", calm, "--via", "phone", "--at", "2026-11-23T10:00")
    cli.ok("fault", "propose", calm, "--text", "t", "--at", "2026-11-23T10:10")
    cli.ok("fault", "pause", calm, "--reason", "等日志", "--at", "2026-11-23T10:30")

    faults = cli.json("fault", "list")["faults"]
    assert [f["ref"] for f in faults] == [unanswered, paused, calm]
    p = faults[1]
    assert p["status"] == "waiting" and p["band"] == "breached" and p["breached"] is True
    assert p["left_seconds"] == -3 * H and p["late_seconds"] == 3 * H
    assert p["next_clock"] == "resolve" and p["next_breach"] == "2026-11-23T13:30:00+08:00"
    assert p["paused_since"] == "2026-11-23T14:00:00+08:00"
    c = faults[2]
    assert c["band"] == "ok" and c["breached"] is False and c["late_seconds"] == 0
    assert c["left_seconds"] is None and c["paused_since"] == "2026-11-23T10:30:00+08:00"
    assert faults[0]["paused_since"] is None and faults[0]["late_seconds"] == 5 * H

    rows = {line.split()[0]: line for line in cli.ok("fault", "list").splitlines()[2:]}
    assert "waiting on customer since 11-23 14:00" in rows[paused]
    assert "-3:00:00" in rows[paused] and rows[paused].rstrip().endswith("breached")
    assert "waiting on customer since 11-23 10:30" in rows[calm]


def test_show_states_lateness_and_the_missed_deadlines(cli):
    ref = late_fault(cli)
    text = cli.ok("fault", "show", ref)
    status = next(line for line in text.splitlines() if line.startswith("status"))
    assert status.endswith("band breached now; missed 2 deadlines, worst 0:30:00 late")
    assert "paused since 2026-11-23 14:00" in text
    resolve = next(line for line in text.splitlines() if line.startswith("resolve "))
    assert resolve.split()[:5] == ["resolve", "2026-11-23", "13:30", "-3:00:00", "3:00:00"]
    assert "breached" in resolve and "paused" in resolve
    respond = next(line for line in text.splitlines() if line.startswith("respond "))
    assert "0:30:00" in respond and "missed" in respond

    view = cli.json("fault", "show", ref)
    assert view["band"] == "breached" and view["late_seconds"] == 3 * H
    assert view["next_clock"] == "resolve" and view["paused_since"] == "2026-11-23T14:00:00+08:00"
    assert view["missed"] == [
        {"clock": "respond", "late_seconds": 1800},
        {"clock": "solution", "late_seconds": 1800},
    ]
    clocks = {c["name"]: c for c in view["clocks"]}
    assert clocks["resolve"]["late_seconds"] == 3 * H and clocks["resolve"]["paused"] is True
    assert clocks["resolve"]["band"] == "breached"
    assert clocks["respond"]["late_seconds"] == 1800 and clocks["respond"]["met"] is False
    assert clocks["onsite_arrival"]["late_seconds"] == 0  # due tomorrow 09:30


def test_a_fault_resolved_late_is_ok_now_but_says_what_it_missed(cli):
    ref = late_fault(cli)
    cli.ok("fault", "resume", ref, "--at", "2026-11-23T15:00")
    cli.ok("fault", "resolve", ref, "--summary", "恢复", "--at", "2026-11-23T16:00")
    text = cli.ok("fault", "show", ref)
    status = next(line for line in text.splitlines() if line.startswith("status"))
    assert status.endswith("band ok now; missed 3 deadlines, worst 2:30:00 late")
    view = cli.json("fault", "show", ref)
    assert view["band"] == "ok" and view["late_seconds"] == 0 and view["paused_since"] is None
    assert [m["clock"] for m in view["missed"]] == ["respond", "resolve", "solution"]
    assert view["missed"][1]["late_seconds"] == 2 * H + 1800  # 16:00 - 13:30, wall time
    # One missed deadline is named.
    one = new_fault(cli, level="0")["ref"]
    cli.ok("fault", "respond", one, "--via", "phone", "--at", "2026-11-23T11:00")
    cli.ok("fault", "propose", one, "--text", "t", "--at", "2026-11-23T11:10")
    cli.ok("fault", "resolve", one, "--summary", "ok", "--at", "2026-11-23T12:00")
    text = cli.ok("fault", "show", one)
    assert "band ok now; missed 1 deadline (respond), 0:30:00 late" in text

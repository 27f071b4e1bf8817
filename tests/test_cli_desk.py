"""``oncall fault|engineer|customer|demo|db``: the desk from the shell, end to end.

Every test runs the CLI (``oncall.cli.main``) on its own SQLite file, in-process
as a given OS user (``oncall.identity.real_user`` replaced: the test-only way),
at the instant in ``ONCALL_NOW`` (a fixed clock).
Times below are in the desk's zone (Asia/Shanghai); Monday 2026-11-23 is a
working day.
"""

# ruff: noqa: F811  (the fixtures are imported)

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import NOW, Cli, as_os_user, blank, cli, isolated, new_fault, templates  # noqa: F401

from oncall.cli import main


def test_the_cli_offers_the_desks_vocabulary():
    """The CLI's choices are the vocabulary the desk and the database check: a value the
    vocabulary does not have is refused by the parser, one it has gets to the desk."""
    from oncall.cli import build_parser
    from oncall.desk import MODES, RESPONSE_HOW, SENIORITIES

    def choices(*path: str) -> tuple[str, ...]:
        parser = build_parser()
        for name in path:
            sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
            parser = sub.choices[name]
        return next(
            tuple(a.choices)
            for a in parser._actions
            if a.choices and a.dest in ("mode", "via", "seniority", "responded_via")
        )

    assert choices("fault", "work") == MODES
    assert choices("fault", "respond") == RESPONSE_HOW
    assert choices("engineer", "add") == SENIORITIES


def test_desk_commands_import_no_database_library_until_they_run():
    probe = (
        "import sys; from oncall.cli import build_parser; build_parser(); "
        "import oncall.cli.desk_cmd, oncall.cli.fault_cmd, oncall.cli.roster_cmd; "
        "bad=[m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy','sqlmodel','alembic','psycopg','textual','apscheduler')"
        " or m.startswith(('oncall.desk','oncall.store'))];"
        "print('HEAVY', bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "HEAVY []" in out


def test_the_console_starts_without_the_commands_parsers_or_the_sla_engine(capsys):
    """Plain ``oncall`` (the console) parses only the common options; the SLA engine,
    the command modules and their parsers wait (the console's first frame is sooner)."""
    probe = (
        "import sys; from oncall.cli import main; code = main(['--db', sys.argv[1]]);"
        "print('CODE', code);"
        "print('LOADED', sorted(m for m in sys.modules if m in ('oncall.cli.fault_cmd',"
        " 'oncall.cli.roster_cmd', 'oncall.cli.watch_cmd', 'oncall.sla.clocks',"
        " 'oncall.sla.policy')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, "/nowhere/oncall.sqlite3"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert "CODE 2" in done.stdout and "needs a terminal" in done.stderr  # the console's path
    assert "LOADED []" in done.stdout
    # A command, or a mistake, still goes through the whole parser and its messages
    # (in-process: the module isolation above is what needed a fresh process).
    for argv, said in ((["--db"], "expected one argument"), (["bogus"], "invalid choice")):
        capsys.readouterr()
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert said in err, err


# -- a whole fault life -------------------------------------------------------------------------


def test_a_fault_from_the_call_to_the_reopen(cli):
    made = new_fault(cli)
    ref = made["ref"]
    assert ref.startswith("F-2026-")
    assert made["id"] == ref
    assert made["status"] == "new"
    assert made["reported_at"] == "2026-11-23T09:30:00+08:00"
    clocks = {c["name"]: c for c in made["clocks"]}
    # Level 1 on 7x8, by phone: respond in 2 h, resolve in 8 service hours.
    assert clocks["respond"]["deadline"] == "2026-11-23T11:30:00+08:00"
    assert clocks["resolve"]["deadline"] == "2026-11-24T09:30:00+08:00"
    assert clocks["respond"]["band"] == "breached"  # now is 16:30

    assert "responded by phone" in cli.ok(
        "fault",
        "respond",
        ref,
        "--via",
        "phone",
        "--note",
        "called back",
        "--at",
        "2026-11-23T09:50",
    )
    assigned = cli.json("fault", "assign", ref, "alice", "--at", "2026-11-23T09:55")
    assert assigned["assignee"] == "alice"

    remote = cli.json(
        "fault",
        "work",
        ref,
        "--mode",
        "remote",
        "--start",
        "2026-11-23T10:00",
        "--end",
        "2026-11-23T11:00",
        "--did",
        "查看日志",
        "--result",
        "需要现场",
        "--engineer",
        "alice",
        "--at",
        "2026-11-23T11:00",
    )
    assert remote["status"] == "in_progress"
    assert remote["work_entry"]["mode"] == "remote"
    onsite = cli.json(
        "fault",
        "work",
        ref,
        "--mode",
        "onsite",
        "--start",
        "2026-11-23T13:00",
        "--did",
        "更换网卡",
        "--engineer",
        "alice",
        "--at",
        "2026-11-23T13:00",
    )
    entry = str(onsite["work_entry"]["id"])
    assert onsite["work_entry"]["end"] is None
    out = cli.ok(
        "fault",
        "work-end",
        entry,
        "--end",
        "2026-11-23T15:00",
        "--result",
        "恢复",
        "--at",
        "2026-11-23T15:00",
    )
    assert f"work entry {entry} ended 2026-11-23 15:00" in out
    out = cli.ok(
        "fault",
        "signoff",
        entry,
        "--customer-rep",
        "张工",
        "--engineer",
        "alice",
        "--at",
        "2026-11-23T15:05",
    )
    assert "signed off by 张工" in out
    cli.ok(
        "fault",
        "record",
        ref,
        "--diagnosis",
        "网卡故障",
        "--handling",
        "更换网卡",
        "--losses",
        "无",
        "--changes",
        "eth1 替换",
        "--at",
        "2026-11-23T15:08",
    )
    resolved = cli.json(
        "fault", "resolve", ref, "--summary", "更换网卡后恢复", "--at", "2026-11-23T15:10"
    )
    assert resolved["status"] == "resolved"
    assert resolved["resolved_at"] == "2026-11-23T15:10:00+08:00"
    closed = cli.json("fault", "close", ref, "--note", "客户确认", "--at", "2026-11-23T15:30")
    assert closed["status"] == "closed"
    out = cli.ok("fault", "reopen", ref, "--reason", "又断了", "--at", "2026-11-23T16:00")
    assert f"{ref}: reopened at 2026-11-23 16:00" in out

    view = cli.json("fault", "show", ref)
    assert view["status"] == "in_progress"
    assert view["assignee"] == "alice"
    assert view["record"]["diagnosis"] == "网卡故障"
    assert [w["mode"] for w in view["work"]] == ["remote", "onsite"]
    assert view["work"][1]["customer_signoff_name"] == "张工"
    verbs = [e["verb"] for e in view["events"]]
    assert len(verbs) >= 10
    times = [e["at"] for e in view["events"]]
    assert times == sorted(times, reverse=True)  # newest first
    assert all(t.endswith("+08:00") for t in times)
    assert {c["name"] for c in view["clocks"]} >= {"respond", "resolve"}
    respond = next(c for c in view["clocks"] if c["name"] == "respond")
    assert respond["met"] is True and respond["running"] is False

    text = cli.ok("fault", "show", ref)
    for word in (
        ref,
        "in progress",  # the status word, not the stored value
        "华东电网 / EMS (D5000 v3)",
        "网卡故障",
        "更换网卡",
        "张工",
        "Events (newest first)",
        "resolve",
        "met",
    ):
        assert word in text, word
    assert text.index("reopen") < text.index("resolve", text.index("Events"))

    listed = cli.json("fault", "list")
    assert [f["ref"] for f in listed["faults"]] == [ref]
    assert listed["now"] == "2026-11-23T16:30:00+08:00"


def test_new_prints_id_and_every_deadline(cli):
    out = cli.ok(
        "fault",
        "new",
        "--customer",
        "华东电网",
        "--system",
        "OMS",
        "--level",
        "0",
        "--channel",
        "electronic",
        "--title",
        "全站失去连接",
    )
    assert "Logged F-2026-" in out
    assert "level 0" in out
    # Level 0 is 7x24: respond 1 h and resolve 4 h after now (16:30).
    assert "2026-11-23 17:30" in out
    assert "2026-11-23 20:30" in out
    for word in ("respond", "resolve", "ok"):
        assert word in out


def test_list_orders_by_next_breach_and_all_adds_closed_ones(cli):
    late = new_fault(cli)["ref"]  # level 1 at 09:30: respond clock breached at 11:30
    soon = cli.json(
        "fault",
        "new",
        "--customer",
        "华东电网",
        "--system",
        "OMS",
        "--level",
        "3",
        "--channel",
        "electronic",
        "--title",
        "咨询配置",
        "--assignee",
        "alice",
    )["ref"]
    done = new_fault(cli, level="2")["ref"]
    cli.ok("fault", "respond", done, "--via", "electronic")
    cli.ok("fault", "resolve", done, "--summary", "已答复")
    cli.ok("fault", "close", done)

    listed = cli.json("fault", "list")["faults"]
    assert [f["ref"] for f in listed] == [late, soon]
    assert listed[0]["band"] == "breached" and listed[0]["left_seconds"] < 0
    assert listed[1]["assignee"] == "alice"
    text = cli.ok("fault", "list")
    assert text.index(late) < text.index(soon)
    assert done not in text
    assert "-5:00:00" in text  # 11:30 respond deadline, now 16:30
    assert "breached" in text

    everything = cli.json("fault", "list", "--all")["faults"]
    assert [f["ref"] for f in everything][:2] == [late, soon]
    assert done in [f["ref"] for f in everything]
    assert done in cli.ok("fault", "list", "--all")


def test_verbs_pause_resume_level_escalate_propose(cli):
    ref = new_fault(cli)["ref"]
    cli.ok("fault", "respond", ref, "--via", "electronic", "--at", "2026-11-23T10:00")
    cli.ok("fault", "assign", ref, "alice", "--at", "2026-11-23T10:01")
    out = cli.ok("fault", "propose", ref, "--text", "先切换备机", "--at", "2026-11-23T10:30")
    assert "solution proposed" in out
    paused = cli.json(
        "fault", "pause", ref, "--reason", "等客户提供日志", "--at", "2026-11-23T11:00"
    )
    assert paused["status"] == "waiting"
    assert cli.json("fault", "resume", ref, "--at", "2026-11-23T14:00")["status"] != "waiting"
    changed = cli.json(
        "fault", "level", ref, "2", "--reason", "影响较小", "--at", "2026-11-23T14:10"
    )
    assert changed["level"] == 2
    escalated = cli.json(
        "fault", "escalate", ref, "--reason", "需要专家", "--to", "bob", "--at", "2026-11-23T14:20"
    )
    assert escalated["assignee"] == "bob"
    entry = cli.json(
        "fault",
        "work",
        ref,
        "--mode",
        "phone",
        "--start",
        "2026-11-23T14:30",
        "--end",
        "2026-11-23T14:40",
        "--did",
        "电话指导",
    )["work_entry"]["id"]
    edited = cli.json(
        "fault", "work-edit", str(entry), "--did", "电话指导重启服务", "--result", "好转"
    )
    assert edited["work_entry"]["done"] == "电话指导重启服务"
    verbs = [e["verb"] for e in cli.json("fault", "show", ref)["events"]]
    assert len(verbs) == 10


def test_a_stale_version_is_refused_and_writes_nothing(cli):
    made = new_fault(cli)
    ref, seen = made["ref"], made["version"]
    newer = cli.json(
        "fault", "respond", ref, "--via", "phone", "--version", str(seen), user="alice"
    )
    assert newer["version"] > seen
    before = cli.events()
    err = cli.refused("fault", "assign", ref, "alice", "--version", str(seen))
    assert "changed by alice" in err
    assert "nothing was written" in err
    assert cli.events() == before
    assert cli.json("fault", "assign", ref, "alice", "--version", str(newer["version"]))


def _next(cli, ref: str, **kw) -> str:
    """The ``next`` line of ``fault show``."""
    out = cli.ok("fault", "show", ref, **kw)
    lines = [line for line in out.splitlines() if line.startswith("next ")]
    assert len(lines) == 1
    return lines[0].removeprefix("next").strip()


def test_show_says_the_next_step_as_the_fault_goes_on(cli):
    """Level 1 by phone at 09:30 on 7x8: each step of the contract in turn."""
    ref = new_fault(cli)["ref"]
    assert _next(cli, ref) == "assign an engineer: nobody owns the fault"
    cli.ok("fault", "assign", ref, "alice", "--at", "2026-11-23T09:35")
    assert _next(cli, ref) == "respond to the customer (due 2026-11-23 11:30, 5:00:00 late)"
    cli.ok("fault", "respond", ref, "--via", "phone", "--at", "2026-11-23T09:40")
    # the solution proposal (24 h) and the fix (8 service hours) are due together
    assert _next(cli, ref) == "propose a solution (due 2026-11-24 09:30, 17:00:00 left)"
    cli.ok("fault", "propose", ref, "--text", "重启前置机", "--at", "2026-11-23T09:45")
    assert _next(cli, ref) == (
        "remote fix: work on it remotely (due 2026-11-24 09:30, 17:00:00 left)"
    )
    cli.ok("fault", "work", ref, "--mode", "remote", "--start", "2026-11-23T10:00")
    assert _next(cli, ref, now="2026-11-23T11:00") == (
        "remote fix: resolve before the window ends, else go on site "
        "(due 2026-11-23 12:00, 1:00:00 left)"
    )
    cli.monkeypatch.setenv("ONCALL_NOW", NOW)  # the window ran out at 12:00
    shown = cli.json("fault", "show", ref)["next_step"]
    assert shown == {
        "step": "onsite",
        "reason": "remote_ran_out",
        "text": "go on site: the remote-fix window ran out at 2026-11-23 12:00",
        "due": "2026-11-23T12:00:00+08:00",
        "since": None,
        "to": None,
        "entry": None,
        "missing": [],
    }


def test_show_names_whom_to_escalate_to(cli):
    ref = new_fault(cli)["ref"]
    cli.ok("fault", "assign", ref, "alice", "--at", "2026-11-23T09:35")
    cli.ok("fault", "respond", ref, "--via", "phone", "--at", "2026-11-23T09:40")
    cli.ok("fault", "propose", ref, "--text", "x", "--at", "2026-11-23T09:45")
    cli.ok("fault", "work", ref, "--mode", "onsite", "--start", "2026-11-23T13:00")
    # duty is senior and on duty; bob, the expert, is off duty
    assert _next(cli, ref) == (
        "escalate to a senior engineer on duty (Duty Officer (duty)): on-site work started "
        "2026-11-23 13:00 and was not cleared by 2026-11-23 15:00"
    )
    step = cli.json("fault", "show", ref)["next_step"]
    assert (step["step"], step["to"], step["due"]) == (
        "escalate",
        "duty",
        "2026-11-23T15:00:00+08:00",
    )


def test_signoff_asks_for_the_works_end_and_says_which_it_stored(cli):
    ref = new_fault(cli)["ref"]
    cli.ok("fault", "respond", ref, "--via", "onsite", "--at", "2026-11-23T10:00")
    entry = str(
        cli.json(
            "fault", "work", ref, "--mode", "onsite", "--start", "2026-11-23T10:00", "--did", "x"
        )["work_entry"]["id"]
    )
    before = cli.events()
    for end, message in (
        ("2026-11-23T09:00", "the work's end 2026-11-23 09:00 is before its start"),
        ("2026-11-23T17:00", "the work's end 2026-11-23 17:00 is in the future"),
        ("soon", "--end"),
    ):
        err = cli.refused("fault", "signoff", entry, "--customer-rep", "张工", "--end", end)
        assert message in err
    assert cli.events() == before
    out = cli.ok(
        "fault",
        "signoff",
        entry,
        "--customer-rep",
        "张工",
        "--end",
        "2026-11-23T12:00",
        "--at",
        "2026-11-23T16:00",
    )
    assert "work 2026-11-23 10:00-12:00 at 2026-11-23 16:00" in out
    work = cli.json("fault", "show", ref)["work"][0]
    assert work["end"] == "2026-11-23T12:00:00+08:00"
    assert work["customer_signoff_at"] == "2026-11-23T16:00:00+08:00"
    # without --end: the sign-off's own time (--at, else now)
    other = str(
        cli.json("fault", "work", ref, "--mode", "onsite", "--start", "2026-11-23T13:00")[
            "work_entry"
        ]["id"]
    )
    out = cli.ok("fault", "signoff", other, "--customer-rep", "张工", "--at", "2026-11-23T15:00")
    assert "work 2026-11-23 13:00-15:00" in out


# -- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            [
                "fault",
                "new",
                "--customer",
                "nobody",
                "--system",
                "EMS",
                "--level",
                "1",
                "--channel",
                "phone",
                "--title",
                "x",
            ],
            "nobody",
        ),
        (
            [
                "fault",
                "new",
                "--customer",
                "华东电网",
                "--system",
                "EMS",
                "--level",
                "9",
                "--channel",
                "phone",
                "--title",
                "x",
            ],
            "level",
        ),
        (
            [
                "fault",
                "new",
                "--customer",
                "华东电网",
                "--system",
                "EMS",
                "--level",
                "1",
                "--channel",
                "fax",
                "--title",
                "x",
            ],
            "invalid choice",
        ),
        (
            [
                "fault",
                "new",
                "--customer",
                "华东电网",
                "--system",
                "EMS",
                "--level",
                "1",
                "--channel",
                "phone",
                "--title",
                "x",
                "--reported-at",
                "yesterday",
            ],
            "--reported-at: cannot read 'yesterday'",
        ),
        (
            [
                "fault",
                "new",
                "--customer",
                "华东电网",
                "--system",
                "EMS",
                "--level",
                "1",
                "--channel",
                "phone",
                "--title",
                "x",
                "--reported-at",
                "2026-11-23T17:00",
            ],
            "future",
        ),
        (
            [
                "fault",
                "new",
                "--customer",
                "华东电网",
                "--system",
                "EMS",
                "--level",
                "1",
                "--channel",
                "phone",
                "--title",
                "  ",
            ],
            "title",
        ),
        (["fault", "respond", "F-2026-09999", "--via", "phone"], "F-2026-09999"),
        (
            [
                "fault",
                "new",
                "--customer",
                "华东电网",
                "--system",
                "SCADA",
                "--level",
                "1",
                "--channel",
                "phone",
                "--title",
                "x",
            ],
            "SCADA",
        ),
        (["fault", "respond", "{ref}", "--via", "phone", "--at", "2026-11-23T17:00"], "future"),
        (["fault", "respond", "{ref}", "--via", "phone", "--at", "2026-11-23T09:00"], "report"),
        (["fault", "respond", "{ref}", "--via", "phone", "--at", "soon"], "--at: cannot read"),
        (["fault", "respond", "{ref}", "--via", "pigeon"], "invalid choice"),
        (["fault", "resume", "{ref}"], "not waiting"),
        (["fault", "close", "{ref}"], "not resolved"),
        (["fault", "reopen", "{ref}", "--reason", "x"], "not resolved or closed"),
        (["fault", "assign", "{ref}", "nobody"], "nobody"),
        (["fault", "pause", "{ref}", "--reason", ""], "--reason cannot be empty"),
        (["fault", "record", "{ref}"], "nothing to record"),
        (
            [
                "fault",
                "work",
                "{ref}",
                "--mode",
                "remote",
                "--start",
                "2026-11-23T12:00",
                "--end",
                "2026-11-23T11:00",
            ],
            "--end comes before --start",
        ),
        (["fault", "work-edit", "1"], "nothing to change"),
        (["fault", "work-end", "999"], "999"),
        (["fault", "signoff", "999", "--customer-rep", "张工"], "999"),
        (["fault", "assign", "{ref}", "alice", "--version", "0"], "--version"),
        (["fault", "assign", "{ref}", "alice", "--version", "x"], "invalid int"),
        (["fault", "show", "F-2026-09999"], "F-2026-09999"),
        (["fault"], "required"),
        (["engineer", "add", "carol", "--name", "Carol", "--seniority", "boss"], "invalid choice"),
        (["engineer", "add", "alice", "--name", "Alice", "--seniority", "senior"], "alice"),
        (["engineer", "duty", "nobody", "on"], "nobody"),
        (["customer", "add", "华东电网"], "华东电网"),
        (["customer", "add", "新客户", "--warranty-start", "2026-13-01"], "--warranty-start"),
        (
            [
                "customer",
                "add",
                "新客户",
                "--warranty-start",
                "2027-01-01",
                "--warranty-end",
                "2026-01-01",
            ],
            "before",
        ),
        (["customer", "add", "新客户", "--system", ":x"], "needs a name"),
        (["customer", "add-system", "华东电网", "EMS"], "already has a system 'EMS'"),
        (["customer", "add-system", "Nobody", "X"], "no customer 'Nobody'"),
        (["customer", "add-system", "华东电网", ":x"], "SYSTEM ':x': the system needs a name"),
    ],
)
def test_refusals_are_one_line_exit_2_and_write_nothing(cli, argv, message):
    ref = new_fault(cli)["ref"]
    before = cli.events()
    err = cli.refused(*[a.replace("{ref}", ref) for a in argv])
    assert message in err
    assert cli.events() == before


def test_an_unknown_os_user_is_told_how_to_be_added(cli):
    err = cli.refused(
        "fault",
        "new",
        "--customer",
        "华东电网",
        "--system",
        "EMS",
        "--level",
        "1",
        "--channel",
        "phone",
        "--title",
        "x",
        user="mallory",
    )
    assert "mallory" in err
    assert "oncall engineer add mallory" in err


def test_close_is_refused_with_unsigned_onsite_work(cli):
    ref = new_fault(cli)["ref"]
    cli.ok("fault", "respond", ref, "--via", "onsite", "--at", "2026-11-23T10:00")
    cli.ok(
        "fault",
        "work",
        ref,
        "--mode",
        "onsite",
        "--start",
        "2026-11-23T10:00",
        "--end",
        "2026-11-23T12:00",
        "--did",
        "现场检查",
    )
    cli.ok("fault", "resolve", ref, "--summary", "ok")
    before = cli.events()
    err = cli.refused("fault", "close", ref)
    assert "sign" in err.lower()
    assert cli.events() == before


def test_a_bad_oncall_now_is_one_line(cli, monkeypatch):
    err = cli.refused("fault", "list", now="tomorrow")
    assert "ONCALL_NOW" in err


def test_control_characters_are_escaped_in_human_output(cli):
    ref = cli.json(
        "fault",
        "new",
        "--customer",
        "华东电网",
        "--system",
        "EMS",
        "--level",
        "2",
        "--channel",
        "phone",
        "--title",
        "evil\x1b[2Jtitle",
    )["ref"]
    out = cli.ok("fault", "list")
    assert "\x1b" not in out
    assert "evil\\e[2Jtitle" in out
    assert "\x1b" not in cli.ok("fault", "show", ref)


# -- roster and customers -------------------------------------------------------------------------


def test_engineers_and_customers(cli):
    engineers = {e["user"]: e for e in cli.json("engineer", "list")}
    assert engineers["alice"]["on_duty"] is True
    assert engineers["bob"]["on_duty"] is False
    assert engineers["alice"]["phone"] == "13800000001"
    assert "is now on duty" in cli.ok("engineer", "duty", "bob", "on")
    assert {e["user"]: e["on_duty"] for e in cli.json("engineer", "list")}["bob"] is True
    text = cli.ok("engineer", "list")
    assert "duty *" in text  # the acting user is marked
    assert "Alice Wang" in text

    cli.ok("customer", "add", "南方电网", "--contact", "李工:13700000000:li@example.com")
    customers = {c["name"]: c for c in cli.json("customer", "list")}
    east = customers["华东电网"]
    assert east["tier"] == "gold"
    assert east["warranty_start"] == "2026-01-01"
    assert {(s["name"], s["product"], s["model"]) for s in east["systems"]} == {
        ("EMS", "D5000", "v3"),
        ("OMS", "", ""),
    }
    assert customers["南方电网"]["contacts"][0]["email"] == "li@example.com"
    text = cli.ok("customer", "list")
    assert "in warranty" in text
    assert "EMS (D5000 v3)" in text


def test_a_system_added_to_a_customer_is_audited_and_listed(cli):
    before = cli.events()
    out = cli.ok("customer", "add-system", "华东电网", "DMS:OPEN3200:v2")
    assert "system DMS added" in out
    assert cli.events() == before + 1  # one audit event (system_add)
    east = {c["name"]: c for c in cli.json("customer", "list")}["华东电网"]
    assert ("DMS", "OPEN3200", "v2") in {
        (s["name"], s["product"], s["model"]) for s in east["systems"]
    }
    info = cli.json("customer", "add-system", "华东电网", "SCADA2")
    assert "SCADA2" in {s["name"] for s in info["systems"]}


# -- the database and the demo --------------------------------------------------------------------


def test_db_upgrade_twice_then_status(isolated, monkeypatch, capsys):
    cli = Cli(isolated / "fresh.sqlite3", monkeypatch, capsys)
    first = cli.ok("db", "upgrade")
    assert "upgraded from an empty database to revision" in first
    second = cli.ok("db", "upgrade")
    assert "already current" in second and "nothing to do" in second
    status = cli.json("db", "status")
    assert status["state"] == "current"
    assert status["revision"] == status["head_revision"]
    assert "current" in cli.ok("db", "status")


def test_a_missing_database_file_is_refused_and_not_created(isolated, monkeypatch, capsys):
    cli = Cli(isolated / "nowhere.sqlite3", monkeypatch, capsys)
    err = cli.refused("fault", "list")
    assert "no database at" in err and "oncall db upgrade --db" in err
    assert not cli.db.exists()
    assert cli.json("db", "status")["state"] == "missing"
    assert not cli.db.exists()


def test_an_older_schema_is_refused_with_the_upgrade_command(blank):
    with sqlite3.connect(blank.db) as conn:
        conn.execute("DELETE FROM alembic_version")
    err = blank.refused("fault", "list")
    assert "upgrade" in err


def test_a_locked_database_is_one_line(cli, monkeypatch):
    import oncall.store.db

    monkeypatch.setattr(oncall.store.db, "BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(cli.db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        err = cli.refused("engineer", "add", "carol", "--name", "Carol", "--seniority", "engineer")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "locked" in err


def test_a_database_file_that_cannot_be_made_is_one_line(isolated, monkeypatch, capsys):
    (isolated / "plain.txt").write_text("not a folder", encoding="utf-8")
    cli = Cli(isolated / "plain.txt" / "desk.sqlite3", monkeypatch, capsys)
    err = cli.refused("db", "upgrade")
    assert "cannot use the database" in err and "plain.txt" in err


def test_a_database_url_password_is_never_shown(isolated, monkeypatch, capsys):
    pytest.importorskip("psycopg")
    url = "postgresql+psycopg://desk:s3cret@127.0.0.1:1/oncall?connect_timeout=2"
    monkeypatch.setenv("ONCALL_DB", url)
    capsys.readouterr()
    assert main(["db", "status"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "s3cret" not in err
    assert "desk:***@127.0.0.1" in err


def test_demo_then_list_and_demo_again_is_refused(isolated, monkeypatch, capsys):
    from oncall.desk.demo import STAGES

    cli = Cli(isolated / "demo.sqlite3", monkeypatch, capsys)
    code, out, err = cli("demo", "--seed", "7")
    assert code == 0, err
    # a line per stage on stderr while it works; stdout is the result
    assert err.splitlines() == [f"demo: {text}…" for text in STAGES.values()]
    assert "Demo data in" in out and "new schema" in out
    assert "open queue now:" in out
    listed = cli.json("fault", "list")["faults"]
    assert len(listed) >= 10
    assert f"{len(listed)} open" in out
    # The queue's order: breached first (most overdue on top), then the soonest deadline.
    left = [f["left_seconds"] for f in listed if f["left_seconds"] is not None]
    assert left == sorted(left)
    assert {f["band"] for f in listed} >= {"ok", "breached"}
    assert cli.ok("fault", "list").count("F-") == len(listed)
    assert len(cli.json("fault", "list", "--all")["faults"]) > len(listed)
    err = cli.refused("demo")
    assert "already has faults" in err and "--force" in err
    cli.refused("demo", "--force")  # the desk loads the demo into an empty database only


# -- the installed command ------------------------------------------------------------------------


def test_the_installed_console_script(isolated):
    script = shutil.which("oncall", path=str(Path(sys.executable).parent))
    assert script, "the oncall console script is installed next to the interpreter"
    env = dict(os.environ, ONCALL_NOW=NOW)
    db = str(isolated / "script.sqlite3")
    done = subprocess.run(
        [script, "db", "upgrade", "--db", db], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "upgraded" in done.stdout
    bad = subprocess.run(
        [script, "fault", "show", "F-2026-00001", "--db", str(isolated / "none.sqlite3")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_statuses_read_the_same_in_the_readme_the_cli_and_the_console(cli):
    """One vocabulary: the README's status line, `fault list/show` and the console."""
    from oncall.desk import STATUSES
    from oncall.i18n import set_language
    from oncall.tui import fmt
    from oncall.vocabulary import STATUS_NAMES

    assert tuple(STATUS_NAMES) == tuple(STATUSES)  # a word for every stored status
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    line = next(x for x in readme.split("\n- ") if x.startswith("Statuses:"))
    words = [STATUS_NAMES[s] for s in STATUSES]
    assert " ".join(line.split()).startswith(
        "Statuses: {} → {} → {} ⇄ {} (clock paused) → {} → {}.".format(*words)
    )
    set_language("en")
    assert [fmt.status_name(s) for s in STATUSES] == words
    set_language("zh_CN")
    try:
        chinese = [fmt.status_name(s) for s in STATUSES]
    finally:
        set_language("en")
    assert len(set(chinese)) == len(STATUSES) and not set(chinese) & set(words)

    ref = new_fault(cli)["ref"]
    assert "new (version 1)" in cli.ok("fault", "show", ref)
    out = cli.ok("fault", "respond", ref, "--via", "phone", "--at", "2026-11-23T10:00")
    assert "; responded, version" in out
    cli.ok("fault", "pause", ref, "--reason", "等客户提供日志", "--at", "2026-11-23T11:00")
    assert "waiting on customer since" in cli.ok("fault", "list")
    cli.ok("fault", "resume", ref, "--at", "2026-11-23T12:00")
    assert "in progress (version" in cli.ok("fault", "show", ref)
    listed = cli.ok("fault", "list")
    assert "in progress" in listed and "in_progress" not in listed

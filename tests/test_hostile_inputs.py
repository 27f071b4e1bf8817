"""The hostile corpus (``hostile.py``) through every CLI verb that takes text, a time,
a number or an id.

Each call either exits 0 with the input stored and every output escaped (text and
``--json``), or exits 2 with one line on stderr, nothing on stdout and the database
unchanged; never a traceback, never exit 1. Calls run in-process
(``oncall.cli.main``); each case gets its own copy of one prepared database
(a file copy is cheaper than the call).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile import (
    NUMBER_SAMPLE,
    NUMBERS,
    REF_SAMPLE,
    REFS,
    TEXT_SAMPLE,
    TEXTS,
    TIME_SAMPLE,
    TIMES,
    fingerprint,
    shown_escaped,
)

from oncall.cli import main

NOW = "2026-11-23T16:30"  # a Monday, in the desk's zone
F1, F2, F3 = "F-2026-00001", "F-2026-00002", "F-2026-00003"  # new; waiting; resolved
ONGOING, ONSITE = "1", "2"  # work entries on F1: remote going on; on-site, ended


def _setup() -> list[list[str]]:
    new = ["fault", "new", "--customer", "华东电网", "--system", "EMS", "--channel", "phone"]
    return [
        ["db", "upgrade"],
        ["engineer", "add", "duty", "--name", "Duty", "--seniority", "senior"],
        ["engineer", "add", "alice", "--name", "Alice", "--seniority", "engineer"],
        ["engineer", "add", "bob", "--name", "Bob", "--seniority", "expert"],
        ["customer", "add", "华东电网", "--system", "EMS"],
        [*new, "--level", "2", "--title", "one", "--reported-at", "2026-11-23T09:00"],
        [*new, "--level", "2", "--title", "two", "--reported-at", "2026-11-23T09:00"],
        [*new, "--level", "1", "--title", "three", "--reported-at", "2026-11-23T09:00"],
        ["fault", "respond", F2, "--via", "phone", "--at", "2026-11-23T09:30"],
        ["fault", "pause", F2, "--reason", "waiting", "--at", "2026-11-23T10:00"],
        ["fault", "respond", F3, "--via", "phone", "--at", "2026-11-23T09:30"],
        ["fault", "resolve", F3, "--summary", "fixed", "--at", "2026-11-23T11:00"],
        ["fault", "work", F1, "--mode", "remote", "--start", "2026-11-23T10:00"],
        [
            "fault", "work", F1, "--mode", "onsite", "--start", "2026-11-23T12:00",
            "--end", "2026-11-23T13:00",
        ],
    ]  # fmt: skip


@pytest.fixture(scope="session")
def prepared(tmp_path_factory) -> tuple[Path, str]:
    """The prepared database (built once) and its fingerprint."""
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "desk.sqlite3"
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, folder)
        for argv in _setup():
            assert main(["--db", str(db), *argv]) == 0, argv
    return db, fingerprint(db)


def _environment(mp: pytest.MonkeyPatch, folder: Path) -> None:
    config = folder / "config.toml"
    config.write_text("", encoding="utf-8")
    mp.setenv("ONCALL_CONFIG", str(config))
    mp.setenv("XDG_DATA_HOME", str(folder / "data"))
    mp.delenv("ONCALL_DB", raising=False)
    mp.setenv("ONCALL_USER", "duty")
    mp.setenv("ONCALL_NOW", NOW)


# -- the verbs and where each takes its input -------------------------------------------------

Argv = Callable[[str], list[str]]
_NEW = ["fault", "new", "--customer", "华东电网", "--system", "EMS", "--channel", "phone"]
_WORK = ["fault", "work", F1, "--mode", "remote", "--start", "2026-11-23T11:00"]

# (case id, argv with the hostile value, the command that shows what was stored)
TEXT_SLOTS: list[tuple[str, Argv, list[str]]] = [
    ("new", lambda v: [*_NEW, "--level", "2", "--title", v, "--symptom", v, "--contact", v],
     ["fault", "show", "F-2026-00004"]),
    ("new-customer", lambda v: [*_NEW[:3], v, "--system", v, "--level", "2", "--channel",
     "phone", "--title", "t"], ["fault", "list"]),
    ("respond", lambda v: ["fault", "respond", F1, "--via", "phone", "--note", v],
     ["fault", "show", F1]),
    ("propose", lambda v: ["fault", "propose", F1, "--text", v], ["fault", "show", F1]),
    ("assign", lambda v: ["fault", "assign", F1, "alice", "--note", v], ["fault", "show", F1]),
    ("assign-user", lambda v: ["fault", "assign", F1, v], ["fault", "show", F1]),
    ("work", lambda v: [*_WORK, "--did", v, "--result", v], ["fault", "show", F1]),
    ("work-engineer", lambda v: [*_WORK, "--engineer", v], ["fault", "show", F1]),
    ("work-edit", lambda v: ["fault", "work-edit", ONGOING, "--did", v, "--result", v],
     ["fault", "show", F1]),
    ("work-end", lambda v: ["fault", "work-end", ONGOING, "--result", v], ["fault", "show", F1]),
    ("signoff", lambda v: ["fault", "signoff", ONSITE, "--customer-rep", v],
     ["fault", "show", F1]),
    ("escalate", lambda v: ["fault", "escalate", F1, "--reason", v], ["fault", "show", F1]),
    ("escalate-to", lambda v: ["fault", "escalate", F1, "--reason", "r", "--to", v],
     ["fault", "show", F1]),
    ("pause", lambda v: ["fault", "pause", F1, "--reason", v], ["fault", "show", F1]),
    ("resume", lambda v: ["fault", "resume", F2, "--note", v], ["fault", "show", F2]),
    ("level", lambda v: ["fault", "level", F1, "1", "--reason", v], ["fault", "show", F1]),
    ("record", lambda v: ["fault", "record", F1, "--symptom", v, "--diagnosis", v,
     "--handling", v, "--losses", v, "--changes", v], ["fault", "show", F1]),
    ("resolve", lambda v: ["fault", "resolve", F1, "--summary", v], ["fault", "show", F1]),
    ("close", lambda v: ["fault", "close", F3, "--note", v], ["fault", "show", F3]),
    ("reopen", lambda v: ["fault", "reopen", F3, "--reason", v], ["fault", "show", F3]),
    ("customer-add", lambda v: ["customer", "add", v, "--system", v, "--tier", v,
     "--contact", v], ["customer", "list"]),
    ("engineer-add", lambda v: ["engineer", "add", "carol", "--name", v, "--seniority",
     "engineer", "--phone", v], ["engineer", "list"]),
    ("engineer-add-user", lambda v: ["engineer", "add", v, "--name", "n", "--seniority",
     "engineer"], ["engineer", "list"]),
    ("engineer-duty", lambda v: ["engineer", "duty", v, "off"], ["engineer", "list"]),
    ("sla-window", lambda v: ["sla", "add", "--window", v, "--from", NOW, "--seconds", "60"],
     []),
]  # fmt: skip

# Every fault verb: (name, argv before --at/--version, with its ref where it takes one).
VERBS: list[tuple[str, Callable[[str], list[str]]]] = [
    ("respond", lambda r: ["fault", "respond", r, "--via", "phone"]),
    ("propose", lambda r: ["fault", "propose", r, "--text", "t"]),
    ("assign", lambda r: ["fault", "assign", r, "alice"]),
    ("work", lambda r: ["fault", "work", r, "--mode", "phone"]),
    ("escalate", lambda r: ["fault", "escalate", r, "--reason", "r"]),
    ("pause", lambda r: ["fault", "pause", r, "--reason", "r"]),
    ("resume", lambda r: ["fault", "resume", r]),
    ("level", lambda r: ["fault", "level", r, "1", "--reason", "r"]),
    ("record", lambda r: ["fault", "record", r, "--symptom", "s"]),
    ("resolve", lambda r: ["fault", "resolve", r, "--summary", "s"]),
    ("close", lambda r: ["fault", "close", r]),
    ("reopen", lambda r: ["fault", "reopen", r, "--reason", "r"]),
]
ENTRY_VERBS: list[tuple[str, Callable[[str], list[str]]]] = [
    ("work-edit", lambda e: ["fault", "work-edit", e, "--did", "d"]),
    ("work-end", lambda e: ["fault", "work-end", e]),
    ("signoff", lambda e: ["fault", "signoff", e, "--customer-rep", "张工"]),
]

TIME_SLOTS: list[tuple[str, Argv]] = [
    ("new", lambda v: [*_NEW, "--level", "2", "--title", "t", "--reported-at", v]),
    ("work-start", lambda v: ["fault", "work", F1, "--mode", "remote", "--start", v]),
    ("work-end-time", lambda v: ["fault", "work", F1, "--mode", "remote", "--start",
     "2026-11-23T10:00", "--end", v]),
    ("work-edit-start", lambda v: ["fault", "work-edit", ONGOING, "--start", v]),
    ("work-edit-end", lambda v: ["fault", "work-edit", ONGOING, "--end", v]),
    ("work-end", lambda v: ["fault", "work-end", ONGOING, "--end", v]),
    ("sla-due", lambda v: ["sla", "due", "--level", "2", "--channel", "phone",
     "--reported-at", v]),
    ("sla-add", lambda v: ["sla", "add", "--window", "5x8", "--from", v, "--seconds", "60"]),
    ("sla-between-from", lambda v: ["sla", "between", "--window", "5x8", "--from", v,
     "--to", NOW]),
    ("sla-between-to", lambda v: ["sla", "between", "--window", "5x8", "--from",
     "2026-01-01T00:00", "--to", v]),
    *((f"{name}-at", (lambda b: lambda v: [*b(F1), "--at", v])(build)) for name, build in VERBS),
    *((f"{name}-at", (lambda b: lambda v: [*b(ONSITE), "--at", v])(build))
      for name, build in ENTRY_VERBS),
]  # fmt: skip

NUMBER_SLOTS: list[tuple[str, Argv]] = [
    ("new-level", lambda v: [*_NEW, "--level", v, "--title", "t"]),
    ("level", lambda v: ["fault", "level", F1, v, "--reason", "r"]),
    ("sla-due-level", lambda v: ["sla", "due", "--level", v, "--channel", "phone"]),
    ("sla-add-seconds", lambda v: ["sla", "add", "--window", "5x8", "--from", NOW,
     "--seconds", v]),
    *((f"{name}-version", (lambda b: lambda v: [*b(F1), "--version", v])(build))
      for name, build in VERBS),
    *((f"{name}-entry", build) for name, build in ENTRY_VERBS),
]  # fmt: skip

REF_SLOTS: list[tuple[str, Argv]] = [
    ("show", lambda v: ["fault", "show", v]),
    *((name, build) for name, build in VERBS),
]


def _cases(slots, corpus, sample=None, full=()):
    """Each slot with the sample, the slots named in ``full`` with the whole corpus."""
    return [
        pytest.param(slot[1], value, *slot[2:], id=f"{slot[0]}-{name}")
        for slot in slots
        for name, value in (corpus if sample is None or slot[0] in full else sample)
    ]


# The whole corpus where a kind of input has a code path of its own; the samples elsewhere.
FULL_TEXT = ("new", "record", "customer-add", "engineer-add")
FULL_TIME = ("new", "work-start", "work-end", "sla-due", "sla-add", "sla-between-to")
FULL_NUMBER = ("new-level", "level", "sla-add-seconds", "work-edit-entry", "signoff-entry")
FULL_REF = ("show", "respond")


# -- running one case ----------------------------------------------------------------------------


class Run:
    def __init__(self, db: Path, capsys) -> None:
        self.db, self.capsys = db, capsys

    def __call__(self, argv: list[str]) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(["--db", str(self.db), *argv])
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def run(prepared, tmp_path, monkeypatch, capsys) -> Run:
    db, _ = prepared
    copy = tmp_path / db.name
    shutil.copyfile(db, copy)
    _environment(monkeypatch, tmp_path)
    return Run(copy, capsys)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def check(run: Run, prepared, argv: list[str], value: str, reader: list[str] | None = None):
    """The rule every case obeys; returns the exit code."""
    code, out, err = run(argv)
    assert code in (0, 2), (code, err[-2000:])
    assert "Traceback" not in err
    if code == 2:
        assert out == ""
        assert len(err.splitlines()) == 1, err[:2000]
        assert shown_escaped(err), err[:2000]
        assert fingerprint(run.db) == prepared[1], "a refused command wrote something"
        return code
    assert err == ""
    assert shown_escaped(out), out[:2000]
    if reader:
        text_code, text, _ = run(reader)
        assert text_code == 0 and shown_escaped(text), text[:2000]
        json_code, dumped, _ = run([*reader, "--json"])
        assert json_code == 0 and shown_escaped(dumped), dumped[:2000]
        if value.strip():  # what was accepted is stored whole, and reads back from --json
            assert any(value.strip() in s for s in _strings(json.loads(dumped))), value[:200]
    return code


@pytest.mark.parametrize(
    ("argv", "value", "reader"), _cases(TEXT_SLOTS, TEXTS, TEXT_SAMPLE, FULL_TEXT)
)
def test_text(run, prepared, argv, value, reader):
    check(run, prepared, argv(value), value, reader)


@pytest.mark.parametrize(("argv", "value"), _cases(TIME_SLOTS, TIMES, TIME_SAMPLE, FULL_TIME))
def test_time_outside_the_served_range_is_one_line(run, prepared, argv, value):
    assert check(run, prepared, argv(value), value) == 2  # none of them is a time the desk serves


@pytest.mark.parametrize(
    ("argv", "value"), _cases(NUMBER_SLOTS, NUMBERS, NUMBER_SAMPLE, FULL_NUMBER)
)
def test_number(run, prepared, argv, value):
    check(run, prepared, argv(value), value)


@pytest.mark.parametrize(("argv", "value"), _cases(REF_SLOTS, REFS, REF_SAMPLE, FULL_REF))
def test_fault_id_is_no_such_fault(run, prepared, argv, value):
    assert check(run, prepared, argv(value), value) == 2


@pytest.mark.parametrize(("name", "value"), TIMES)
def test_oncall_now_out_of_range_is_one_line(run, prepared, monkeypatch, name, value):
    monkeypatch.setenv("ONCALL_NOW", value)
    code, out, err = run(["fault", "list"])
    if value.strip():
        assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    else:  # empty: the real clock
        assert code == 0, err

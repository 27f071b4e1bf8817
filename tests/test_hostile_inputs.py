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
from pathlib import Path

import pytest
from hostile import (
    FULL_NUMBER,
    FULL_REF,
    FULL_TEXT,
    FULL_TIME,
    NUMBER_SAMPLE,
    NUMBER_SLOTS,
    NUMBERS,
    REF_SAMPLE,
    REF_SLOTS,
    REFS,
    TEXT_SAMPLE,
    TEXT_SLOTS,
    TEXTS,
    TIME_SAMPLE,
    TIME_SLOTS,
    TIMES,
    environment,
    fingerprint,
    setup_commands,
    shown_escaped,
)

from oncall.cli import main


@pytest.fixture(scope="session")
def prepared(tmp_path_factory) -> tuple[Path, str]:
    """The prepared database (built once) and its fingerprint."""
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "desk.sqlite3"
    with pytest.MonkeyPatch.context() as mp:
        environment(mp, folder)
        for argv in setup_commands():
            assert main(["--db", str(db), *argv]) == 0, argv
    return db, fingerprint(db)


def _cases(slots, corpus, sample=None, full=(), readers=False):
    """Each slot with the sample, the slots named in ``full`` with the whole corpus.

    A text slot's readers (the commands that show what was stored) come as one tuple.
    """
    return [
        pytest.param(slot[1], value, *([slot[2:]] if readers else []), id=f"{slot[0]}-{name}")
        for slot in slots
        for name, value in (corpus if sample is None or slot[0] in full else sample)
    ]


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
    environment(monkeypatch, tmp_path)
    return Run(copy, capsys)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def check(run: Run, prepared, argv: list[str], value: str, *readers: list[str]) -> int:
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
    for reader in readers:
        text_code, text, _ = run(reader)
        assert text_code == 0 and shown_escaped(text), text[:2000]
        json_code, dumped, _ = run([*reader, "--json"])
        assert json_code == 0 and shown_escaped(dumped), dumped[:2000]
        if value.strip():  # what was accepted is stored whole, and reads back from --json
            assert any(value.strip() in s for s in _strings(json.loads(dumped))), value[:200]
    return code


@pytest.mark.parametrize(
    ("argv", "value", "readers"), _cases(TEXT_SLOTS, TEXTS, TEXT_SAMPLE, FULL_TEXT, readers=True)
)
def test_text(run, prepared, argv, value, readers):
    check(run, prepared, argv(value), value, *readers)


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


@pytest.mark.parametrize("poll", ["nan", "inf", "-1", "0", "61", "1e308"])
def test_watch_refuses_a_poll_interval_it_cannot_keep(run, poll):
    code, out, err = run(["watch", "--poll", poll])
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err

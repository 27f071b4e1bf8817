"""The hostile corpus: inputs a careless paste, a broken script or an attacker may give.

Used by ``test_hostile_inputs.py`` (every CLI verb) and ``bench/reliability_inputs.py``.
Each entry is (name, value); names become test ids, so they stay short and plain.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

from oncall.sla.served import MAX_SERVICE_SECONDS
from oncall.text import escape

# Free text: the desk stores any of it but NUL, an oversized one or an empty required
# field; whatever it stores it must print escaped.
TEXTS: tuple[tuple[str, str], ...] = (
    ("ansi", "\x1b[31mred\x1b[0m \x1b]0;owned\x07 \x1b[2J\x1b[H"),
    ("c0", "a\x01b\x08c\x0bd\x0ce\rf"),
    ("c1", "csi\x9b31m nel\x85 dcs\x90 st\x9c"),
    ("del", "rub\x7fout"),
    ("bidi", "user\u202etxt.exe \u2066iso\u2069 \u200e\u200f\u061c \u202a\u202b\u202c\u202d"),
    ("zero-width", "in\u200bvisible\ufeff"),
    ("astral-format", "tag\U000e0041\U000e007f"),
    ("sql", "'); DROP TABLE fault; -- \" OR 1=1"),
    ("cjk", "华东电网 SCADA 前置机无法连接 ｜全角｜"),
    ("newlines", "first line\nsecond line\r\nthird"),
    ("format", "%s %(x)s {0} {{}} %n"),
    ("empty", ""),
    ("blank", "   "),
    ("nul", "nul\x00byte"),
    ("huge", "x" * 1_000_000),
)

# Instants as typed on the command line.
TIMES: tuple[tuple[str, str], ...] = (
    ("year-1", "0001-01-01T00:00"),
    ("year-1001", "1001-01-04T10:00"),
    ("before-1970", "1969-12-31T23:59"),
    ("year-9999", "9999-12-31T23:59:59"),
    ("far-future", "2999-06-01T10:00"),
    ("bad-offset", "2026-11-23T10:00+25:00"),
    ("words", "yesterday \x1b[2J"),
    ("empty", ""),
)

# Numbers: levels, versions, entry ids, seconds.
NUMBERS: tuple[tuple[str, str], ...] = (
    ("huge", "99999999999999999999"),
    ("int32-plus-1", str(2**31)),
    ("int64-plus-1", str(2**63)),
    ("negative", "-1"),
    ("zero", "0"),
    ("exponent", "1e9"),
    ("ten-years", str(MAX_SERVICE_SECONDS)),  # the longest duration served: the costliest
    ("nan", "nan"),
    ("empty", ""),
)

# Fault ids as typed.
REFS: tuple[tuple[str, str], ...] = (
    ("sql", "F-2026-00001' OR '1'='1"),
    ("huge", "F-2026-" + "9" * 40),
    ("ansi", "F-\x1b[2J2026"),
    ("cjk", "故障-2026-00001"),
    ("empty", ""),
)


def _named(corpus, *names):
    found = dict(corpus)
    return tuple((name, found[name]) for name in names)


# Samples for the slots that share their code path with a slot the whole corpus runs
# through (the same parser, the same check): a few seconds for the lot.
_CONTROLS = ("ansi", "c0", "c1", "del", "bidi", "zero-width", "astral-format")
_WORDS = ("sql", "cjk", "newlines", "format")
TEXT_SAMPLE: tuple[tuple[str, str], ...] = (
    ("controls", " ".join(dict(TEXTS)[n] for n in _CONTROLS)),
    ("words", " ".join(dict(TEXTS)[n] for n in _WORDS)),
    *_named(TEXTS, "empty", "nul", "huge"),
)
TIME_SAMPLE = _named(TIMES, "year-1", "year-1001", "words")
NUMBER_SAMPLE = _named(NUMBERS, "huge", "negative")
REF_SAMPLE = _named(REFS, "sql", "huge")


def shown_escaped(output: str) -> bool:
    """True when ``output`` has no control character but line breaks."""
    return escape(output, keep_newlines=True) == output


def fingerprint(db: Path) -> str:
    """A digest of every row of every table: equal digests, nothing was written."""
    digest = hashlib.sha256()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        for table in tables:
            digest.update(table.encode())
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                digest.update(repr(row).encode())
    return digest.hexdigest()


# -- where the CLI takes each kind of input -----------------------------------------------
# A prepared database (``setup_commands``, run as ``duty`` at ``NOW``) and, per slot,
# the argv that puts a value there (for text, also the command that shows it stored).

NOW = "2026-11-23T16:30"  # a Monday, in the desk's zone
F1, F2, F3 = "F-2026-00001", "F-2026-00002", "F-2026-00003"  # new; waiting; resolved
ONGOING, ONSITE = "1", "2"  # work entries on F1: remote going on; on-site, ended


def setup_commands() -> list[list[str]]:
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


def environment(mp, folder: Path) -> None:
    """No user config or database; the desk at ``NOW``, as ``duty`` (``mp``: a MonkeyPatch)."""
    config = folder / "config.toml"
    config.write_text("", encoding="utf-8")
    mp.setenv("ONCALL_CONFIG", str(config))
    mp.setenv("XDG_DATA_HOME", str(folder / "data"))
    mp.delenv("ONCALL_DB", raising=False)
    mp.setenv("ONCALL_NOW", NOW)
    try:  # where the acting user is the real OS user, replaced the test-only way
        from oncall import identity
    except ImportError:
        mp.setenv("ONCALL_USER", "duty")
    else:
        mp.delenv("ONCALL_USER", raising=False)
        mp.setattr(identity, "real_user", lambda: "duty")


# -- the verbs and where each takes its input -------------------------------------------------

Argv = Callable[[str], list[str]]
_NEW = ["fault", "new", "--customer", "华东电网", "--system", "EMS", "--channel", "phone"]
_WORK = ["fault", "work", F1, "--mode", "remote", "--start", "2026-11-23T11:00"]

# (case id, argv with the hostile value, the commands that show what was stored)
TEXT_SLOTS: list[tuple] = [  # (id, argv, *readers)
    ("new", lambda v: [*_NEW, "--level", "2", "--title", v, "--symptom", v, "--contact", v],
     ["fault", "show", "F-2026-00004"], ["fault", "list", "--all"]),
    ("new-customer", lambda v: [*_NEW[:3], v, "--system", v, "--level", "2", "--channel",
     "phone", "--title", "t"], ["fault", "list"]),  # never found: the reader never runs
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
    ("sla-window", lambda v: ["sla", "add", "--window", v, "--from", NOW, "--seconds", "60"]),
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


# The whole corpus where a kind of input has a code path of its own; the samples elsewhere.
FULL_TEXT = ("new", "record", "customer-add", "engineer-add")
FULL_TIME = ("new", "work-start", "work-end", "sla-due", "sla-add", "sla-between-to")
FULL_NUMBER = ("new-level", "level", "sla-add-seconds", "work-edit-entry", "signoff-entry")
FULL_REF = ("show", "respond")

"""The hostile corpus: inputs a careless paste, a broken script or an attacker may give.

Used by ``test_hostile_inputs.py`` (every CLI verb) and ``bench/reliability_inputs.py``.
Each entry is (name, value); names become test ids, so they stay short and plain.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

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

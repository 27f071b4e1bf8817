"""Showing text a customer or engineer typed, safely and aligned.

Stored text keeps every character. Before it reaches a terminal, control
characters (and with them any escape sequence) are shown as visible escapes,
so a customer's pasted log can never move the cursor or recolour the screen.
Widths count terminal cells: a CJK character takes two.
"""

from __future__ import annotations

import json as _json
import re
import unicodedata

_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\x1b": "\\e"}


def _is_control(ch: str) -> bool:
    """C0, DEL, C1, format characters (bidi overrides, isolates and marks, zero-width
    characters), surrogates and private use: never written raw to a terminal."""
    code = ord(ch)
    return code < 0x20 or 0x7F <= code < 0xA0 or unicodedata.category(ch) in ("Cf", "Cs", "Co")


def escape(text: str, *, json: bool = False, keep_newlines: bool = False) -> str:
    """``text`` with every control character written as a visible escape.

    The one escaping of stored or foreign text, whatever prints it. Text style:
    ``\\n \\t \\r \\e``, ``\\xNN``, ``\\uNNNN`` and ``\\UNNNNNNNN`` (a reader sees what
    was there); JSON style (``json=True``, on JSON already dumped): ``\\uNNNN``, a
    surrogate pair beyond the BMP, so that a JSON reader gets the very same string
    back. ``keep_newlines`` leaves line breaks (a text block's, a JSON document's).
    """
    if (text.replace("\n", "") if keep_newlines else text).isprintable():
        return text  # no control character: the common case, checked in C

    def one(match: re.Match) -> str:
        ch = match.group()
        if not _is_control(ch):
            return ch
        if json:
            return _json.dumps(ch)[1:-1]  # ensure_ascii: \uXXXX, a pair beyond the BMP
        if ch in _ESCAPES:
            return _ESCAPES[ch]
        code = ord(ch)
        if code < 0x100:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

    # Printable ASCII (and kept line breaks) never needs a look.
    return (_OTHER_THAN_NEWLINE if keep_newlines else _OTHER).sub(one, text)


_OTHER = re.compile(r"[^\x20-\x7e]")
_OTHER_THAN_NEWLINE = re.compile(r"[^\x20-\x7e\n]")


def printable(text: str, keep_newlines: bool = False) -> str:
    """``text`` with control characters (C0, C1, format, surrogates) written as escapes."""
    return escape(text, keep_newlines=keep_newlines)


def json_text(value: object, indent: int | None = None) -> str:
    """``value`` as JSON with every control character in its strings as ``\\uXXXX``.

    ``json.dumps`` escapes C0 only; DEL, C1 controls (U+009B is an 8-bit CSI)
    and bidi overrides would reach the terminal of whoever reads the output.
    Outside strings JSON has no such characters, and its own line breaks stay.
    """
    dumped = _json.dumps(value, ensure_ascii=False, indent=indent)
    return escape(dumped, json=True, keep_newlines=True)


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes (wide East Asian characters count two)."""
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def fit(text: str, width: int) -> str:
    """Cut ``text`` to at most ``width`` cells (with an ellipsis) and pad it to ``width``."""
    if cell_width(text) <= width:
        return text + " " * (width - cell_width(text))
    out, used = [], 0
    for ch in text:
        w = cell_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - used - 1)


def one_line(text: str) -> str:
    """First line of ``text``, escaped, for a table cell."""
    return printable(text.strip().splitlines()[0] if text.strip() else "")


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain aligned text table (CJK-aware), for the CLI."""
    cells = [[printable(c) for c in row] for row in rows]
    widths = [cell_width(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], cell_width(c))
    lines = ["  ".join(fit(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(fit(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)

"""Showing text a customer or engineer typed, safely and aligned.

Stored text keeps every character. Before it reaches a terminal, control
characters (and with them any escape sequence) are shown as visible escapes,
so a customer's pasted log can never move the cursor or recolour the screen.
Widths count terminal cells: a CJK character takes two.
"""

from __future__ import annotations

import unicodedata

_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\x1b": "\\e"}


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code < 0xA0 or unicodedata.category(ch) in ("Cf", "Cs", "Co")


def printable(text: str, keep_newlines: bool = False) -> str:
    """``text`` with control characters (C0, C1, format, surrogates) written as escapes."""
    if text.isprintable() and "\u200b" not in text:
        return text
    out = []
    for ch in text:
        if keep_newlines and ch == "\n":
            out.append(ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _is_control(ch):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


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

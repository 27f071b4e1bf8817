"""The fault report as Markdown (the CLI's default form, and the console's screen).

Stored text is escaped for a terminal (control characters and escape sequences
shown as ``\\e``, ``\\x07`` …, as everywhere on the desk); in table cells ``|`` is
escaped and line breaks are shown as ``\\n``, so a cell stays one row.
"""

from __future__ import annotations

from ..text import printable
from .fault import FaultReport
from .sections import Pairs, Section, Table, Text, sections


def render(report: FaultReport) -> str:
    return render_sections(sections(report))


def render_sections(parts: list[Section]) -> str:
    out: list[str] = []
    for i, section in enumerate(parts):
        out.append(("# " if i == 0 else "## ") + _inline(section.title))
        out.append("")
        for block in section.blocks:
            out.extend(_block(block))
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _inline(text: str) -> str:
    return printable(text).replace("|", "\\|")


def _block(block) -> list[str]:
    if isinstance(block, Pairs):
        return [f"- **{_inline(k)}**: {_inline(v)}" for k, v in block.rows]
    if isinstance(block, Text):
        body = printable(block.text.strip(), keep_newlines=True) or "-"
        lines = body.splitlines()
        if len(lines) == 1:
            return [f"**{_inline(block.label)}**: {lines[0]}"]
        return [f"**{_inline(block.label)}**:", "", *(f"> {line}" for line in lines)]
    assert isinstance(block, Table)
    if not block.rows:
        return [_inline(block.empty)] if block.empty else []
    lines = [f"**{_inline(block.caption)}**", ""] if block.caption else []
    lines += [
        "| " + " | ".join(_inline(h) for h in block.headers) + " |",
        "|" + "---|" * len(block.headers),
    ]
    lines.extend("| " + " | ".join(_inline(c) or " " for c in row) + " |" for row in block.rows)
    return lines

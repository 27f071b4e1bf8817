"""The fault report as one self-contained printable HTML page.

No external asset (inline CSS, no script, no font to fetch), UTF-8 so CJK text
prints as typed. Every piece of stored text is shown with its control characters
escaped (as on the desk's screens) and then HTML-escaped, so a title holding
``<script>`` or an escape sequence is text, never markup.
"""

from __future__ import annotations

import html

from ..i18n import language
from ..text import printable
from .fault import FaultReport
from .sections import Pairs, Section, Table, Text, sections, title

_CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
  "Microsoft YaHei", sans-serif; font-size: 10.5pt; margin: 2em; color: #000; }
h1 { font-size: 16pt; border-bottom: 2px solid #000; padding-bottom: .2em; }
h2 { font-size: 12.5pt; margin-top: 1.4em; border-bottom: 1px solid #888; }
table { border-collapse: collapse; width: 100%; margin: .4em 0; }
th, td { border: 1px solid #888; padding: .2em .4em; text-align: left;
  vertical-align: top; }
th { background: #eee; }
caption { text-align: left; font-weight: bold; padding: .2em 0; }
dl.pairs { display: grid; grid-template-columns: max-content auto; gap: .15em 1em; }
dl.pairs dt { font-weight: bold; }
dl.pairs dd { margin: 0; }
.text { white-space: pre-wrap; margin: .2em 0 .6em 1em; }
.empty { color: #555; font-style: italic; }
section { break-inside: auto; }
tr, dl.pairs { break-inside: avoid; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; } }
"""


def render(report: FaultReport) -> str:
    parts = sections(report)
    lang = "zh-CN" if language() == "zh_CN" else "en"
    body = "\n".join(_section(s, i == 0) for i, s in enumerate(parts))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_esc(title(report))}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _esc(text: str, keep_newlines: bool = False) -> str:
    return html.escape(printable(text, keep_newlines=keep_newlines), quote=True)


def _section(section: Section, first: bool) -> str:
    tag = "h1" if first else "h2"
    inner = "\n".join(_block(b) for b in section.blocks)
    return f"<section>\n<{tag}>{_esc(section.title)}</{tag}>\n{inner}\n</section>"


def _block(block) -> str:
    if isinstance(block, Pairs):
        rows = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in block.rows)
        return f'<dl class="pairs">{rows}</dl>'
    if isinstance(block, Text):
        text = block.text.strip()
        body = _esc(text, keep_newlines=True) if text else "-"
        return f'<p><b>{_esc(block.label)}</b></p>\n<div class="text">{body}</div>'
    assert isinstance(block, Table)
    if not block.rows:
        return f'<p class="empty">{_esc(block.empty)}</p>' if block.empty else ""
    head = "".join(f"<th>{_esc(h)}</th>" for h in block.headers)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>\n" for row in block.rows
    )
    caption = f"<caption>{_esc(block.caption)}</caption>" if block.caption else ""
    return f"<table>{caption}\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table>"

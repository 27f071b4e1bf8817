"""Reports for the customer, built once and rendered several ways.

``fault.py`` builds a fault's report (``FaultReport``: a read model of plain
frozen dataclasses, from the desk's ``FaultView`` and the roster's names);
``render_md.py``, ``render_html.py`` and ``render_json.py`` turn it into
Markdown, one self-contained printable HTML page, and JSON with stable keys.
The labels are msgids: the console shows them in its language, the CLI in English.

This layer sits above the desk (it reads the desk's views) and below the CLI and
the console, which both call it.
"""

from __future__ import annotations

FORMATS = ("md", "html", "json")


def render(report, fmt: str) -> str:
    """``report`` (a ``FaultReport``) as ``fmt``, one of ``FORMATS``."""
    if fmt == "md":
        from .render_md import render as md

        return md(report)
    if fmt == "html":
        from .render_html import render as page

        return page(report)
    if fmt == "json":
        from .render_json import render as js

        return js(report)
    raise ValueError(f"unknown report format {fmt!r}: one of {', '.join(FORMATS)}")

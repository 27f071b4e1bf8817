"""The fault report for the customer, on screen and in a file (key ``P``).

The report is built and rendered on the backend thread (``make``): the Markdown
form is shown here, the printable HTML page is written to the reports folder
(``oncall.report.files.folder()``: ``~/.local/share/oncall/reports/<ref>.html``
on Linux), and the screen says where, or why it could not be written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import _
from . import actions, fmt
from .translate import translate_bindings


@dataclass(frozen=True)
class Made:
    ref: str
    text: str  # the report as Markdown (stored text escaped)
    written: str | None  # where the HTML page went (home as ~), None if refused
    error: str = ""  # why it was not written


def make(desk, ref: str, folder: Path) -> Made:
    """Build ``ref``'s report, render it, write the HTML page into ``folder``."""
    from ..report import render
    from ..report.fault import fault_report
    from ..report.files import shown, write

    report = fault_report(desk, ref)
    text = render(report, "md")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = write(folder / f"{ref}.html", render(report, "html"))
    except OSError as exc:
        return Made(ref, text, None, str(exc.strerror or exc))
    return Made(ref, text, shown(path))


class ReportScreen(ModalScreen[None]):
    BINDINGS = actions.bindings(actions.REPORT)

    def __init__(self, made: Made) -> None:
        super().__init__(classes="form-screen")
        translate_bindings(self)
        self.made = made

    def compose(self) -> ComposeResult:
        made = self.made
        if made.written is not None:
            where = _("Written to {path}").format(path=made.written)
        else:
            where = _("Not written: {why}").format(why=made.error)
        with Vertical(classes="form help"):
            yield Static(_("Report {ref}").format(ref=made.ref), classes="form-title", markup=False)
            yield Static(fmt.safe(where), id="report-written", classes="form-fault", markup=False)
            with VerticalScroll(classes="form-body", id="report-body"):
                yield Static(made.text, id="report-text", markup=False)
            yield Static(_("↑↓ scroll, Esc closes."), classes="form-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#report-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)

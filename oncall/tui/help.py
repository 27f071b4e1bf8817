"""The help screen: every key of the console, from its bindings."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ..i18n import N_, _
from .toasts import DISMISS_KEY
from .translate import translate_bindings

# Keys that live on widgets or forms rather than on the main screen.
EXTRA_KEYS = (
    ("↑ ↓  j k", N_("Move in the queue (PgUp/PgDn, Home/End too)")),
    ("ctrl+p", N_("Command palette: every action by name")),
    ("Enter", N_("In the detail pane: the fault's next step (as space)")),
    ("Enter", N_("In a form: next field; on the last field: save")),
    ("space", N_("In a form: open a list (Enter picks), tick a box")),
    ("ctrl+s", N_("In a form: save")),
    ("Esc", N_("In a form: cancel; in the detail pane: back to the queue")),
    ("Tab", N_("Next field or pane")),
    (DISMISS_KEY, N_("Dismiss every toast (in every screen)")),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", N_("Close"))]

    def __init__(self, main: Screen) -> None:
        super().__init__(classes="form-screen")
        translate_bindings(self)
        self.main = main

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        seen = set()
        for _key, binding in self.main._bindings:
            if binding.action in seen:
                continue
            seen.add(binding.action)
            keys = [
                self.app.get_key_display(b)
                for _k, b in self.main._bindings
                if b.action == binding.action
            ]
            table.add_row(" ".join(keys), binding.description)
        for key, text in EXTRA_KEYS:
            table.add_row(key, _(text))
        with Vertical(classes="form help"):
            yield Static(_("Keys"), classes="form-title")
            with VerticalScroll(classes="form-body"):
                yield Static(table, id="help-keys")
                yield Static(
                    _(
                        "The queue lists open faults by their next deadline: breached first "
                        "(most overdue on top), then the soonest. Left: time to that deadline. "
                        "Band: BRCH breached, CRIT critical, WARN warning, ok. "
                        "|| marks a fault paused while waiting on the customer."
                    ),
                    classes="help-text",
                    markup=False,
                )
            yield Static(_("Esc closes this help."), classes="form-hint", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)

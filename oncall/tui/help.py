"""The help screen: every key of the console, from the action table (rebound keys included)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ..i18n import _
from . import actions
from .translate import translate_bindings


class HelpScreen(ModalScreen[None]):
    BINDINGS = actions.bindings(actions.HELP)

    def __init__(self, main: Screen) -> None:
        super().__init__(classes="form-screen")
        translate_bindings(self)
        self.main = main

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, text in help_rows(self.app):
            table.add_row(key, text)
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


def help_rows(app) -> list[tuple[str, str]]:
    """(keys as shown, description) of every action the help lists, in the table's order."""
    keymap = getattr(app, "keymap", {})
    return [
        (" ".join(actions.shown_keys(a, keymap, app.get_key_display)), actions.description(a))
        for a in actions.ACTIONS
        if a.help
    ]

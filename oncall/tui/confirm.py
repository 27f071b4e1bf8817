"""A yes/no question (the demo data offer on an empty database)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ..i18n import _
from . import actions
from .translate import translate_bindings


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = actions.bindings(actions.CONFIRM)

    def __init__(self, title: str, question: str) -> None:
        super().__init__(classes="form-screen")
        translate_bindings(self)
        self.title_text = title
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="form confirm"):
            yield Static(self.title_text, classes="form-title", markup=False)
            yield Static(self.question, classes="confirm-question", markup=False)
            with Horizontal(classes="form-buttons"):
                yield Button(_("Yes (y)"), id="yes", variant="primary")
                yield Button(_("No (n)"), id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

"""The console's first frame: the header and an empty queue saying "loading…".

It is shown while the main screen is built and the desk opens (the database and
calendar libraries are imported off the event loop, after this frame is out),
so the engineer sees the console at once, even over a slow link.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from ..i18n import _
from .header import DeskHeader


class StartScreen(Screen):
    def __init__(self, user: str) -> None:
        super().__init__()
        self.user = user

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="header")
        yield Static("\n  " + _("loading…"), id="start-note", markup=False)

    def on_mount(self) -> None:
        header = self.query_one(DeskHeader)
        header.user = self.user
        header.show(None)
        # Textual writes frames from a thread of its own: leave it the GIL for a moment
        # so that this frame reaches the terminal before the main screen is built.
        self.set_timer(0.03, self.app.show_main)

"""The console app: thin. It owns the backend thread, the clock and the config, and
shows the main screen; everything else lives in one module per screen or widget.

    app = OncallApp(open_desk, clock, config)   # open_desk: () -> Desk, called off the loop
    app.run()

The alert scheduler (issue 5) feeds ``unacked_alerts`` through ``post_alert`` and
``acknowledge_alerts``; the header shows the count.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable
from typing import Any

from textual.app import App, SystemCommand
from textual.reactive import reactive
from textual.screen import Screen

from ..i18n import _, choose_language, set_language
from ..resources import styles_path
from .backend import Backend
from .start_screen import StartScreen

DARK = "textual-dark"
LIGHT = "textual-light"


def initial_theme(env: dict[str, str] | None = None) -> str:
    """``$ONCALL_THEME`` (dark/light), else the terminal's hint (``$COLORFGBG``), else dark."""
    env = os.environ if env is None else env
    wanted = env.get("ONCALL_THEME", "").strip().lower()
    if wanted in ("light", "dark"):
        return LIGHT if wanted == "light" else DARK
    fgbg = env.get("COLORFGBG", "")
    background = fgbg.split(";")[-1] if fgbg else ""
    return LIGHT if background in ("7", "15") else DARK


class OncallApp(App[int]):
    CSS_PATH = [styles_path("oncall.tcss"), styles_path("forms.tcss")]
    TITLE = "oncall"

    unacked_alerts: reactive[int] = reactive(0)
    """Alerts not yet acknowledged (fed by the alert scheduler; shown in the header)."""

    def __init__(
        self,
        open_desk: Callable[[], Any],
        clock: Any,
        config: Any = None,
        *,
        user: str = "",
        language: str | None = None,
        theme: str | None = None,
        database: str | None = None,
        tick: bool = True,
    ) -> None:
        configured = language or (config.get("language") if config is not None else None)
        set_language(choose_language(configured))
        super().__init__()
        self.open_desk = open_desk
        self.clock = clock
        self.config = config
        self.user = user
        self.backend = Backend()
        self.ready = asyncio.Event()  # set once the desk is open and its queue shown
        self._initial_theme = theme or initial_theme()
        self.main: Any = None  # the MainScreen, once built
        self.database = database  # shown in the header instead of the desk's URL
        self.tick = tick  # False: no timer (snapshots); tests call main.tick_now()

    def on_mount(self) -> None:
        if self.theme != self._initial_theme:  # a theme change re-parses every stylesheet
            self.theme = self._initial_theme
        self.push_screen(StartScreen(self.user))

    def show_main(self) -> None:
        """After the first frame: build the main screen (it opens the desk)."""
        from .main_screen import MainScreen

        self.main = MainScreen(
            self.backend,
            self.open_desk,
            self.clock,
            self.user,
            database=self.database,
            tick=self.tick,
            ready=self.ready,
        )
        self.switch_screen(self.main)

    def on_unmount(self) -> None:
        self.backend.shutdown()

    def toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    # -- the seam for the alert scheduler (issue 5) ----------------------------------
    def post_alert(
        self, message: str, *, severity: str = "warning", ref: str | None = None
    ) -> None:
        """An alert fired: count it as unacknowledged, show it, ring the bell if configured."""
        self.unacked_alerts += 1
        self.notify(message, title=ref or _("Alert"), severity=severity, timeout=30, markup=False)
        if self.config is not None and self.config.get("bell", False):
            self.bell()

    def acknowledge_alerts(self, count: int | None = None) -> None:
        self.unacked_alerts = 0 if count is None else max(self.unacked_alerts - count, 0)

    def watch_unacked_alerts(self, count: int) -> None:
        if self.main is not None and self.main.is_mounted:
            self.main.show_unacked(count)

    # -- the command palette: every key of the main screen, by name ------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if screen is self.main:
            seen = set()
            for _key, binding in screen._bindings:
                if binding.action in seen or not binding.description:
                    continue
                seen.add(binding.action)
                if screen.check_action(binding.action, ()) is not True:
                    continue
                key = self.get_key_display(binding)
                yield SystemCommand(
                    f"{binding.description} ({key})",
                    _("Key: {key}").format(key=key),
                    lambda action=binding.action: self.run_action(action, screen),
                )
        yield from super().get_system_commands(screen)

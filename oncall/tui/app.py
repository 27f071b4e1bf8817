"""The console app: thin. It owns the backend thread, the clock and the config, and
shows the main screen; everything else lives in one module per screen or widget.

    app = OncallApp(open_desk, clock, config)   # open_desk: () -> Desk, called off the loop
    app.run()

Once the main screen is up, the alert service (``alerts_bridge``) starts on the
app's loop: it shows toasts, rings the bell and feeds ``unacked_alerts``, which
the header shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import os
from typing import TYPE_CHECKING

from textual.app import App
from textual.reactive import var

from ..i18n import _, choose_language, set_language
from ..resources import styles_path
from . import actions
from .actions import check_keymap
from .backend import Backend, Opener
from .palette import ActionsProvider
from .start_screen import StartScreen
from .translate import translate_bindings

if TYPE_CHECKING:
    from textual.notifications import Notification, Notify

    from ..alerts import AlertService
    from ..clock import Clock
    from ..config import Config
    from .main_screen import MainScreen

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
    # On the app, with priority: the same key in every screen and form.
    BINDINGS = actions.bindings(actions.APP)
    # The palette lists the current screen's actions (from the table), then Textual's own.
    COMMANDS = App.COMMANDS | {ActionsProvider}

    # A var, not a reactive: a reactive on the App repaints the whole screen when it
    # changes (about 10 KB over ssh, for a count the header redraws in a few cells).
    unacked_alerts: var[int] = var(0)
    """Alerts not yet acknowledged (fed by the alert scheduler; shown in the header)."""

    def __init__(
        self,
        open_desk: Opener,
        clock: Clock,
        config: Config | None = None,
        *,
        user: str = "",
        language: str | None = None,
        theme: str | None = None,
        database: str | None = None,
        tick: bool = True,
        alerts: bool | None = None,
        freeze_heap: bool = False,
    ) -> None:
        configured = language or (config.get("language") if config is not None else None)
        set_language(choose_language(configured))
        super().__init__()
        translate_bindings(self)
        # The desk's [keymap]: the entries that can be used; the others are said once shown.
        self.keymap, self.keymap_problems = check_keymap(
            config.get("keymap", {}) if config is not None else {}
        )
        self.set_keymap(self.keymap)
        self.open_desk = open_desk
        self.clock = clock
        self.config = config
        self.user = user
        self.backend = Backend()
        self.ready = asyncio.Event()  # set once the desk is open and its queue shown
        self._initial_theme = theme or initial_theme()
        self.main: MainScreen | None = None  # once built
        self.database = database  # shown in the header instead of the desk's URL
        self.tick = tick  # False: no timer (snapshots); tests call main.tick_now()
        self.alerts: AlertService | None = None  # once started
        self._with_alerts = tick if alerts is None else alerts  # off in snapshots
        self._freeze_heap = freeze_heap  # the real console; not tests, which share a process
        # Over a slow ssh link each frame of a smooth scroll is more bytes on the wire and
        # more waiting: the console jumps. TEXTUAL_ANIMATIONS, where set, still decides.
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            self.animation_level = "none"

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
        if self.keymap_problems:  # one toast; the console works with the keys it could bind
            self.notify(
                "\n".join(self.keymap_problems),
                title=_("Keys not rebound"),
                severity="warning",
                timeout=30,
                markup=False,
            )
        if self._with_alerts:
            self.run_worker(self._attach_alerts(), group="alerts")
        elif self._freeze_heap:
            self.run_worker(self._settle_heap(), group="heap")

    async def _attach_alerts(self) -> None:
        # After the first full queue, and imported on the backend thread: the
        # scheduler's imports would otherwise hold up the queue and the keys.
        await self.ready.wait()
        await self.backend.call(importlib.import_module, f"{__package__}.alerts_bridge")
        from .alerts_bridge import attach_alerts

        self.alerts = attach_alerts(self)  # uses the desk
        if self.main is not None:
            self.main.refresh_keys()  # the alerts key is live now
        await self._settle_heap()

    async def _settle_heap(self) -> None:
        """Once the desk is open: keep what lives all shift out of the garbage collector.

        The modules, the desk, the first queue and the alert plans are most of the heap; the
        collector's full passes over them took ~90 ms, now and then, and landed
        on key presses (a 1,000-fault queue). ``gc.freeze`` leaves them out.
        """
        if not self._freeze_heap:
            return
        await self.ready.wait()
        if self.alerts is not None:  # its plans and jobs live all shift too
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.alerts.started.wait(), 60)
        gc.freeze()

    def on_unmount(self) -> None:
        if self.alerts is not None:
            self.alerts.close()
        self.backend.shutdown()

    def action_command_palette(self) -> None:
        """Textual's palette, its prompt in the console's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            placeholder = _("Search for commands…")
            self.push_screen(CommandPalette(placeholder=placeholder, id="--command-palette"))

    # -- toasts: one key dismisses them all; the footer shows it while there are any --
    def action_dismiss_toasts(self) -> None:
        self.clear_notifications()
        self._toasts_changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "dismiss_toasts":
            return bool(self._notifications)  # False: out of the footer, the key passes on
        return super().check_action(action, parameters)

    def _on_notify(self, event: Notify) -> None:
        super()._on_notify(event)
        self._toasts_changed()

    def _unnotify(self, notification: Notification, refresh: bool = True) -> None:
        # A toast that times out calls this (Textual has no public hook for it).
        super()._unnotify(notification, refresh)
        self._toasts_changed()

    def _toasts_changed(self) -> None:
        """The dismiss key comes and goes with the toasts: in every footer under them too."""
        self.refresh_bindings()
        for screen in self.screen_stack:
            refresh_keys = getattr(screen, "refresh_keys", None)
            if refresh_keys is not None and screen.is_mounted:  # its footer composed
                refresh_keys()

    def toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def show_alerts(self) -> None:
        """The alerts screen: newest first, acknowledge with a key."""
        from .alerts_screen import AlertsScreen

        if not isinstance(self.screen, AlertsScreen):
            self.push_screen(AlertsScreen(self.alerts))

    def watch_unacked_alerts(self, count: int) -> None:
        if self.main is not None and self.main.is_mounted:
            self.main.header.show(unacked=count)

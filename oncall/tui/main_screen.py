"""The console's main screen: header, queue, detail pane, footer; the keys of the desk.

The screen composes and paints. State flows one way: ``DeskSync`` (``sync.py``,
no Textual) reads the desk on the backend thread and hands the screen what to
show (``show_queue``, ``show_view``); ``DeskSession`` (``session.py``) opens the
desk; the verbs' keys run their commands (``commands.py``), whose forms call
the desk's verbs through ``DeskVerbs.perform`` (``verbs.py``).
"""

from __future__ import annotations

import asyncio
from datetime import tzinfo
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from ..i18n import _
from . import actions
from .backend import Backend, Opener
from .db_health import DatabaseHealth
from .detail import DetailPane
from .filters import QueueFilter, QueueView
from .header import DeskHeader
from .keybar import KeyBar, first_keys, key_state
from .queue import FOLD, QueueTable
from .session import DeskSession
from .sync import DeskSync
from .toasts import fit_toasts
from .translate import translate_bindings
from .verbs import DeskVerbs

if TYPE_CHECKING:
    from ..clock import Clock
    from ..desk import FaultView

# The verb keys that need no fault under the cursor (the rest act on that fault).
NO_FAULT = {("new",), ("add-system",), ("customers",)}
READS = {
    ("report",),
    ("archive",),
    ("customers",),
}  # verb keys that only read: a read-only console has them


class MainScreen(Screen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide"), (160, "-wider")]

    BINDINGS = actions.bindings(actions.MAIN)  # every key: oncall/tui/actions.py
    KEYS_SCREEN = actions.MAIN

    def __init__(
        self,
        backend: Backend,
        opener: Opener,
        clock: Clock,
        user: str,
        *,
        database: str | None = None,
        tick: bool = True,
        ready: asyncio.Event | None = None,
    ) -> None:
        super().__init__()
        self.database = database
        self.ticking = tick
        translate_bindings(self)
        self.backend = backend
        self.opener = opener
        self.clock = clock
        self.user = user
        self.read_only = False
        self.view: FaultView | None = None  # under the cursor, as the detail shows it
        self.tz: tzinfo | None = None
        self.header = DeskHeader(id="header")
        self.queue = QueueTable(id="queue")
        self.detail = DetailPane(id="detail")
        self.health = DatabaseHealth(self)  # the database out of reach: header, retries
        self.sync = DeskSync(
            backend,
            clock,
            self,
            self.health,
            lambda work, group, exclusive: self.run_worker(work, group=group, exclusive=exclusive),
        )
        self.session = DeskSession(self)
        self.verbs = DeskVerbs(self)
        self._keys_state: tuple | None = None
        self.ready = ready or asyncio.Event()  # set once the desk is open and the queue shown

    async def action_verb(self, name: str) -> None:
        """A key of a desk verb (``verb('respond')`` …, ``actions.MAIN``): its command
        (``commands.KEYS``) opens the form or acts."""
        from .commands import KEYS  # the forms load on the first verb key

        await self.verbs.run(KEYS[name])

    # -- layout -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield self.header
        yield Static("", id="banner")
        with Horizontal(id="body"):
            with Vertical(id="queue-pane"):
                yield Static("", id="filter-line")
                yield self.queue
            yield self.detail

    def on_mount(self) -> None:
        self.queue.on_cursor = self._cursor_moved
        self.detail.keys = self._keys_of_actions()
        self.header.user = self.user
        self.header.show(None)
        self.queue.focus()
        self.call_after_refresh(self.session.start)

    def _mount_footer(self) -> None:
        # After the first frame, and after the first full queue when that comes
        # from the quick read: the first frame shows the header as soon as it can.
        if not self.query(KeyBar):
            self.mount(KeyBar(id="footer"))
            self.call_after_refresh(self._show_keys)

    def _show_keys(self) -> None:
        """The footer: the keys that work now (whole ones, as many as fit)."""
        bars = self.query(KeyBar)
        if bars:
            bars.first().show_keys(self, actions.MAIN)

    # -- painting what the sync hands over ----------------------------------------------
    def show_queue(self, view: QueueView) -> None:
        """Apply a ``QueueView`` (made here or on the backend thread): only what changed."""
        self.header.show(view.now, counts=view.bands.counts, unacked=self.app.unacked_alerts)
        want = self.sync.want_ref
        self.queue.apply_rows(view.rows, note=view.note)
        if want is not None and self.queue.move_to_ref(want):
            self.sync.want_ref = None
        flt = self.sync.filter
        filter_line = self.query_one("#filter-line", Static)
        filter_line.update(
            _("Showing: {what}  ({n} of {total})").format(
                what=flt.describe(), n=view.matched, total=view.total
            )
            if flt.active
            else ""
        )
        filter_line.set_class(flt.active, "-shown")
        if not view.rows:
            self.show_view(None)
        self.refresh_keys()  # the fold key comes and goes with the faults breached long ago

    def show_view(self, view: FaultView | None) -> None:
        """The fault under the cursor in the detail pane."""
        self.view = view
        self.detail.show(view, self.clock.now())
        self.refresh_keys()

    def _cursor_moved(self, ref: str | None) -> None:
        """The queue's cursor is on another fault (called at once, in the key's frame)."""
        if self.sync.filter.show == "open":  # a resolved fault kept in view: it leaves now
            for row in [r for r in self.queue.rows if getattr(r.item, "done", False)]:
                if row.ref != ref:
                    self.queue.drop(row.ref)
        views = self.sync.views
        if ref is None:
            self.show_view(None)
        elif self.backend.desk is not None and (self.view is None or self.view.fault.ref != ref):
            kept = views.kept(ref)
            if kept is not None:  # read ahead: show it now, in this frame
                self.show_view(kept)
                views.read_ahead()
            else:
                views.later(ref)

    # -- time -------------------------------------------------------------------------
    def tick_now(self) -> None:
        """One tick: every second (tests drive time with a FixedClock and call it)."""
        now = self.clock.now()
        self.session.check_calendar(now)
        moved = self.sync.advance_bands(now)  # faults whose band moved with time
        if moved is not None and self.sync.bands is not None:
            changed, redone = moved
            if not redone:
                self.queue.set_bands(changed)
            self.header.show(now, counts=self.sync.bands.counts)
        self.header.show(now)
        self.queue.tick(now)
        self.detail.tick(now)
        if not self.health.tick():  # the database is away: retrying instead of polling
            self.sync.tick()

    # -- actions ----------------------------------------------------------------------
    def refresh_keys(self) -> None:
        """Tell the footer (and palette) when, and only when, an action turned on or off.

        ``refresh_bindings`` makes the palette (and any Footer) recompose its keys (tens
        of milliseconds on the loop): calling it on each cursor move made key presses lag.
        """
        state = key_state(self, actions.MAIN)
        if state != self._keys_state:
            self._keys_state = state
            self.app.refresh_bindings()
            self._show_keys()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "verb":  # it writes through the desk (the report only reads)
            if self.backend.desk is None or (self.read_only and parameters not in READS):
                return None
            if parameters not in NO_FAULT and self.queue.cursor_ref is None:
                return None
        if action == "clear_filter" and not self.sync.filter.active:
            return None
        if action == "alerts" and getattr(self.app, "alerts", None) is None:
            return None  # the alert service has not started (or is off)
        if action == "fold" and self.queue.row(FOLD) is None:
            return None  # no faults breached long ago: nothing to show or fold
        return True

    def _keys_of_actions(self) -> dict[str, str]:
        """Each action's first key, as shown (rebound keys included)."""
        return first_keys(self.app, actions.MAIN)

    def action_filter(self) -> None:
        from .forms.filter import FilterForm

        form = FilterForm(self.verbs.form_context(), self.sync.filter)
        self.app.push_screen(form, self.sync.set_filter)

    def action_clear_filter(self) -> None:
        self.sync.set_filter(QueueFilter())

    def action_cycle_list(self) -> None:
        self.sync.set_filter(self.sync.filter.next_show())

    @on(QueueTable.Fold)
    def action_fold(self) -> None:
        """Show or fold the faults breached long ago (also Enter on their line)."""
        self.sync.fold()

    def on_resize(self) -> None:
        self.call_after_refresh(lambda: fit_toasts(self, self.query_one("#queue-pane")))

    # Under a form (or any screen on top) this screen's toasts are hidden too: a form
    # at 80 columns leaves the bottom rows of the queue showing, toasts and all.
    @on(events.ScreenSuspend)
    @on(events.ScreenResume)
    def _covered(self, event: events.ScreenSuspend | events.ScreenResume) -> None:
        # The rack alone: a class on the screen would restyle and repaint all of it,
        # twice for every form opened and closed.
        for rack in self.query("#textual-toastrack"):
            rack.display = isinstance(event, events.ScreenResume)

    @on(QueueTable.Chosen)
    def action_focus_detail(self) -> None:
        """The detail pane, over the queue on a narrow screen (also Enter on a fault)."""
        if self.queue.cursor_ref is None:
            return
        self.set_class(True, "-show-detail")
        self.detail.focus()

    def action_back(self) -> None:
        self.set_class(False, "-show-detail")
        self.queue.focus()

    def action_toggle_theme(self) -> None:
        self.app.toggle_theme()

    def action_alerts(self) -> None:
        self.app.show_alerts()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_quit(self) -> None:
        self.app.exit(0)

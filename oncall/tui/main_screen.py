"""The console's main screen: header, queue, detail pane, footer; the keys of the desk.

State flows one way: the backend thread reads the desk, this screen hands the
read models to the widgets; keys open forms that call the desk's verbs through
``perform`` (which reports a refusal and reloads the fault).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from functools import partial
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from ..i18n import N_, _
from . import actions, fmt
from .backend import Backend, Opened, Reloaded, open_and_load, reload
from .db_health import DatabaseHealth, check_file, one_line
from .detail import DetailPane
from .filters import DoneItem, QueueFilter, QueueView, queue_view
from .header import DeskHeader
from .keybar import KeyBar, first_keys, key_state
from .queue import FOLD, QueueTable, is_fault
from .toasts import fit_toasts
from .translate import translate_bindings

# What the queue says while the demo data loads, per stage of ``load_demo``.
DEMO_STAGES = {
    "people": N_("the roster and the customers"),
    "faults": N_("the faults, their work and their clocks"),
    "write": N_("writing them to the database"),
    "tally": N_("counting what was written"),
}

# Actions that write through the desk (disabled when read-only or not yet loaded).
WRITE_ACTIONS = {
    "new_fault",
    "next_step",
    "respond",
    "solution",
    "assign",
    "take",
    "work",
    "end_work",
    "escalate",
    "pause_resume",
    "level",
    "record",
    "resolve",
    "sign_off",
    "close",
    "reopen",
}
NEEDS_FAULT = WRITE_ACTIONS - {"new_fault"}
# Bands move on with time from the clocks' threshold instants (``BandTracker``)
# and a commit anywhere triggers a reload, so the whole queue is re-read this
# seldom only as a backstop; the fault under the cursor (its clocks' share used)
# more often.
RELOAD_EVERY = 600.0
VIEW_EVERY = 60.0
# The faults next to the cursor are read ahead, so that moving onto one shows
# its detail in the same frame as the cursor (a read after the key would land
# a frame or two later). Views kept, at most, and for how long (share used moves).
READ_AHEAD = 2
VIEWS_KEPT = 32


class MainScreen(Screen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide"), (160, "-wider")]

    BINDINGS = actions.bindings(actions.MAIN)  # every key: oncall/tui/actions.py
    KEYS_SCREEN = actions.MAIN

    def __init__(
        self,
        backend: Backend,
        opener: Any,
        clock: Any,
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
        self.opened: Opened | None = None
        self.read_only = False
        self.items: list = []  # the open queue as the desk gave it
        self.done_items: list = []  # resolved or closed faults when listed
        self.filter = QueueFilter()
        self.view: Any = None  # FaultView under the cursor
        self.last_change = -1
        self.tz: Any = None
        self._reloading = False
        self._reload_again = False
        self._polling = False
        self._last_reload = 0.0
        self._last_view = 0.0
        self._views: dict[str, tuple[float, Any]] = {}  # ref -> (read at, FaultView)
        self.bands: Any = None  # BandTracker of the open queue
        self._news: Any = None  # ChangeReader of the desk's commits, once it is open
        self._want_ref: str | None = None
        self.last_refusal = ""
        self.last_unreachable = False  # the last refusal: the database could not be reached
        self.health = DatabaseHealth(self)  # the database out of reach: header, retries
        self._keys_state: tuple | None = None
        self.ready = ready or asyncio.Event()  # set once the desk is open and the queue shown
        self._calendar_day: Any = None  # the desk's date when the calendar was last checked
        self.expanded = False  # the faults breached long ago shown (z), not folded into a line

    # -- layout -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield DeskHeader(id="header")
        yield Static("", id="banner")
        with Horizontal(id="body"):
            with Vertical(id="queue-pane"):
                yield Static("", id="filter-line")
                yield QueueTable(id="queue")
            yield DetailPane(id="detail")

    @property
    def header(self) -> DeskHeader:
        return self.query_one(DeskHeader)

    @property
    def queue(self) -> QueueTable:
        return self.query_one(QueueTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    def on_mount(self) -> None:
        self.queue.on_cursor = self._cursor_moved
        self.detail.keys = self._keys_of_actions()
        self.header.user = self.user
        self.header.show(None)
        self.queue.focus()
        # Open the desk once the first frame is out: importing the database and
        # calendar libraries on the backend thread would hold the GIL against it.
        self.call_after_refresh(self._start_open)

    def _start_open(self) -> None:
        self.run_worker(self._open(), group="open", exclusive=True)

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

    # -- loading ----------------------------------------------------------------------
    async def _open(self) -> None:
        # First the open queue read straight from the database file, when it can be
        # (before the database libraries are imported); the desk's queue replaces it.
        quick = await self.backend.call(self._open_and_prepare, True)
        if quick is None:
            self._mount_footer()
        else:
            peeked, names, view = quick
            self.tz = self.header.tz = self.detail.tz = peeked.policy.timezone
            self.detail.policy = peeked.policy
            self.header.database = self.database or peeked.database
            self.queue.names = self.detail.names = names
            if self.filter == QueueFilter():  # as prepared (a filter set meanwhile: redo)
                self._show_queue(view)
            else:
                self._apply_queue(peeked.queue)
            await self.wait_for_refresh()  # that frame out before the imports take the GIL
            self._mount_footer()
        try:
            opened, view = await self.backend.call(self._open_and_prepare)
        except Exception as exc:  # the desk's refusals and database failures alike
            message = fmt.safe(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            if quick is not None:  # rows that would never be brought up to date
                self.queue.apply_rows([])
            self.queue.set_note(_("Cannot open the desk: {error}").format(error=message))
            self._banner(_("Cannot open the desk: {error}").format(error=message), "error")
            self.ready.set()
            return
        self.backend.desk = opened.desk
        self.opened = opened
        desk = opened.desk
        self.tz = desk.policy.timezone
        self.header.tz = self.tz
        self.header.database = self.database or _database_label(desk)
        self.detail.tz = self.tz
        self.detail.policy = desk.policy
        self._set_people(opened)
        self.last_change = opened.last_change
        if self.filter == QueueFilter():  # as prepared (a filter set meanwhile: redo)
            self._show_queue(view)
        else:
            self._apply_queue(opened.queue)
        if quick is not None and self.queue.cursor_ref is not None:
            # its fault was highlighted before the desk could read it
            self._view_later(self.queue.cursor_ref)
        self._last_reload = time.monotonic()
        self._check_calendar(self.clock.now())
        self.refresh_keys()
        if self.ticking:
            self.set_interval(1.0, self._tick, name="tick")
        self.run_worker(check_file(self.health, desk), group="check")
        if opened.empty:
            from .confirm import ConfirmScreen

            self.app.push_screen(
                ConfirmScreen(
                    _("This database is empty."),
                    _("Load the demo data (customers, engineers, about 40 open faults)?")
                    + "\n"
                    + _("You ({user}) will be put on the roster.").format(user=fmt.safe(self.user)),
                ),
                self._demo_answer,
            )
        self.ready.set()

    def _open_and_prepare(self, quick: bool = False) -> tuple | None:
        """On the backend thread: open the desk, read the first screen, work out its rows:
        (Opened, QueueView).

        ``quick``: the open queue read straight from the database file instead, before
        the desk opens (``backend.peek``): (Peeked, names, QueueView), or None when the
        opener cannot read it that way.
        """
        if quick:
            from .backend import peek

            peeked = peek(self.opener)
            if peeked is None:
                return None
            names = {user: fmt.safe(name) for user, name in peeked.names.items()}
            view = queue_view(peeked.queue, [], QueueFilter(), None, names, self.clock.now())
            return peeked, names, view
        opened = open_and_load(self.opener)
        me = self.user if opened.me is not None else None
        names = _names(opened)
        view = queue_view(opened.queue, [], QueueFilter(), me, names, self.clock.now())
        return opened, view

    def _set_people(self, opened: Opened) -> None:
        names = _names(opened)
        self.queue.names = names
        self.detail.names = names
        self.detail.engineers = list(opened.engineers)
        self.read_only = opened.me is None
        self.header.read_only = self.read_only
        refused = opened.refused_claim
        if refused is not None:
            self._banner(
                _(
                    "Read-only: {real} is not a roster lead, so cannot act as {user} "
                    "(ONCALL_USER). Unset it to act as yourself."
                ).format(real=fmt.safe(refused.real_user), user=fmt.safe(refused.claimed)),
                "warning",
            )
        elif self.read_only:
            self._banner(
                _(
                    "Read-only: {user} is not on the engineers' roster. To be added, ask a lead "
                    "to run: oncall engineer add {user} --name NAME --seniority engineer"
                ).format(user=fmt.safe(self.user)),
                "warning",
            )
        else:
            self._banner("", "")

    def _banner(self, text: str, kind: str) -> None:
        banner = self.query_one("#banner", Static)
        banner.update(text)
        banner.set_class(bool(text), "-shown")
        banner.set_class(kind == "error", "-error")

    def _demo_answer(self, yes: bool | None) -> None:
        if yes:
            self.queue.set_note(_("loading the demo data…"))
            self.run_worker(self._load_demo(), group="demo", exclusive=True)

    async def _load_demo(self) -> None:
        def progress(stage: str) -> None:  # on the backend thread
            note = _("loading the demo data: {stage}…").format(stage=_(DEMO_STAGES[stage]))
            self.app.call_from_thread(self.queue.set_note, note)

        def load(desk):
            from ..desk.demo import load_demo

            load_demo(desk, progress=progress)
            return open_and_load(lambda: desk)

        try:
            opened = await self.backend.call(load, self.backend.desk)
        except Exception as exc:
            self.notify(fmt.safe(str(exc)), title=_("Demo data"), severity="error", markup=False)
            return
        self.opened = opened
        self._set_people(opened)
        self.last_change = opened.last_change
        self._apply_queue(opened.queue)
        self.refresh_keys()
        self.notify(_("Demo data loaded."), markup=False)

    async def reload(self) -> None:
        """Re-read the queue and the fault under the cursor (serialised; coalesces requests)."""
        if self.backend.desk is None:
            return
        if self._reloading:
            self._reload_again = True
            return
        self._reloading = True
        try:
            await self._reload()
        except Exception as exc:
            if not self.health.failed(exc):
                raise
        finally:
            self._reloading = False

    async def _reload(self) -> None:
        while True:
            self._reload_again = False
            ref = self.queue.cursor_ref
            if self.filter.show != "open":
                await self._load_done()
            # Everything heavy (the read, the row texts, the filter) on the backend
            # thread; the loop only applies the rows that changed.
            shown = self._shown_state()
            data, view = await self.backend.call(
                _reload_and_prepare, self.backend.desk, ref, self.queue.cursor, self._queue_view
            )
            self.health.read_ok()
            self.last_change = data.last_change
            self._last_reload = self._last_view = time.monotonic()
            if shown != self._shown_state():
                view = self._queue_view(data.queue, self._lingering())  # the filter changed
            self._show_queue(view)
            self._keep_view(data.view)
            if data.view is not None and data.view.fault.ref == self.queue.cursor_ref:
                self._show_view(data.view)
            elif self.queue.cursor_ref is not None:
                await self._load_view(self.queue.cursor_ref)
            if not self._reload_again:
                break

    def _shown_state(self) -> tuple:
        """What the queue's rows depend on besides the desk's queue."""
        return (self.filter, self.done_items, self.queue.names, self.read_only, self.expanded)

    async def _load_done(self) -> None:
        status = self.filter.show
        faults = await self.backend.desk_call(
            "reads.faults", include_closed=True, status=status, limit=500
        )
        self.done_items = [DoneItem(f) for f in faults]

    def _apply_queue(self, items: list) -> None:
        self._show_queue(self._queue_view(items, self._lingering()))

    def _queue_view(self, items: list, linger: tuple | None = None) -> QueueView:
        """What ``_show_queue`` shows for ``items`` under the current filter (heavy half)."""
        me = self.user if not self.read_only else None
        return queue_view(
            items,
            self.done_items,
            self.filter,
            me,
            self.queue.names,
            self.clock.now(),
            expanded=self.expanded,
            linger=linger,
        )

    def _lingering(self) -> tuple | None:
        """(row, item) of the resolved fault kept under the cursor, if it is there."""
        row = self.queue.row(self.queue.cursor_ref or "")
        if row is not None and getattr(row.item, "done", False) and self.filter.show == "open":
            return self.queue.cursor, row.item
        return None

    def _show_queue(self, view: QueueView) -> None:
        """Apply a ``QueueView`` (made here or on the backend thread): only what changed."""
        self.items = view.items
        self.bands = view.bands
        self.header.show(view.now, counts=view.bands.counts, unacked=self.app.unacked_alerts)
        want = self._want_ref
        self.queue.apply_rows(view.rows, note=view.note)
        if want is not None and self.queue.move_to_ref(want):
            self._want_ref = None
        filter_line = self.query_one("#filter-line", Static)
        filter_line.update(
            _("Showing: {what}  ({n} of {total})").format(
                what=self.filter.describe(), n=view.matched, total=view.total
            )
            if self.filter.active
            else ""
        )
        filter_line.set_class(self.filter.active, "-shown")
        if not view.rows:
            self._show_view(None)
        self.refresh_keys()  # the fold key comes and goes with the faults breached long ago

    def select_after_reload(self, ref: str) -> None:
        """Put the cursor on ``ref`` once it shows up (a fault just logged)."""
        if not self.queue.move_to_ref(ref):
            self._want_ref = ref

    async def _load_view(self, ref: str) -> None:
        from ..desk import NotFound

        try:
            view = await self.backend.desk_call("reads.fault_view", ref)
        except NotFound:
            view = None
        except Exception as exc:
            if not self.health.failed(exc):
                raise
            return  # the detail keeps what it showed; the retry reloads it
        self._keep_view(view)
        if ref == self.queue.cursor_ref:
            self._show_view(view)
            self._read_ahead()

    def _view_later(self, ref: str) -> None:
        """Read and show ``ref``'s view (a later request for another fault wins)."""
        self.run_worker(partial(self._load_view, ref), group="view", exclusive=True)

    def _show_view(self, view: Any) -> None:
        self.view = view
        self.detail.show(view, self.clock.now())
        self.refresh_keys()

    def _keep_view(self, view: Any) -> None:
        if view is None:
            return
        ref = view.fault.ref
        self._views.pop(ref, None)
        self._views[ref] = (time.monotonic(), view)
        while len(self._views) > VIEWS_KEPT:
            del self._views[next(iter(self._views))]

    def _kept_view(self, ref: str) -> Any | None:
        """A view read lately of ``ref`` that is still current (same fault version)."""
        kept = self._views.get(ref)
        row = self.queue.row(ref)
        if kept is None or row is None:
            return None
        read_at, view = kept
        if view.fault.version != row.item.fault.version or time.monotonic() - read_at > VIEW_EVERY:
            return None
        return view

    def _read_ahead(self) -> None:
        cursor, rows = self.queue.cursor, self.queue.rows
        near = [
            rows[i].ref
            for d in range(1, READ_AHEAD + 1)
            for i in (cursor + d, cursor - d)
            if 0 <= i < len(rows) and is_fault(rows[i].ref)
        ]
        wanted = [ref for ref in near if self._kept_view(ref) is None]
        if wanted and self.backend.desk is not None:
            self.run_worker(partial(self._fetch_views, wanted), group="ahead", exclusive=True)

    async def _fetch_views(self, refs: list[str]) -> None:
        try:
            views = await self.backend.call(_views_of, self.backend.desk, refs)
        except Exception as exc:
            if not self.health.failed(exc):
                raise
            return
        for view in views:
            self._keep_view(view)

    def _cursor_moved(self, ref: str | None) -> None:
        """The queue's cursor is on another fault (called at once, in the key's frame)."""
        if self.filter.show == "open":  # a resolved fault kept in view: it leaves now
            for row in [r for r in self.queue.rows if getattr(r.item, "done", False)]:
                if row.ref != ref:
                    self.queue.drop(row.ref)
        if ref is None:
            self._show_view(None)
        elif self.backend.desk is not None and (self.view is None or self.view.fault.ref != ref):
            kept = self._kept_view(ref)
            if kept is not None:  # read ahead: show it now, in this frame
                self._show_view(kept)
                self._read_ahead()
            else:
                self._view_later(ref)

    @on(QueueTable.Chosen)
    def _chosen(self, message: QueueTable.Chosen) -> None:
        self.action_focus_detail()

    @on(QueueTable.Fold)
    def _fold(self, message: QueueTable.Fold) -> None:
        self.action_fold()

    def action_fold(self) -> None:
        """Show or fold the faults breached long ago (``LONG_BREACHED``); the cursor stays."""
        self.expanded = not self.expanded
        self._apply_queue(self.items)

    # -- time -------------------------------------------------------------------------
    def tick_now(self) -> None:
        """One tick, now (tests drive time with a FixedClock)."""
        self._tick()

    def _tick(self) -> None:
        now = self.clock.now()
        self._check_calendar(now)
        self._advance_bands(now)
        self.header.show(now)
        self.queue.tick(now)
        self.detail.tick(now)
        if self.health.tick():  # the database is away: retrying instead of polling
            return
        since = time.monotonic()
        if since - self._last_reload >= RELOAD_EVERY:
            self.run_worker(self.reload(), group="reload")
            return
        if since - self._last_view >= VIEW_EVERY and self.queue.cursor_ref is not None:
            self._last_view = since
            self._view_later(self.queue.cursor_ref)
        if not self._polling and self._changed():
            self.run_worker(self._poll(), group="poll")

    def _check_calendar(self, now: Any) -> None:
        """Once a day: which calendar years ahead are not known (a header warning)."""
        desk = self.backend.desk
        day = now.astimezone(self.tz).date() if self.tz is not None else None
        if desk is None or day is None or day == self._calendar_day:
            return
        self._calendar_day = day
        self.run_worker(self._read_calendar(desk.policy, now), group="calendar")

    async def _read_calendar(self, policy: Any, now: Any) -> None:
        # On the backend thread: a year not worked out yet loads the holidays package.
        unknown = await self.backend.call(policy.unknown_years, now)
        self.header.unknown_years = [(u.calendar, u.year) for u in unknown]
        self.header.show()

    def _advance_bands(self, now: Any) -> None:
        """Faults whose band moved with time: recolour them, recount the header."""
        bands = self.bands
        if bands is None or bands.next_at is None or now < bands.next_at:
            return
        changed = bands.advance(now)
        if not changed:
            return
        # The filter may take rows in or out, and a fault that breached moves from
        # the faults due next to the breaches: redo the view.
        if self.filter.band or (self.filter.show == "open" and "breached" in changed.values()):
            self.run_worker(self._refilter(), group="reload")
        else:
            self.queue.set_bands(changed)
        self.header.show(now, counts=bands.counts)

    def _changed(self) -> bool:
        """Whether anything may have been committed since the last poll (cheap, on the loop)."""
        desk = self.backend.desk
        if desk is None:
            return False
        if self._news is None:
            from ..store.watch import ChangeReader

            self._news = ChangeReader(desk.reads.change_watch())
        return self._news.moved()

    async def _poll(self) -> None:
        """One indexed read of the newest audit event id; reload when it moved."""
        if self.backend.desk is None:
            return
        self._polling = True
        try:
            last = await self.backend.desk_call("reads.last_change")
        except Exception as exc:
            self._news.forget()  # ask again next time
            self.health.failed(exc)
            return
        finally:
            self._polling = False
        if last != self.last_change:
            await self.reload()

    def database_answered(self) -> None:
        """After the database was away: ask for news and re-read the queue."""
        if self._news is not None:
            self._news.forget()
        self.run_worker(self.reload(), group="reload")

    def show_unacked(self, n: int) -> None:
        self.header.show(unacked=n)

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
        if action in WRITE_ACTIONS and (self.backend.desk is None or self.read_only):
            return None
        if action in NEEDS_FAULT and self.queue.cursor_ref is None:
            return None
        if action == "clear_filter" and not self.filter.active:
            return None
        if action == "alerts" and getattr(self.app, "alerts", None) is None:
            return None  # the alert service has not started (or is off)
        if action == "fold" and self.queue.row(FOLD) is None:
            return None  # no faults breached long ago: nothing to show or fold
        return True

    def current(self) -> Any | None:
        """The FaultSummary under the cursor (the freshest we have)."""
        ref = self.queue.cursor_ref
        if ref is None:
            return None
        if self.view is not None and self.view.fault.ref == ref:
            return self.view.fault
        row = self.queue.row(ref)
        return row.item.fault if row is not None else None

    async def perform(self, verb: str, *args: Any, notice: str = "", **kwargs: Any) -> Any | None:
        """Call the desk's ``verb``; on a refusal notify and reload; returns None then.

        The database out of reach (or damaged) is no refusal: the header says so and
        ``last_unreachable`` tells the form that nothing was saved."""
        self.last_refusal = ""
        self.last_unreachable = False
        try:
            result = await self.backend.desk_call(verb, *args, **kwargs)
        except Exception as exc:
            if not self.health.failed(exc, write=True):
                return self._refused(exc)
            # Nothing was written: the form stays open with what was typed.
            self.last_refusal = one_line(exc)
            self.last_unreachable = True
            self.notify(
                fmt.safe(self.last_refusal),
                title=_("Not saved"),
                severity="error",
                timeout=12,
                markup=False,
            )
            return None
        if notice:
            self.notify(notice, markup=False)
        self.run_worker(self.reload(), group="reload")
        return result

    def _refused(self, exc: Exception) -> None:
        """A refusal by the desk (notify, reload) or another failure (notify)."""
        from ..desk import DeskError

        if isinstance(exc, DeskError):
            self.last_refusal = fmt.refusal(exc)  # in the console's language
            self.notify(
                fmt.safe(self.last_refusal),
                title=_("Refused"),
                severity="error",
                timeout=12,
                markup=False,
            )
            self.run_worker(self.reload(), group="reload")
            return None
        # a database failure: say it, keep the console up
        self.last_refusal = f"{type(exc).__name__}: {exc}"
        self.notify(
            fmt.safe(f"{type(exc).__name__}: {exc}"),
            title=_("Error"),
            severity="error",
            timeout=12,
            markup=False,
        )
        return None

    async def fresh_fault(self, ref: str) -> Any | None:
        try:
            return await self.backend.desk_call("reads.fault", ref)
        except Exception:
            return None

    async def fresh_view(self, ref: str) -> Any | None:
        try:
            return await self.backend.desk_call("reads.fault_view", ref)
        except Exception:
            return None

    def form_context(self):
        from .forms.base import FormContext

        opened = self.opened
        return FormContext(
            screen=self,
            tz=self.tz,
            clock=self.clock,
            me=self.user,
            engineers=list(opened.engineers) if opened else [],
            customers=list(opened.customers) if opened else [],
            policy=self.backend.desk.policy if self.backend.desk else None,
        )

    def _open_form(self, form_class: type, *args: Any, defaults: dict | None = None) -> None:
        form = form_class(self.form_context(), *args)
        form.defaults = dict(defaults or {})
        self.app.push_screen(form)

    def action_new_fault(self) -> None:
        from .forms.intake import IntakeForm

        self._open_form(IntakeForm)

    def _fault_form(self, module: str, name: str) -> None:
        fault = self.current()
        if fault is None:
            return
        import importlib

        form = getattr(importlib.import_module(f".forms.{module}", __package__), name)
        self._open_form(form, fault)

    def action_respond(self) -> None:
        self._fault_form("verbs", "RespondForm")

    def action_solution(self) -> None:
        self._fault_form("verbs", "SolutionForm")

    async def action_assign(self) -> None:
        await self._fresh_roster()  # who is on duty, as of now
        self._fault_form("verbs", "AssignForm")

    async def action_escalate(self) -> None:
        await self._fresh_roster()
        self._fault_form("verbs", "EscalateForm")

    def action_level(self) -> None:
        self._fault_form("verbs", "LevelForm")

    def action_resolve(self) -> None:
        self._fault_form("verbs", "ResolveForm")

    def action_close(self) -> None:
        self._fault_form("verbs", "CloseForm")

    def action_reopen(self) -> None:
        self._fault_form("verbs", "ReopenForm")

    async def action_work(self) -> None:
        await self._with_view("work", "WorkForm", next_mode=True)

    def action_pause_resume(self) -> None:
        fault = self.current()
        if fault is None:
            return
        self._fault_form("verbs", "ResumeForm" if fault.status == "waiting" else "PauseForm")

    async def action_take(self) -> None:
        fault = self.current()
        if fault is None:
            return
        if fault.assignee == self.user:
            self.notify(_("{ref} is already yours.").format(ref=fmt.safe(fault.ref)), markup=False)
            return
        await self.perform(
            "faults.assign",
            fault.ref,
            self.user,
            version=fault.version,
            notice=_("{ref} assigned to you.").format(ref=fmt.safe(fault.ref)),
        )

    async def _with_view(self, module: str, name: str, next_mode: bool = False) -> None:
        """Open a form that needs the fault's whole view (``next_mode``: in the mode of
        work the next step asks for, e.g. on site once the remote-fix window ran out)."""
        fault = self.current()
        if fault is None:
            return
        view = await self.fresh_view(fault.ref)
        if view is None:
            return
        defaults = {}
        if next_mode and self.backend.desk is not None:
            from ..desk.next_step import next_step

            mode = next_step(view, self.backend.desk.policy).mode
            defaults = {"mode": mode} if mode else {}
        if name == "SignOffForm" and not [
            w for w in view.work if w.mode == "onsite" and not w.signed
        ]:
            self.notify(
                _("{ref} has no on-site work waiting for the customer's sign-off.").format(
                    ref=fmt.safe(fault.ref)
                ),
                markup=False,
            )
            return
        if name == "EndWorkForm" and not [w for w in view.work if w.end is None]:
            self.notify(
                _("{ref} has no work going on.").format(ref=fmt.safe(fault.ref)), markup=False
            )
            return
        import importlib

        form = getattr(importlib.import_module(f".forms.{module}", __package__), name)
        self._open_form(form, view.fault, view, defaults=defaults)

    async def action_end_work(self) -> None:
        await self._with_view("work", "EndWorkForm")

    async def action_record(self) -> None:
        await self._with_view("record", "RecordForm")

    async def action_sign_off(self) -> None:
        await self._with_view("work", "SignOffForm")

    def _keys_of_actions(self) -> dict[str, str]:
        """Each action's first key, as shown (rebound keys included)."""
        return first_keys(self.app, actions.MAIN)

    async def _fresh_roster(self) -> list:
        """The roster as stored now (who is on duty changes during a shift)."""
        if self.opened is None:
            return []
        try:
            engineers = await self.backend.desk_call("roster.all")
        except Exception:  # keep what we have; the form still opens
            return list(self.opened.engineers)
        self.opened.engineers = engineers
        self.detail.engineers = list(engineers)
        return engineers

    async def action_next_step(self) -> None:
        """Open the form of the fault's next step (see ``desk.next_step``), pre-filled."""
        from ..desk.next_step import describe, next_step
        from .next_step import FORMS, form_defaults, words

        fault = self.current()
        if fault is None or self.backend.desk is None:
            return
        view = await self.fresh_view(fault.ref)
        if view is None:
            return
        engineers = await self._fresh_roster()
        step = next_step(view, self.backend.desk.policy, engineers)
        form = FORMS.get(step.action or "")
        if form is None:  # nothing the console can do for it (closed, nobody to escalate to)
            said = describe(step, view.now, words(self.tz))
            self.notify(f"{fmt.safe(fault.ref)}: {said}", markup=False)
            return
        module, name, with_view = form
        import importlib

        form_class = getattr(importlib.import_module(f".forms.{module}", __package__), name)
        args = (view.fault, view) if with_view else (view.fault,)
        self._open_form(form_class, *args, defaults=form_defaults(step, self.tz))

    def action_filter(self) -> None:
        from .forms.filter import FilterForm

        self.app.push_screen(FilterForm(self.form_context(), self.filter), self._set_filter)

    def _set_filter(self, new: QueueFilter | None) -> None:
        if new is None or new == self.filter:
            return
        self.filter = new
        self.run_worker(self._refilter(), group="reload")

    async def _refilter(self) -> None:
        if self.filter.show != "open" and self.backend.desk is not None:
            await self._load_done()
        self._apply_queue(self.items)
        self.refresh_keys()

    def action_clear_filter(self) -> None:
        self._set_filter(QueueFilter())

    def action_cycle_list(self) -> None:
        self._set_filter(self.filter.next_show())

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_toasts)

    # Under a form (or any screen on top) this screen's toasts are hidden too: a form
    # at 80 columns leaves the bottom rows of the queue showing, toasts and all.
    def on_screen_suspend(self) -> None:
        self.add_class("-covered")

    def on_screen_resume(self) -> None:
        self.remove_class("-covered")

    def _fit_toasts(self) -> None:
        fit_toasts(self, self.query_one("#queue-pane"))

    def action_focus_detail(self) -> None:
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


def _names(opened: Opened) -> dict[str, str]:
    return {e.user: fmt.safe(e.name) for e in opened.engineers}


def _views_of(desk: Any, refs: list[str]) -> list:
    """On the backend thread: the views of ``refs`` (those that still exist)."""
    from ..desk import NotFound

    views = []
    for ref in refs:
        with contextlib.suppress(NotFound):  # gone meanwhile: nothing to read ahead
            views.append(desk.reads.fault_view(ref))
    return views


def _reload_and_prepare(
    desk: Any, ref: str | None, at: int, prepare: Any
) -> tuple[Reloaded, QueueView]:
    """On the backend thread: re-read the queue and work out its rows.

    The fault under the cursor (``ref``, in row ``at``) that left the open queue
    (resolved, here or elsewhere) stays in its row, marked, until the cursor moves."""
    data = reload(desk, ref)
    view = data.view
    linger = None
    if view is not None and view.fault.ref == ref and not view.fault.is_open:
        linger = (at, DoneItem(view.fault))
    return data, prepare(data.queue, linger)


def _database_label(desk: Any) -> str:
    try:
        url = desk.engine.url
        if url.get_backend_name() == "sqlite" and url.database:
            return f"sqlite:{url.database}"
        return url.render_as_string(hide_password=True)
    except Exception:
        return ""

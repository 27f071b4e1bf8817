"""Keeping the console in step with the desk: reloads, the poll, a verb's change, the
fault views kept. Plain Python, no Textual.

``DeskSync`` owns the open queue as the desk gave it, the resolved or closed list
when that is shown, the filter, and when to read what. It reads the desk through
the ``Backend`` (one thread) with the functions of ``backend``, which take what
they need as arguments and never read the screen; it tells the screen what to
show through ``Shown``, and the screen only paints. ``FaultViews`` keeps the
fault views read lately, so that moving the cursor shows the next fault at once.

The queue comes up to date three ways:

- ``reload``: the whole open queue and the fault under the cursor, re-read: after
  a commit elsewhere, once the database is back, and every ``RELOAD_EVERY`` as a
  backstop. Requests made while one runs are served by one more round.
- ``fault_changed(ref, view)``: after a verb of this console. The verb returned
  the fault's view (record, work, events, clocks), built in its own transaction
  (``Desk.changed``): it replaces the fault's row and the detail, read from
  nothing. The other rows are what they were. (Without a view, it is read once.)
- ``poll``: on a tick when the change watch moved (every tick on a database
  without one): the id of the newest audit event. When every event since the
  last reload is one this console has shown (its own verbs'), nothing else
  changed and nothing is re-read.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Protocol

from .backend import reload_and_prepare, views_of
from .filters import DoneItem, QueueFilter, QueueShape, QueueView

if TYPE_CHECKING:
    from ..clock import Clock
    from ..desk import FaultView, QueueItem
    from ..desk.database import ChangeReader
    from .backend import Backend
    from .bands import BandTracker

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

# Runs a coroutine function in the background, in a group (``exclusive``: a newer
# one of the group cancels the one running). The screen's ``run_worker``.
Spawn = Callable[[Callable[[], Awaitable[None]], str, bool], object]


class Row(Protocol):
    @property
    def ref(self) -> str: ...

    @property
    def item(self) -> object: ...  # QueueItem or DoneItem (None for the folded line)


class Cursor(Protocol):
    """Where the queue's cursor is (``QueueTable``)."""

    @property
    def cursor(self) -> int: ...

    @property
    def rows(self) -> Sequence[Row]: ...

    @property
    def cursor_ref(self) -> str | None: ...

    def row(self, ref: str) -> Row | None: ...


class Shown(Protocol):
    """What the sync needs of the screen: where the cursor is, and how to show things."""

    @property
    def queue(self) -> Cursor: ...

    def show_queue(self, view: QueueView) -> None: ...

    def show_view(self, view: FaultView | None) -> None: ...

    def refresh_keys(self) -> None: ...


class Health(Protocol):
    """Whether the database answers (``db_health.DatabaseHealth``)."""

    def failed(self, exc: BaseException, *, write: bool = False) -> bool: ...

    def read_ok(self) -> None: ...


def with_view(items: list[QueueItem], view: FaultView) -> list[QueueItem]:
    """The open queue with ``view``'s fault as just read: its row replaced, added (logged,
    reopened) or gone (resolved), in the queue's order."""
    from ..desk import QueueItem
    from ..desk.queue import queue_key

    ref = view.fault.ref
    rest = [i for i in items if i.fault.ref != ref]
    if view.fault.is_open:
        rest.append(QueueItem(view.fault, view.clocks, view.now))
        rest.sort(key=queue_key)
    return rest


def with_done(done: list[DoneItem], view: FaultView, show: str) -> list[DoneItem] | None:
    """The resolved (or closed) list with ``view``'s fault as just read; None when the
    fault joins the list (where it goes is the list's read to say)."""
    ref, status = view.fault.ref, view.fault.status
    at = next((n for n, d in enumerate(done) if d.fault.ref == ref), None)
    if at is None:
        return None if status == show else done
    out = list(done)
    if status == show:
        out[at] = DoneItem(view.fault)
    else:
        del out[at]
    return out


class FaultViews:
    """The fault views read lately (the cursor's and its neighbours'), by ref."""

    def __init__(
        self,
        backend: Backend,
        shown: Shown,
        health: Health,
        spawn: Spawn,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.shown = shown
        self.health = health
        self.spawn = spawn
        self._monotonic = monotonic
        self._kept: dict[str, tuple[float, FaultView]] = {}  # ref -> (read at, view)

    def keep(self, view: FaultView | None) -> None:
        if view is None:
            return
        ref = view.fault.ref
        self._kept.pop(ref, None)
        self._kept[ref] = (self._monotonic(), view)
        while len(self._kept) > VIEWS_KEPT:
            del self._kept[next(iter(self._kept))]

    def kept(self, ref: str) -> FaultView | None:
        """A view read lately of ``ref`` that is still current: the version its row shows,
        read less than ``VIEW_EVERY`` ago."""
        kept = self._kept.get(ref)
        row = self.shown.queue.row(ref)
        if kept is None or row is None:
            return None
        read_at, view = kept
        shown = getattr(row.item, "fault", None)  # the fault as its row shows it
        if shown is None or view.fault.version != shown.version:
            return None
        if self._monotonic() - read_at > VIEW_EVERY:
            return None
        return view

    async def load(self, ref: str) -> None:
        """Read ``ref``'s view; show it if the cursor is still on it, then read ahead."""
        from ..desk import NotFound

        desk = self.backend.desk
        if desk is None:
            return
        try:
            view = await self.backend.call(desk.reads.fault_view, ref)
        except NotFound:
            view = None
        except Exception as exc:
            if not self.health.failed(exc):
                raise
            return  # the detail keeps what it showed; the retry reloads it
        self.keep(view)
        if ref == self.shown.queue.cursor_ref:
            self.shown.show_view(view)
            self.read_ahead()

    def later(self, ref: str) -> None:
        """Read and show ``ref``'s view (a later request for another fault wins)."""
        self.spawn(partial(self.load, ref), "view", True)

    def read_ahead(self) -> None:
        """Read the faults next to the cursor that are not kept yet."""
        queue = self.shown.queue
        cursor, rows = queue.cursor, queue.rows
        near = [
            rows[i].ref
            for d in range(1, READ_AHEAD + 1)
            for i in (cursor + d, cursor - d)
            if 0 <= i < len(rows) and rows[i].item is not None
        ]
        wanted = [ref for ref in near if self.kept(ref) is None]
        if wanted and self.backend.desk is not None:
            self.spawn(partial(self._fetch, wanted), "ahead", True)

    async def _fetch(self, refs: list[str]) -> None:
        desk = self.backend.desk
        if desk is None:
            return
        try:
            views = await self.backend.call(views_of, desk, refs)
        except Exception as exc:
            if not self.health.failed(exc):
                raise
            return
        for view in views:
            self.keep(view)


class DeskSync:
    """The console's copy of the desk's queue, and when to read it again."""

    def __init__(
        self,
        backend: Backend,
        clock: Clock,
        shown: Shown,
        health: Health,
        spawn: Spawn,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.clock = clock
        self.shown = shown
        self.health = health
        self.spawn = spawn
        self._monotonic = monotonic
        self.views = FaultViews(backend, shown, health, spawn, monotonic)
        self.items: list[QueueItem] = []  # the open queue as the desk gave it
        self.done_items: list[DoneItem] = []  # resolved or closed faults when listed
        self.bands: BandTracker | None = None  # of the open queue
        self.filter = QueueFilter()
        self.expanded = False  # the faults breached long ago shown (z), not folded into a line
        self.names: dict[str, str] = {}  # engineer (OS user) -> name, as shown
        self.me: str | None = None  # the user, once allowed to act ("mine")
        self.want_ref: str | None = None  # put the cursor there once it shows (a new fault)
        self.last_change = -1  # the newest audit event the queue was read after
        self._shown_events: set[int] = set()  # newer ones this console showed (its verbs')
        self._running = False
        self._full = False  # a reload asked for
        self._refs: list[str] = []  # faults changed by this console's verbs, to read
        self._given: dict[str, FaultView] = {}  # or as their verbs left them, to show
        self._polling = False
        self._last_reload = 0.0
        self._last_view = 0.0
        self._news: ChangeReader | None = None  # of the desk's commits, once it is open

    # -- the rows ---------------------------------------------------------------------
    def shape(self) -> QueueShape:
        """What the rows depend on besides the desk's queue, as of now."""
        return QueueShape(self.filter, tuple(self.done_items), self.me, self.names, self.expanded)

    def show(self, view: QueueView) -> None:
        """Take ``view`` (made here or on the backend thread) as the queue, and show it."""
        self.items = view.items
        self.bands = view.bands
        self.shown.show_queue(view)

    def redo(self, items: list[QueueItem]) -> None:
        """The rows of ``items`` worked out again here (the filter or the fold changed)."""
        self.show(self.shape().view(items, self.clock.now(), self._lingering()))

    def _lingering(self) -> tuple[int, DoneItem] | None:
        """(row, item) of the resolved fault kept under the cursor, if it is there."""
        queue = self.shown.queue
        row = queue.row(queue.cursor_ref or "")
        if row is not None and isinstance(row.item, DoneItem) and self.filter.show == "open":
            return queue.cursor, row.item
        return None

    def opened(self, last_change: int) -> None:
        """The desk is open and its queue shown as of ``last_change``."""
        self.last_change = last_change
        self._shown_events.clear()
        self._last_reload = self._monotonic()

    def set_filter(self, new: QueueFilter | None) -> None:
        if new is None or new == self.filter:
            return
        self.filter = new
        self.spawn(self.refilter, "reload", False)

    async def refilter(self) -> None:
        if self.filter.show != "open" and self.backend.desk is not None:
            await self._load_done()
        self.redo(self.items)
        self.shown.refresh_keys()

    def fold(self) -> None:
        """Show or fold the faults breached long ago (``LONG_BREACHED``); the cursor stays."""
        self.expanded = not self.expanded
        self.redo(self.items)

    def advance_bands(self, now: datetime) -> tuple[dict[str, str], bool] | None:
        """Faults whose band moved with time: ({ref: band} to recolour, whether the rows
        are being worked out again instead); None when no band moved."""
        bands = self.bands
        if bands is None or bands.next_at is None or now < bands.next_at:
            return None
        changed = bands.advance(now)
        if not changed:
            return None
        # The filter may take rows in or out, and a fault that breached moves from
        # the faults due next to the breaches: redo the view.
        if self.filter.band or (self.filter.show == "open" and "breached" in changed.values()):
            self.spawn(self.refilter, "reload", False)
            return changed, True
        return changed, False

    # -- reading ----------------------------------------------------------------------
    async def reload(self) -> None:
        """Re-read the queue and the fault under the cursor."""
        if self.backend.desk is None:
            return
        self._full = True
        await self._run()

    async def fault_changed(self, ref: str, view: FaultView | None = None) -> None:
        """A verb of this console changed ``ref``: show its row and detail from ``view``
        (as the verb left it), or read it first when the verb gave none."""
        if self.backend.desk is None:
            return
        if view is not None:
            self._given[ref] = view
        elif ref not in self._refs:
            self._refs.append(ref)
        await self._run()

    async def _run(self) -> None:
        """One read at a time: what is asked meanwhile is served by the round that runs
        (a reload covers the faults changed too)."""
        if self._running:
            return
        self._running = True
        try:
            while self._full or self._refs or self._given:
                if self._full:
                    self._full = False
                    self._refs.clear()
                    self._given.clear()
                    await self._reload()
                else:
                    refs, self._refs = self._refs, []
                    given, self._given = self._given, {}
                    await self._refresh([r for r in refs if r not in given], given)
        except Exception as exc:
            if not self.health.failed(exc):
                raise
        finally:
            self._running = False

    async def _reload(self) -> None:
        desk = self.backend.desk
        if desk is None:
            return
        queue = self.shown.queue
        ref = queue.cursor_ref
        if self.filter.show != "open":
            await self._load_done()
        # Everything heavy (the read, the row texts, the filter) on the backend
        # thread; the loop only applies the rows that changed.
        shape = self.shape()
        data, view = await self.backend.call(
            reload_and_prepare, desk, ref, queue.cursor, shape, self.clock
        )
        self.health.read_ok()
        self.last_change = data.last_change
        self._shown_events = {e for e in self._shown_events if e > data.last_change}
        self._last_reload = self._last_view = self._monotonic()
        if shape != self.shape():
            view = self.shape().view(data.queue, self.clock.now(), self._lingering())
        self.show(view)
        self.views.keep(data.view)
        if data.view is not None and data.view.fault.ref == queue.cursor_ref:
            self.shown.show_view(data.view)
        elif queue.cursor_ref is not None:
            await self.views.load(queue.cursor_ref)

    async def _refresh(self, refs: list[str], given: dict[str, FaultView]) -> None:
        """The faults ``given`` (as this console's verbs left them) and ``refs`` (re-read)
        shown anew in their rows."""
        desk = self.backend.desk
        if desk is None:
            return
        views = list(given.values())
        if refs:
            views += await self.backend.call(views_of, desk, refs)
            self.health.read_ok()
        items: list[QueueItem] = self.items
        done: list[DoneItem] | None = self.done_items
        for view in views:
            self.views.keep(view)
            self._shown_events.update(e.id for e in view.events if e.id > self.last_change)
            items = with_view(items, view)
            if done is not None and self.filter.show != "open":
                done = with_done(done, view, self.filter.show)
        if len(views) != len(refs) + len(given) or done is None:  # gone, or a new place in the list
            self._full = True
            return
        self.done_items = done
        queue = self.shown.queue
        ref, linger = queue.cursor_ref, None
        mine = next((v for v in views if v.fault.ref == ref), None)
        if mine is not None and not mine.fault.is_open and self.filter.show == "open":
            linger = (queue.cursor, DoneItem(mine.fault))  # stays in its row for now
        self.show(self.shape().view(items, self.clock.now(), linger or self._lingering()))
        if mine is not None and mine.fault.ref == queue.cursor_ref:
            self._last_view = self._monotonic()
            self.shown.show_view(mine)

    async def _load_done(self) -> None:
        desk = self.backend.desk
        if desk is None:
            return
        status = self.filter.show
        faults = await self.backend.call(
            desk.reads.faults, include_closed=True, status=status, limit=500
        )
        self.done_items = [DoneItem(f) for f in faults]

    # -- time -------------------------------------------------------------------------
    def tick(self) -> None:
        """A tick while the database answers: the backstop reload, the cursor's fault
        read again now and then (its clocks' share moves), the poll when anything
        may have been committed."""
        since = self._monotonic()
        if since - self._last_reload >= RELOAD_EVERY:
            self.spawn(self.reload, "reload", False)
            return
        ref = self.shown.queue.cursor_ref
        if since - self._last_view >= VIEW_EVERY and ref is not None:
            self._last_view = since
            self.views.later(ref)
        if not self._polling and self._changed():
            self.spawn(self.poll, "poll", False)

    def _changed(self) -> bool:
        """Whether anything may have been committed since the last poll (cheap, on the loop)."""
        desk = self.backend.desk
        if desk is None:
            return False
        if self._news is None:
            from ..desk.database import ChangeReader

            self._news = ChangeReader(desk.reads.change_watch())
        return self._news.moved()

    async def poll(self) -> None:
        """One indexed read of the newest audit event id; reload when another's commit
        is among those since the last reload."""
        desk = self.backend.desk
        if desk is None:
            return
        self._polling = True
        try:
            last = await self.backend.call(desk.reads.last_change)
        except Exception as exc:
            if self._news is not None:
                self._news.forget()  # ask again next time
            self.health.failed(exc)
            return
        finally:
            self._polling = False
        if last == self.last_change:
            return
        if all(e in self._shown_events for e in range(self.last_change + 1, last + 1)):
            self.last_change = last  # only this console's verbs, shown already
            self._shown_events = {e for e in self._shown_events if e > last}
            return
        await self.reload()

    def database_answered(self) -> None:
        """After the database was away: ask for news and re-read the queue."""
        if self._news is not None:
            self._news.forget()
        self.spawn(self.reload, "reload", False)

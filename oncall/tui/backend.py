"""The console's one door to the desk: every call runs on one worker thread.

Widgets never touch the database: the screen awaits ``Backend.call`` with the
desk's bound method (``backend.call(desk.respond, ref, ...)``): the verb or read
model runs on the backend's thread, off the event loop, and the screen renders
what comes back. One thread keeps the calls in order (a verb, then the read
that shows it) and keeps SQLite connections on one thread.

The functions below run on that thread. They take everything they use as
arguments (the desk, the cursor's fault, the ``QueueShape`` of the rows) and
never read the screen, which the event loop changes meanwhile.

Importing this module imports neither Textual nor the database libraries: the
opener passed in does that, on the backend's thread, after the first frame.
An opener may also offer ``peek()``: the open queue read straight from the
database file before those imports (``oncall.desk.peek``), shown until the
desk is open.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from ..clock import Clock
    from ..desk import (
        ClaimRefused,
        CustomerInfo,
        Desk,
        EngineerInfo,
        FaultView,
        QueueItem,
    )
    from ..desk.peek import Peeked
    from .filters import QueueShape, QueueView

P = ParamSpec("P")
R = TypeVar("R")

# Opens the desk (on the backend thread); may have a ``peek()`` (see the docstring).
Opener = Callable[[], "Desk"]


@dataclass
class Opened:
    """What the console needs once the desk is open."""

    desk: Desk
    me: EngineerInfo | None  # None when the user is not on the roster (or may not act)
    queue: list[QueueItem]
    last_change: int
    empty: bool  # a new database: no customers, no faults
    engineers: list[EngineerInfo] = field(default_factory=list)
    customers: list[CustomerInfo] = field(default_factory=list)
    refused_claim: ClaimRefused | None = None  # a non-lead set ONCALL_USER


@dataclass
class Reloaded:
    queue: list[QueueItem]
    last_change: int
    view: FaultView | None = None  # the fault under the cursor


def peek(opener: Opener) -> Peeked | None:
    """The opener's quick read of the open queue (``oncall.desk.peek.Peeked``), or None:
    when it has none, cannot read the database that way, or fails in any way (the
    desk's own open then runs as usual and reports what is wrong)."""
    quick: Callable[[], Peeked | None] | None = getattr(opener, "peek", None)
    if quick is None:
        return None
    try:
        return quick()
    except Exception:  # noqa: BLE001 - the desk's open says what is wrong, if anything
        return None


def open_and_load(opener: Opener) -> Opened:
    """Open the desk and read what the first full screen shows (runs on the backend thread)."""
    from ..desk import ClaimRefused, UnknownEngineer

    desk = opener()
    me = None
    refused = None
    try:
        me = desk.roster.me()
    except UnknownEngineer:
        pass  # read-only: the screen says how to be added
    except ClaimRefused as exc:
        refused = exc
    queue = desk.reads.open_queue()
    customers = desk.customers.all()
    engineers = desk.roster.all()
    last = desk.reads.last_change()
    empty = not queue and not customers and last == 0
    return Opened(desk, me, queue, last, empty, engineers, customers, refused)


def reload(desk: Desk, ref: str | None) -> Reloaded:
    """The queue, and the fault under the cursor (runs on the backend thread)."""
    from ..desk import NotFound

    last = desk.reads.last_change()
    queue = desk.reads.open_queue()
    view = None
    if ref is not None:
        try:
            view = desk.reads.fault_view(ref)
        except NotFound:
            view = None
    return Reloaded(queue, last, view)


def names_of(engineers: Sequence[EngineerInfo]) -> dict[str, str]:
    """Engineer (OS user) -> name, safe to show."""
    from . import fmt

    return {e.user: fmt.safe(e.name) for e in engineers}


def peek_and_prepare(
    opener: Opener, clock: Clock
) -> tuple[Peeked, dict[str, str], QueueView] | None:
    """On the backend thread, before the desk opens: the open queue read straight from
    the database file, the engineers' names and the rows (as nobody: who the user is
    comes with the desk), or None when the opener cannot read it that way."""
    from . import fmt
    from .filters import QueueShape

    peeked = peek(opener)
    if peeked is None:
        return None
    names = {user: fmt.safe(name) for user, name in peeked.names.items()}
    return peeked, names, QueueShape(names=names).view(peeked.queue, clock.now())


def open_and_prepare(opener: Opener, user: str, clock: Clock) -> tuple[Opened, QueueView]:
    """On the backend thread: open the desk, read the first screen, work out its rows."""
    from .filters import QueueShape

    opened = open_and_load(opener)
    shape = QueueShape(me=user if opened.me is not None else None, names=names_of(opened.engineers))
    return opened, shape.view(opened.queue, clock.now())


def reload_and_prepare(
    desk: Desk, ref: str | None, at: int, shape: QueueShape, clock: Clock
) -> tuple[Reloaded, QueueView]:
    """On the backend thread: re-read the queue and work out its rows as ``shape`` says.

    The fault under the cursor (``ref``, in row ``at``) that left the open queue
    (resolved, here or elsewhere) stays in its row, marked, until the cursor moves."""
    from .filters import DoneItem

    data = reload(desk, ref)
    view = data.view
    linger = None
    if view is not None and view.fault.ref == ref and not view.fault.is_open:
        linger = (at, DoneItem(view.fault))
    return data, shape.view(data.queue, clock.now(), linger)


def views_of(desk: Desk, refs: Sequence[str]) -> list[FaultView]:
    """On the backend thread: the views of ``refs`` (those that still exist)."""
    from ..desk import NotFound

    views = []
    for ref in refs:
        with contextlib.suppress(NotFound):  # gone meanwhile: nothing to read ahead
            views.append(desk.reads.fault_view(ref))
    return views


class Backend:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oncall-desk")
        self.desk: Desk | None = None

    async def call(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(*args, **kwargs)`` on the backend thread: a desk's bound method
        (``backend.call(desk.fault_view, ref)``) or one of the functions above."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

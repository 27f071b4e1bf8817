"""The console's one door to the desk: every call runs on one worker thread.

Widgets never touch the database: the screen awaits ``Backend.call`` (the desk
verb or read model runs on the backend's thread, off the event loop) and
renders what comes back. One thread keeps the calls in order (a verb, then the
reload that shows it) and keeps SQLite connections on one thread.

Importing this module imports neither Textual nor the database libraries: the
opener passed in does that, on the backend's thread, after the first frame.
An opener may also offer ``peek()``: the open queue read straight from the
database file before those imports (``oncall.desk.peek``), shown until the
desk is open.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Opened:
    """What the console needs once the desk is open."""

    desk: Any
    me: Any | None  # EngineerInfo, None when the user is not on the roster (or may not act)
    not_on_roster: str | None  # the desk's message telling how to be added, or why not
    queue: list
    last_change: int
    empty: bool  # a new database: no customers, no faults
    engineers: list = field(default_factory=list)
    customers: list = field(default_factory=list)
    refused_claim: Any | None = None  # ClaimRefused: a non-lead set ONCALL_USER


@dataclass
class Reloaded:
    queue: list
    last_change: int
    view: Any | None = None  # FaultView of the fault under the cursor


def peek(opener: Callable[[], Any]) -> Any | None:
    """The opener's quick read of the open queue (``oncall.desk.peek.Peeked``), or None:
    when it has none, cannot read the database that way, or fails in any way (the
    desk's own open then runs as usual and reports what is wrong)."""
    quick = getattr(opener, "peek", None)
    if quick is None:
        return None
    try:
        return quick()
    except Exception:  # noqa: BLE001 - the desk's open says what is wrong, if anything
        return None


def open_and_load(opener: Callable[[], Any]) -> Opened:
    """Open the desk and read what the first full screen shows (runs on the backend thread)."""
    from ..desk import ClaimRefused, UnknownEngineer

    desk = opener()
    me = None
    not_on_roster = None
    refused = None
    try:
        me = desk.roster.me()
    except UnknownEngineer as exc:
        not_on_roster = str(exc)
    except ClaimRefused as exc:
        not_on_roster, refused = str(exc), exc
    queue = desk.reads.open_queue()
    customers = desk.customers.all()
    engineers = desk.roster.all()
    last = desk.reads.last_change()
    empty = not queue and not customers and last == 0
    return Opened(desk, me, not_on_roster, queue, last, empty, engineers, customers, refused)


def reload(desk: Any, ref: str | None) -> Reloaded:
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


class Backend:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oncall-desk")
        self.desk: Any | None = None

    async def call(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    async def desk_call(self, name: str, /, *args: Any, **kwargs: Any) -> Any:
        """Call the desk's method ``name`` on the backend thread (a dotted path:
        ``"faults.respond"`` is ``desk.faults.respond``)."""
        if self.desk is None:
            raise RuntimeError("the desk is not open yet")
        return await self.call(
            functools.reduce(getattr, name.split("."), self.desk), *args, **kwargs
        )

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

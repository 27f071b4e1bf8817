"""The console while the database cannot be used: say so in the header, retry, recover.

When a read or a save fails because the database is out of reach (PostgreSQL
stopped, the SQLite file locked by another process) or damaged
(``oncall.store.health.classify``), the header says "database unreachable since
03:12, retrying" (a damaged one also puts the problem in the banner). The
screen's regular poll stops; each tick counts down to the next retry, one tick
at first, then twice as many each time, at most ``RETRY_MOST`` (ticks are
counted rather than read off a clock, so tests drive them one by one). A retry
asks the database on the desk's thread (``store.health.probe``): for the write
lock when a save failed (SQLite readers go on under a writer's lock, so a read
proves nothing), else a read. Once it answers, the header clears and the queue
is re-read. A damaged database is not retried (it needs a restore): the header
and the banner say so until the console is restarted; what still reads is shown.
Once the desk is open, ``check_file`` runs SQLite's quick check in the background.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ..i18n import _
from . import fmt

if TYPE_CHECKING:
    from ..desk import Desk
    from .main_screen import MainScreen

RETRY_FIRST = 1
RETRY_MOST = 30


class DatabaseHealth:
    """Whether the database answers, as the main screen saw it."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen  # its header, clock, tz, backend, banner, sync
        self.trouble: str | None = None  # None, "unreachable" or "damaged"
        self.write = False  # a save failed: retry by taking the write lock
        self._retry_in = 0  # ticks until the next retry
        self._gap = RETRY_FIRST
        self._retrying = False

    def failed(self, exc: BaseException, *, write: bool = False) -> bool:
        """``exc`` says the database is out of reach or damaged: show it and retry.
        False for any other error (the caller handles it)."""
        from ..desk.database import classify

        kind = classify(exc)
        if kind is None:
            return False
        self.write = self.write or write
        if self.trouble == "damaged":
            return True  # it stays damaged until restored, whatever comes after
        if self.trouble != kind:
            screen = self.screen
            now = screen.clock.now()
            when = now.astimezone(screen.tz).strftime("%H:%M") if screen.tz else ""
            if kind == "damaged":
                screen.header.trouble = _("database damaged since {time}").format(time=when)
                screen.session.banner(fmt.safe(one_line(exc)), "error")
            elif self.trouble is None:
                screen.header.trouble = _("database unreachable since {time}, retrying").format(
                    time=when
                )
            self.trouble = kind
            self._gap = self._retry_in = RETRY_FIRST
            screen.header.show()
        return True

    def read_ok(self) -> None:
        """A read went through: the database is back, unless it was a save that failed."""
        if self.trouble == "unreachable" and not self.write:
            self.back()

    def back(self) -> None:
        """The database answered again: clear the header (and a damage banner)."""
        if self.trouble is None:
            return
        if self.trouble == "damaged":
            self.screen.session.banner("", "")
        self.trouble = None
        self.write = False
        self.screen.header.trouble = ""
        self.screen.header.show()

    def tick(self) -> bool:
        """One tick; True while out of reach (the screen then skips its regular poll).
        A damaged database is not retried: what still reads is shown, the banner stays."""
        if self.trouble != "unreachable":
            return False
        self._retry_in -= 1
        if self._retry_in <= 0 and not self._retrying and self.screen.backend.desk is not None:
            self._retrying = True
            self.screen.run_worker(self._retry(), group="retry")
        return True

    async def _retry(self) -> None:
        from ..desk.database import probe

        screen = self.screen
        try:
            desk = screen.backend.desk
            if desk is None:
                raise RuntimeError("the desk is not open yet")
            await screen.backend.call(probe, desk.engine, write=self.write)
        except Exception as exc:  # noqa: BLE001 - still away (or a new problem): say which
            self.failed(exc)
            self._gap = min(self._gap * 2, RETRY_MOST)
            self._retry_in = self._gap
            return
        finally:
            self._retrying = False
        self.back()
        screen.sync.database_answered()


async def check_file(health: DatabaseHealth, desk: Desk) -> None:
    """Once the desk is open, SQLite's quick check of its file (about 1 ms per MB): a
    damaged page that the queue does not read still shows in the header.

    On a thread of its own, not the desk's: on a big file it takes a second or more,
    and the keys' reads must not queue behind it."""
    from ..desk.database import check_damage, sqlite_file, where_of

    url = desk.engine.url.render_as_string(hide_password=False)
    file = sqlite_file(url)
    if file is None:
        return
    try:
        await asyncio.to_thread(check_damage, file, where_of(url))
    except Exception as exc:  # noqa: BLE001 - a check that cannot run proves nothing
        health.failed(exc)


def one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

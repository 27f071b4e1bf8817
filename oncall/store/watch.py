"""Has anything been committed to the database since I last looked? Cheaply.

The console and the alert service ask once a second. For an SQLite file the
answer is ``PRAGMA data_version`` on a read-only connection of our own: it moves
whenever any other connection, in this process or another, commits (alerts and
acknowledgements included), reads no table and costs a few microseconds, so it
may run on the event loop. Other databases have no such counter:
``change_watch`` returns None there and callers ask the desk instead (an
indexed read, on their database thread).

A token may move without a change that matters (a WAL checkpoint); callers then
do their usual read and find nothing new. It never stays still over a commit.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
import threading
from pathlib import Path

# Let a locked database answer "cannot tell" at once instead of holding the loop.
_TIMEOUT = 0.05


def connect_read_only(path: Path, timeout: float) -> sqlite3.Connection:
    """A read-only, autocommit connection to an SQLite file (never creates or writes it),
    usable from any thread."""
    return sqlite3.connect(
        f"{Path(path).resolve().as_uri()}?mode=ro",
        uri=True,
        timeout=timeout,
        isolation_level=None,
        check_same_thread=False,
    )


class ChangeWatch:
    """``token()`` changes whenever anything was committed to the SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._con: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._generation = itertools.count()
        self._current = 0

    def token(self) -> tuple[int, int] | None:
        """An opaque value that moves on every commit; None when it cannot tell (ask the desk)."""
        with self._lock:
            try:
                if self._con is None:
                    # A new connection starts its own count: a new generation, so
                    # a token seen before the reconnection never compares equal.
                    self._con = connect_read_only(self.path, _TIMEOUT)
                    self._current = next(self._generation)
                (version,) = self._con.execute("PRAGMA data_version").fetchone()
                return self._current, version
            except sqlite3.Error:
                self._close()
                return None

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._con is not None:
            with contextlib.suppress(sqlite3.Error):
                self._con.close()
            self._con = None


class ChangeReader:
    """One reader's side of a watch: ``moved()`` says whether anything may have been
    committed since its last call (always True without a watch: then ask the desk)."""

    def __init__(self, watch: ChangeWatch | None) -> None:
        self.watch = watch
        self._seen: tuple[int, int] | None = None

    def moved(self) -> bool:
        token = self.watch.token() if self.watch is not None else None
        if token is not None and token == self._seen:
            return False
        self._seen = token
        return True

    def forget(self) -> None:
        """The read that followed ``moved()`` failed: say moved next time too."""
        self._seen = None


def change_watch(url: str) -> ChangeWatch | None:
    """A watch for an SQLite file database; None for any other (no cheap change counter)."""
    from .db import sqlite_file

    file = sqlite_file(url)
    return ChangeWatch(file) if file is not None else None

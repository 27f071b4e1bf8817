"""The alert service's one database thread: every database call runs there, never on the loop.

One thread, so the service's reads and writes never race each other and a
locked database holds up the alerts, never the console's event loop.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from oncall.desk.errors import DeskError, StoreError

# What a database that is locked, unreachable or refusing raises through the desk and the store.
DB_ERRORS = (SQLAlchemyError, DeskError, StoreError, OSError)


class DbThread:
    """``await call(fn, *args)`` runs ``fn`` on the thread; ``retry`` for writes that must land."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oncall-alerts")

    @property
    def started(self) -> bool:
        return self._pool is not None

    async def call(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if self._pool is None:
            raise RuntimeError("the alert service is not started")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    async def retry(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A write that must not be lost to a briefly locked database (a few tries)."""
        delay = 0.5
        for attempt in range(6):
            try:
                return await self.call(fn, *args, **kwargs)
            except DB_ERRORS:
                if attempt == 5:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        return None

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Queue ``fn`` without waiting for it (a synchronous stop)."""
        if self._pool is not None:
            self._pool.submit(fn, *args)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)


def one_line(exc: BaseException) -> str:
    """A database error as one line (the driver's message, not SQLAlchemy's wrapping)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__

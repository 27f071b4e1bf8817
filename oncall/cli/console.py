"""``oncall`` with no subcommand: the full-screen console.

The first frame comes before the database and calendar libraries are imported:
the app gets an opener that loads the policy and opens the desk on the
console's backend thread, after the first frame is on the screen. Before it
opens the desk, the console asks the opener to ``peek``: an SQLite file at the
current schema is read with the standard library (``oncall.desk.peek``), so
the first full queue does not wait for SQLAlchemy and SQLModel to import.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from typing import Any

from ..clock import SystemClock
from .common import CliError


class ConsoleOpener:
    """What the console opens the desk with (called on its backend thread).

    Calling it opens the desk (``Ctx.desk``: the database libraries, the schema
    check, the roster). ``peek()`` reads the open queue of the same database
    (``Ctx.url``: the same ``--db``/``$ONCALL_DB``/config/default choice)
    straight from its SQLite file, read-only, without those libraries; None
    when that cannot be done.
    """

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx

    def __call__(self) -> Any:
        self.ctx.refuse_claim = False  # the console opens read-only instead, saying why
        self.ctx.check_file = False  # checked in the background (tui/db_health.py)
        return self.ctx.desk()

    def peek(self) -> Any | None:
        from ..desk.peek import peek_open_queue

        ctx = self.ctx
        return peek_open_queue(ctx.url, ctx.policy, ctx.clock.now())


def run_console(args: argparse.Namespace) -> int:
    from .context import NOW_VAR, Ctx

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CliError(
            "the console needs a terminal; for scripts use a subcommand (see `oncall --help`)"
        )
    ctx = Ctx(args)
    config = ctx.config  # a bad config file stops here, with one line on stderr
    user = ctx.user
    if os.environ.get(NOW_VAR, "").strip():
        clock = ctx.clock  # a testing aid: loads the policy now for its time zone
    else:
        clock = SystemClock()
        ctx.clock = clock  # type: ignore[misc]  # the cached property, set up front

    from ..tui.app import OncallApp

    app = OncallApp(ConsoleOpener(ctx), clock, config, user=user, freeze_heap=True)
    try:
        with quick_thread_switches():
            result = app.run()
    finally:
        ctx.close()
    return int(result or 0)


@contextmanager
def quick_thread_switches(seconds: float = 0.001):
    """Let a thread waiting for the interpreter have it after ``seconds``, not 5 ms.

    A key press crosses three threads (Textual's input reader, the event loop, its
    writer), and while the desk opens, the queue is read or a catch-up is planned,
    a backend thread computes: at Python's default each hand-over could wait 5 ms
    for it (a hand-over then 2 ms of work beside a busy thread, p95: 18-21 ms at
    5 ms, 8.4-8.7 ms at 1 ms on the development machine)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(before)

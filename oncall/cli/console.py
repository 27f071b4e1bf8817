"""``oncall`` with no subcommand: the full-screen console.

The first frame comes before the database and calendar libraries are imported:
the app gets an opener that loads the policy and opens the desk on the
console's backend thread, after the first frame is on the screen.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..clock import SystemClock
from .common import CliError


def run_console(args: argparse.Namespace) -> int:
    from .desk_cmd import NOW_VAR, Ctx

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

    app = OncallApp(ctx.desk, clock, config, user=user)
    try:
        result = app.run()
    finally:
        ctx.close()
    return int(result or 0)

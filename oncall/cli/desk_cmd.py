"""The desk's command groups: ``register`` adds ``fault`` (fault_cmd.py),
``engineer`` and ``customer`` (roster_cmd.py), ``watch`` (watch_cmd.py),
``alert`` (alert_cmd.py), ``report`` (report_cmd.py), ``db`` (db_cmd.py) and ``demo`` (here).

Registration flows one way: this module imports the command modules, none of
them imports this one; what they share is in ``context.py`` (``Ctx``,
``guarded``, ``command``), ``output.py`` and ``common.py``.
"""

from __future__ import annotations

import argparse
import sys

from ..text import printable
from .common import CliError
from .context import Ctx, command
from .db_cmd import db_hint, schema_of
from .output import emit, jsonable


def register(commands: argparse._SubParsersAction) -> None:
    from . import alert_cmd, db_cmd, fault_cmd, report_cmd, roster_cmd, watch_cmd

    fault_cmd.register(commands)
    roster_cmd.register(commands)
    watch_cmd.register(commands)
    alert_cmd.register(commands)
    db_cmd.register(commands)
    report_cmd.register(commands)

    demo = command(commands, "demo", _demo, "fill a database with demo data")
    demo.add_argument("--seed", type=int, metavar="N", help="random seed (same seed, same data)")
    demo.add_argument("--force", action="store_true", help="go on even if the database has faults")
    demo.add_argument("--json", action="store_true")


# -- demo ---------------------------------------------------------------------------------


def _demo(args: argparse.Namespace, ctx: Ctx) -> int:
    from ..store import upgrade

    ctx.policy  # noqa: B018 - a bad policy or config fails before anything is written
    url = ctx.url
    created = ""
    if ctx.missing_file() is not None or schema_of(url) == "empty":
        created = f" (new schema, revision {upgrade(url)})"
    desk = ctx.desk()
    if desk.reads.faults(include_closed=True, limit=1) and not args.force:
        raise CliError(
            f"the database {ctx.shown_url} already has faults; load the demo into a new "
            "database (another --db), or add --force"
        )
    from ..desk.demo import STAGES, load_demo

    def progress(stage: str) -> None:  # a line per stage on stderr: stdout stays the result
        print(f"demo: {STAGES[stage]}…", file=sys.stderr, flush=True)

    seed = {} if args.seed is None else {"seed": args.seed}
    made = load_demo(desk, progress=progress, **seed)
    if args.json:
        emit({"database": ctx.shown_url, **jsonable(made, ctx.tz)}, ctx.tz)
        return 0
    get = lambda name: getattr(made, name, "?")  # noqa: E731
    print(f"Demo data in {ctx.shown_url}{created}:")
    print(
        f"  {get('engineers')} engineers, {get('customers')} customers with "
        f"{get('systems')} systems"
    )
    print(
        f"  {get('faults')} faults: {get('open_faults')} open, {get('resolved_faults')} "
        f"resolved, {get('closed_faults')} closed; {get('work_entries')} work entries, "
        f"{get('events')} audit events"
    )
    by_band = getattr(made, "by_band", None)
    if by_band:
        bands = ", ".join(f"{n} {printable(str(b))}" for b, n in by_band.items())
        print(f"  open queue now: {bands}")
    print("Next: oncall fault list" + db_hint(args))
    return 0

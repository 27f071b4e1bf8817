"""``oncall watch``: the alert scheduler without a console, for a service on the jump host.

It plans and fires the same alerts as the console (and shares the work with
any console open on the same database: each alert fires once, its notify
command runs once), so alerts go out even when nobody has the console open.

- Each alert is one line on stdout (``--json``: the notify hook's JSON object),
  flushed at once, and so is each alert withdrawn (``WITHDRAWN``; ``--json``:
  the alert's object with ``withdrawn_at`` and ``withdrawn_reason``);
  everything else (start, database trouble, notify failures) goes to stderr.
- SIGTERM or SIGINT: stop scheduling, give back the notify claims whose command
  has not started, exit 0. Deliveries under way go on in their supervisors
  (``oncall.alerts.deliver``), which record the outcome; so does a ``kill -9``.
  At any moment: before the event loop runs, ``early_stop`` records the signal
  and the start-up stops at the next stage.
- A delivery found unknown (its supervisor died mid-send) is a warning line on
  stderr, never sent again unless a person asks (``oncall alert resend``).
- A database that is locked or unreachable, at start or later, is retried
  (every second while running, with a growing pause at start); what came due
  meanwhile fires when it is back, marked late. A schema that does not match
  the code stops it (exit 2): run ``oncall db upgrade``; so does a damaged
  database (``oncall.store.health``), at start or later: restore a backup.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from typing import Any

from ..text import json_text, printable
from . import early_stop
from .common import CliError
from .context import Ctx, command

_START_RETRY_MAX = 30.0


def register(commands: argparse._SubParsersAction) -> None:
    watch = command(
        commands,
        "watch",
        _watch,
        "send SLA alerts without a console (run it as a service on the jump host)",
    )
    watch.add_argument(
        "--json",
        action="store_true",
        help="print each alert as one JSON object (the notify command's format)",
    )
    watch.add_argument(
        "--poll",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="how often to look for changes made elsewhere (default 1)",
    )
    watch.add_argument(
        "--quiet", action="store_true", help="on stderr, only problems (no start message)"
    )


def _watch(args: argparse.Namespace, ctx: Ctx) -> int:
    import asyncio

    if not 0 < args.poll <= 60:  # also refuses nan
        raise CliError("--poll: give a number of seconds between 0 and 60")
    _logging(args.quiet)
    if early_stop.asked():
        return 0
    ctx.policy  # noqa: B018 - a bad config or policy stops here, with one line
    ctx.refuse_claim = False  # the watcher acts for nobody: it writes no audit event
    if early_stop.asked():
        return 0
    code = asyncio.run(_main(args, ctx))
    early_stop.install()  # closing the loop put the default (exit 143) back
    return code


class _Escaped(logging.Formatter):
    """Log lines with control characters escaped: they quote the notify command's
    output, database messages and paths, none of which may drive the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record), keep_newlines=True)


def _logging(quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Escaped("%(asctime)s %(levelname)s %(message)s"))
    root = logging.getLogger("oncall")
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING if quiet else logging.INFO)
    root.propagate = False
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # The alert itself goes to stdout; its INFO log line would repeat it on stderr.
    logging.getLogger("oncall.alerts").setLevel(logging.WARNING)


async def _main(args: argparse.Namespace, ctx: Ctx) -> int:
    import asyncio
    import signal

    from ..alerts import AlertService, AlertSettings

    log = logging.getLogger("oncall.watch")
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if early_stop.asked():  # before the loop's handlers took over
        stop.set()

    desk = await _open(ctx, stop, log)
    if desk is None or stop.is_set():
        return 0  # asked to stop before the database was open: nothing started
    settings = AlertSettings.from_config(ctx.config)
    service = AlertService(
        desk,
        clock=ctx.clock,
        settings=settings,
        kind="watch",
        user=ctx.real_user,
        poll_every=args.poll,
    )
    damaged: list[BaseException] = []
    # A damaged database will not mend by waiting: stop, and exit 2 (below).
    service.on_damaged.append(lambda exc: (damaged.append(exc), stop.set()))
    tz = desk.policy.timezone
    service.on_alert.append(lambda alert: _print(alert, tz, args.json))
    service.on_withdrawn.append(lambda alerts: _print_withdrawn(alerts, tz, args.json))
    await service.start()
    hook = "notify command: " + settings.notify_command if settings.notify_command else "no notify"
    log.info(
        "watching %s as %s: %d alerts planned, %s",
        ctx.shown_url,
        service.name,
        len(service.planned()),
        hook,
    )
    await stop.wait()
    log.info("stopping")
    await service.stop()
    if damaged:
        from ..desk.database import translated, where_of

        raise translated(damaged[0], where_of(ctx.url)) or damaged[0]
    return 0


async def _open(ctx: Ctx, stop, log) -> Any:
    """The desk, retried while the database cannot be reached (None: asked to stop)."""
    import asyncio

    from ..desk import DeskError, SchemaMismatch
    from ..desk.database import DatabaseDamaged, StoreError, classify, problem_of

    delay = 1.0
    while not stop.is_set():
        try:
            return await asyncio.get_running_loop().run_in_executor(None, ctx.desk)
        except (SchemaMismatch, DatabaseDamaged):
            raise  # retrying will not help: one line, exit 2
        except (DeskError, StoreError, OSError) as exc:
            problem = problem_of(exc) if classify(exc) else str(exc)
            log.warning("cannot open the database yet, retrying in %g s: %s", delay, problem)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy's, without importing it here
            if type(exc).__module__.split(".")[0] != "sqlalchemy":
                raise
            if classify(exc) == "damaged":
                raise
            log.warning(
                "cannot open the database yet, retrying in %g s: %s", delay, problem_of(exc)
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, _START_RETRY_MAX)
    return None


def _quoted(text: str) -> str:
    """Stored text in a line: a JSON string, its control characters escaped once."""
    return json_text(text)


def _print(alert, tz, as_json: bool) -> None:
    from ..alerts import payload
    from ..timefmt import iso

    if as_json:
        line = json_text(payload(alert, tz))
    else:
        late = f" late={alert.late_seconds:.0f}s" if alert.late else ""
        line = (
            f"{iso(alert.fired_at, tz)} {printable(alert.threshold.upper()):8} "
            f"{printable(alert.ref)} {printable(alert.clock)} "
            f"deadline={iso(alert.deadline, tz)} level={alert.level}{late} alert={alert.id} "
            f"customer={_quoted(alert.customer)} title={_quoted(alert.title)}"
        )
    _line(line)


def _print_withdrawn(alerts, tz, as_json: bool) -> None:
    """Alerts taken back by an entry logged later (their clock stopped in time)."""
    from ..alerts import payload
    from ..timefmt import iso

    for alert in alerts:
        at = iso(alert.withdrawn_at, tz)
        if as_json:
            data = payload(alert, tz) | {
                "withdrawn_at": at,
                "withdrawn_reason": alert.withdrawn_reason,
            }
            _line(json_text(data))
        else:
            _line(
                f"{at} WITHDRAWN {printable(alert.ref)} {printable(alert.clock)} "
                f"{printable(alert.threshold)} deadline={iso(alert.deadline, tz)} "
                f"alert={alert.id} reason={_quoted(alert.withdrawn_reason or '')}"
            )


def _line(line: str) -> None:
    with contextlib.suppress(BrokenPipeError):  # stdout closed: the alert is stored
        print(line, flush=True)

"""The ``oncall`` command.

With no arguments it opens the console; its subcommands call the same
application layer and print text or ``--json``. Bad input prints one line on
stderr and exits 2, never a traceback. Commands that open no console import
neither Textual nor APScheduler, and ``sla`` commands import no database
library either: each command group imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
from collections.abc import Sequence

from . import calendar_cmd, early_stop, sla_cmd
from .common import CliError, common_options


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(f"{self.prog}: {message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="oncall",
        description="The duty engineer's console for a 24/7 support desk.",
        parents=[common_options()],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sla_cmd.register(commands)
    calendar_cmd.register(commands)
    from . import desk_cmd  # the desk's groups: fault, engineer, customer, watch, alert, db, demo

    desk_cmd.register(commands)
    return parser


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The parser, built once per process (parsing leaves it as it was; building
    it is most of an in-process call's cost, e.g. in the tests)."""
    return build_parser()


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quick = _quick_args(argv)
    command = next((word for word in quick[1] if not word.startswith("-")), None) if quick else None
    # `watch` runs as a service: a SIGTERM during its start-up must stop it cleanly
    # too, so from here on it is only recorded (early_stop.py says why).
    with early_stop.record_stops() if command == "watch" else contextlib.nullcontext():
        return _run(argv, quick)


def _run(argv: list[str], quick: tuple[argparse.Namespace, list[str]] | None) -> int:
    try:
        args = _console_args(argv, quick) or _parser().parse_args(argv)
        handler = getattr(args, "handler", None)
        if handler is None:
            return _console(args)
        return handler(args) or 0
    except CliError as exc:
        from ..text import printable  # one line, whatever text the message quotes

        message = printable(str(exc))
        print(message if message.startswith("oncall") else f"oncall: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - no flush error at exit
        return 0


def _quick_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]] | None:
    """The common options, and the rest of ``argv`` (None: the full parser says what is wrong).

    Only the common options: building every command's parser (and importing
    their modules) would cost the console's first frame about 25 ms.
    """
    quick = _Parser(prog="oncall", parents=[common_options()], add_help=False)
    try:
        return quick.parse_known_args(argv)
    except CliError:
        return None


def _console_args(
    argv: list[str], quick: tuple[argparse.Namespace, list[str]] | None
) -> argparse.Namespace | None:
    """The console's arguments when ``argv`` names no command (plain ``oncall``)."""
    if "-h" in argv or "--help" in argv or quick is None:
        return None
    args, rest = quick
    return None if rest else args


def _console(args: argparse.Namespace) -> int:
    from .console import run_console

    return run_console(args)


def entry() -> None:  # pragma: no cover - the console script
    sys.exit(main())

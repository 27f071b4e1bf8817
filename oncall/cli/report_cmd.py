"""``oncall report fault ID --format md|html|json [--output FILE]``: the customer's report.

The report is built once (``oncall.report.fault``) and rendered in the format asked;
without ``--output`` it goes to stdout. A file is written whole or not at all
(``oncall.report.files.write``): a refused path or a full disk leaves nothing behind.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..text import printable
from ..vocabulary import fault_ref
from .common import CliError
from .context import Ctx, command

FORMATS = ("md", "html", "json")  # as oncall.report.FORMATS (not imported: a light parser)


def register(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="reports for the customer")
    sub = report.add_subparsers(dest="report_command", metavar="REPORT_COMMAND", required=True)
    fault = command(
        sub, "fault", _fault, "a fault's report: clocks and results, record, work, sign-offs"
    )
    fault.add_argument("ref", metavar="ID", help="the fault, e.g. F-2026-00042")
    fault.add_argument("--format", choices=FORMATS, default="md", help="default: md")
    fault.add_argument("--output", metavar="FILE", help="write it to FILE (default: stdout)")


def _fault(args: argparse.Namespace, ctx: Ctx) -> int:
    from ..report import render
    from ..report.fault import fault_report

    text = render(fault_report(ctx.desk(), fault_ref(args.ref)), args.format)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    path = write_report(Path(args.output), text)
    print(f"{fault_ref(args.ref)}: report written to {printable(str(path))}")
    return 0


def write_report(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` whole; one line (``CliError``) if refused."""
    from ..report.files import write

    try:
        return write(path, text)
    except OSError as exc:
        raise CliError(
            f"cannot write the report to {printable(str(path))}: {exc.strerror or exc}"
        ) from None

"""``oncall fault``: log faults, list the queue, show one, and every verb of the desk.

Every verb takes ``--at TIME`` (when it happened; default now) and
``--version N`` (the version you saw; a stale one is refused), and prints one
line, or with ``--json`` the fault's new summary.

The commands live in fault_intake.py (new, list), fault_show.py (show),
fault_verbs.py and work_verbs.py (the verbs); this module only builds the parser.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ..verbs import VERBS
from ..vocabulary import CHANNELS, RESPONSE_HOW
from . import fault_verbs as fv
from . import work_verbs as wv
from .context import command
from .fault_intake import list_faults, new_fault
from .fault_show import show_fault
from .output import TIME_HELP


def register(commands: argparse._SubParsersAction) -> None:
    fault = commands.add_parser("fault", help="log, list, show and work faults")
    sub = fault.add_subparsers(dest="fault_command", metavar="FAULT_COMMAND", required=True)

    new = command(sub, "new", new_fault, "log a fault and print its deadlines")
    new.add_argument("--customer", required=True)
    new.add_argument("--system", required=True)
    new.add_argument("--level", type=int, required=True, metavar="N")
    new.add_argument("--channel", choices=CHANNELS, required=True)
    new.add_argument("--title", required=True)
    new.add_argument("--symptom", default="")
    new.add_argument("--contact", default="", metavar="NAME", help="who reported it")
    new.add_argument("--reported-at", metavar="TIME", help=TIME_HELP + " (default: now)")
    new.add_argument("--assignee", metavar="USER")
    new.add_argument(
        "--responded-at",
        metavar="TIME",
        help="a call logged after the fact: when it was answered (logged with the fault "
        "in one transaction, so no respond alert fires in between)",
    )
    new.add_argument(
        "--responded-via",
        choices=RESPONSE_HOW,
        help="how the customer was answered (default: the channel; needs --responded-at)",
    )
    new.add_argument("--response-note", default="", metavar="TEXT")
    new.add_argument("--json", action="store_true")

    lst = command(sub, "list", list_faults, "open faults, the next breach first")
    lst.add_argument("--all", action="store_true", help="include resolved and closed faults")
    lst.add_argument("--json", action="store_true")

    shw = command(sub, "show", show_fault, "everything about one fault")
    shw.add_argument("ref", metavar="ID", help="the fault, e.g. F-2026-00042")
    shw.add_argument("--json", action="store_true")

    for verb in VERBS:  # every desk verb: its name, help and former names from the table
        handler, setup = HANDLERS[verb.name]
        parser = command(sub, verb.name, fv.run_verb(handler), verb.help, aliases=verb.formerly)
        setup(parser)
        parser.add_argument("--at", metavar="TIME", help=TIME_HELP + " (default: now)")
        parser.add_argument(
            "--version",
            type=int,
            metavar="N",
            help="the fault version you saw; refused if someone changed it since",
        )
        parser.add_argument("--json", action="store_true", help="print the new fault summary")


# Each verb's (handler, arguments), by its name in ``oncall/verbs.py``.
HANDLERS: dict[str, tuple[Callable, Callable[[argparse.ArgumentParser], None]]] = {
    "respond": (fv.respond, fv.respond_args),
    "propose": (fv.propose, fv.propose_args),
    "assign": (fv.assign, fv.assign_args),
    "work": (wv.work, wv.work_args),
    "work-edit": (wv.work_edit, wv.work_edit_args),
    "work-end": (wv.work_end, wv.work_end_args),
    "sign-off": (wv.sign_off, wv.sign_off_args),
    "escalate": (fv.escalate, fv.escalate_args),
    "pause": (fv.pause, fv.pause_args),
    "resume": (fv.resume, fv.resume_args),
    "level": (fv.level, fv.level_args),
    "record": (fv.record, fv.record_args),
    "resolve": (fv.resolve, fv.resolve_args),
    "close": (fv.close, fv.close_args),
    "reopen": (fv.reopen, fv.reopen_args),
}

"""The fault verbs (``oncall fault respond`` …): each parses and checks its input,
then calls one desk verb with ``--at`` and ``--version``; ``run_verb`` prints the
one line (or ``--json``) every verb prints. Work entries: work_verbs.py."""

from __future__ import annotations

import argparse

from ..text import printable
from ..timefmt import show
from ..verbs import BY_NAME
from ..vocabulary import RESPONSE_HOW, fault_ref, status_word
from .common import CliError
from .context import Ctx
from .output import emit, summary_json


def run_verb(handler):
    def run(args: argparse.Namespace, ctx: Ctx) -> int:
        at = ctx.time(args.at, "--at")
        if args.version is not None and args.version < 1:
            raise CliError("--version must be a positive number (see the fault's version)")
        call = handler(args, ctx)  # parses and checks the input; no database yet
        desk = ctx.desk()
        result, message = call(desk, at, args.version)
        entry = None
        if hasattr(result, "fault_ref"):  # a work entry
            entry = result
            fault = desk.reads.fault(entry.fault_ref)
        else:
            fault = result
        if args.json:
            extra = {"work_entry": entry} if entry is not None else {}
            emit(summary_json(fault, ctx.tz, **extra), ctx.tz)
            return 0
        when = show(at or ctx.now(), ctx.tz)
        print(
            f"{fault.ref}: {message} at {when}; {status_word(fault.status)}, "
            f"version {fault.version}"
        )
        return 0

    return run


def done(verb: str) -> str:
    """What the verb did, as the audit trail's event is named (``solution proposed``)."""
    return BY_NAME[verb].done


def nonempty(value: str | None, what: str) -> str:
    if value is None or not value.strip():
        raise CliError(f"{what} cannot be empty")
    return value


def with_ref(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ref", metavar="ID", help="the fault, e.g. F-2026-00042")


def with_entry(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "entry", metavar="ENTRY_ID", type=int, help="a work entry's number (see fault show)"
    )


def respond(args, ctx):
    def call(desk, at, version):
        f = desk.faults.respond(
            fault_ref(args.ref), version=version, how=args.via, note=args.note, at=at
        )
        return f, f"responded by {args.via}"

    return call


def respond_args(p):
    with_ref(p)
    p.add_argument(
        "--via", choices=RESPONSE_HOW, required=True, help="how the customer was reached"
    )
    p.add_argument("--note", default="")


def propose(args, ctx):
    text = nonempty(args.text, "--text")

    def call(desk, at, version):
        return desk.faults.propose(fault_ref(args.ref), version=version, text=text, at=at), done(
            "propose"
        )

    return call


def propose_args(p):
    with_ref(p)
    p.add_argument("--text", required=True, help="the solution proposal given to the customer")


def assign(args, ctx):
    def call(desk, at, version):
        f = desk.faults.assign(
            fault_ref(args.ref), args.user, version=version, note=args.note, at=at
        )
        return f, f"assigned to {printable(f.assignee or args.user)}"

    return call


def assign_args(p):
    with_ref(p)
    p.add_argument("user", metavar="USER", help="the engineer who owns it end to end")
    p.add_argument("--note", default="")


def escalate(args, ctx):
    reason = nonempty(args.reason, "--reason")

    def call(desk, at, version):
        f = desk.faults.escalate(
            fault_ref(args.ref), version=version, reason=reason, to=args.to, at=at
        )
        return f, f"escalated to {printable(f.assignee or '-')}"

    return call


def escalate_args(p):
    with_ref(p)
    p.add_argument("--reason", required=True)
    p.add_argument("--to", metavar="USER", help="default: the next seniority step up")


def pause(args, ctx):
    reason = nonempty(args.reason, "--reason")

    def call(desk, at, version):
        return desk.faults.pause(fault_ref(args.ref), version=version, reason=reason, at=at), (
            "paused (waiting on the customer)"
        )

    return call


def pause_args(p):
    with_ref(p)
    p.add_argument("--reason", required=True, help="what the desk waits for from the customer")


def resume(args, ctx):
    def call(desk, at, version):
        return desk.faults.resume(
            fault_ref(args.ref), version=version, note=args.note, at=at
        ), done("resume")

    return call


def resume_args(p):
    with_ref(p)
    p.add_argument("--note", default="")


def level(args, ctx):
    reason = nonempty(args.reason, "--reason")

    def call(desk, at, version):
        f = desk.faults.level(
            fault_ref(args.ref), args.level, version=version, reason=reason, at=at
        )
        return f, f"level changed to {f.level} (deadlines recomputed)"

    return call


def level_args(p):
    with_ref(p)
    p.add_argument("level", type=int, metavar="N", help="the new level")
    p.add_argument("--reason", required=True)


_RECORD_FIELDS = ("symptom", "diagnosis", "handling", "losses", "changes")


def record(args, ctx):
    changes = {k: getattr(args, k) for k in _RECORD_FIELDS if getattr(args, k) is not None}
    if not changes:
        raise CliError(
            "nothing to record: give --symptom, --diagnosis, --handling, --losses or --changes"
        )

    def call(desk, at, version):
        f = desk.faults.record(fault_ref(args.ref), version=version, at=at, **changes)
        return f, f"record updated ({', '.join(changes)})"

    return call


def record_args(p):
    with_ref(p)
    p.add_argument("--symptom")
    p.add_argument("--diagnosis", help="the diagnosis process")
    p.add_argument("--handling", help="the handling process")
    p.add_argument("--losses", help="losses caused to systems and applications")
    p.add_argument("--changes", help="system parameters changed, operations performed")


def resolve(args, ctx):
    summary = nonempty(args.summary, "--summary")

    def call(desk, at, version):
        return desk.faults.resolve(
            fault_ref(args.ref), version=version, summary=summary, at=at
        ), done("resolve")

    return call


def resolve_args(p):
    with_ref(p)
    p.add_argument("--summary", required=True, help="how it was resolved")


def close(args, ctx):
    def call(desk, at, version):
        return desk.faults.close(fault_ref(args.ref), version=version, note=args.note, at=at), done(
            "close"
        )

    return call


def close_args(p):
    with_ref(p)
    p.add_argument("--note", default="")


def reopen(args, ctx):
    reason = nonempty(args.reason, "--reason")

    def call(desk, at, version):
        return desk.faults.reopen(fault_ref(args.ref), version=version, reason=reason, at=at), done(
            "reopen"
        )

    return call


def reopen_args(p):
    with_ref(p)
    p.add_argument("--reason", required=True)

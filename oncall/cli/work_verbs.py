"""The work-entry verbs: ``oncall fault work``, ``work-edit``, ``work-end``, ``sign-off``."""

from __future__ import annotations

from ..text import printable
from ..timefmt import show
from ..vocabulary import MODES, fault_ref
from .common import CliError
from .fault_verbs import nonempty, with_entry, with_ref
from .output import TIME_HELP, time_range


def work(args, ctx):
    start = ctx.time(args.start, "--start")
    end = ctx.time(args.end, "--end")
    if start and end and end < start:
        raise CliError("--end comes before --start")

    def call(desk, at, version):
        w = desk.work.add(
            fault_ref(args.ref),
            version=version,
            mode=args.mode,
            start=start,
            end=end,
            engineer=args.engineer,
            done=args.did,
            result=args.result,
            at=at,
        )
        return w, (
            f"work entry {w.id} logged ({w.mode}, {printable(w.engineer)}, "
            f"{time_range(w.start, w.end, ctx.tz)})"
        )

    return call


def work_args(p):
    with_ref(p)
    p.add_argument("--mode", choices=MODES, required=True)
    p.add_argument("--start", metavar="TIME", help=TIME_HELP + " (default: --at)")
    p.add_argument("--end", metavar="TIME", help=TIME_HELP + " (none: the work goes on)")
    p.add_argument("--did", default="", help="what was done")
    p.add_argument("--result", default="")
    p.add_argument("--engineer", metavar="USER", help="who did it (default: you)")


def work_edit(args, ctx):
    start = ctx.time(args.start, "--start")
    end = ctx.time(args.end, "--end")
    if start and end and end < start:
        raise CliError("--end comes before --start")
    changes = {
        "mode": args.mode,
        "start": start,
        "end": end,
        "engineer": args.engineer,
        "done": args.did,
        "result": args.result,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise CliError(
            "nothing to change: give --mode, --start, --end, --engineer, --did or --result"
        )

    def call(desk, at, version):
        w = desk.work.edit(args.entry, version=version, at=at, **changes)
        fields = ", ".join("did" if k == "done" else k for k in changes)
        return w, f"work entry {w.id} edited ({fields})"

    return call


def work_edit_args(p):
    with_entry(p)
    p.add_argument("--mode", choices=MODES)
    p.add_argument("--start", metavar="TIME")
    p.add_argument("--end", metavar="TIME")
    p.add_argument("--engineer", metavar="USER")
    p.add_argument("--did")
    p.add_argument("--result")


def work_end(args, ctx):
    end = ctx.time(args.end, "--end")

    def call(desk, at, version):
        w = desk.work.end(args.entry, version=version, end=end, result=args.result, at=at)
        return w, f"work entry {w.id} ended {show(w.end, ctx.tz)}"

    return call


def work_end_args(p):
    with_entry(p)
    p.add_argument("--end", metavar="TIME", help=TIME_HELP + " (default: --at)")
    p.add_argument("--result")


def sign_off(args, ctx):
    rep = nonempty(args.customer_rep, "--customer-rep")
    end = ctx.time(args.end, "--end")

    def call(desk, at, version):
        w = desk.work.sign_off(
            args.entry, version=version, customer_rep=rep, engineer=args.engineer, end=end, at=at
        )
        return w, (
            f"on-site work {w.id} signed off by {printable(w.customer_signoff_name or rep)} "
            f"(customer) and {printable(w.engineer_signoff or '-')} (engineer), "
            f"work {time_range(w.start, w.end, ctx.tz)}"
        )

    return call


def sign_off_args(p):
    with_entry(p)
    p.add_argument(
        "--customer-rep",
        required=True,
        metavar="NAME",
        help="the customer's responsible person who signed the service report",
    )
    p.add_argument(
        "--engineer", metavar="USER", help="the engineer who signed (default: who did the work)"
    )
    p.add_argument(
        "--end",
        metavar="TIME",
        help=TIME_HELP + " (the work's end; default: the entry's own end, else --at)",
    )

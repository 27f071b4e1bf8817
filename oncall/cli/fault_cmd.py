"""``oncall fault``: log faults, list the queue, show one, and every verb of the desk.

Every verb takes ``--at TIME`` (when it happened; default now) and
``--version N`` (the version you saw; a stale one is refused), and prints one
line, or with ``--json`` the fault's new summary.
"""

from __future__ import annotations

import argparse
import re
from datetime import datetime
from typing import Any

from ..sla.names import CHANNELS
from ..statuses import status_word
from ..text import cell_width, fit, one_line, printable, table
from ..timefmt import iso, show, span
from .common import CliError, unknown_year_line, unknown_years_of
from .desk_cmd import MODES, RESPONSE_HOW, Ctx, clock_json, command, emit, jsonable

TITLE_CELLS = 40


def register(commands: argparse._SubParsersAction) -> None:
    fault = commands.add_parser("fault", help="log, list, show and work faults")
    sub = fault.add_subparsers(dest="fault_command", metavar="FAULT_COMMAND", required=True)

    new = command(sub, "new", _new, "log a fault and print its deadlines")
    new.add_argument("--customer", required=True)
    new.add_argument("--system", required=True)
    new.add_argument("--level", type=int, required=True, metavar="N")
    new.add_argument("--channel", choices=CHANNELS, required=True)
    new.add_argument("--title", required=True)
    new.add_argument("--symptom", default="")
    new.add_argument("--contact", default="", metavar="NAME", help="who reported it")
    new.add_argument("--reported-at", metavar="TIME", help=_TIME_HELP + " (default: now)")
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

    lst = command(sub, "list", _list, "open faults, the next breach first")
    lst.add_argument("--all", action="store_true", help="include resolved and closed faults")
    lst.add_argument("--json", action="store_true")

    shw = command(sub, "show", _show, "everything about one fault")
    shw.add_argument("ref", metavar="ID", help="the fault, e.g. F-2026-00042")
    shw.add_argument("--json", action="store_true")

    for name, (handler, help_text, setup) in VERBS.items():
        parser = command(sub, name, _verb(handler), help_text)
        setup(parser)
        parser.add_argument("--at", metavar="TIME", help=_TIME_HELP + " (default: now)")
        parser.add_argument(
            "--version",
            type=int,
            metavar="N",
            help="the fault version you saw; refused if someone changed it since",
        )
        parser.add_argument("--json", action="store_true", help="print the new fault summary")


_TIME_HELP = "when, ISO 8601; without an offset in the desk's zone"


# -- shown values ---------------------------------------------------------------------------


def _band(band) -> str:
    return band.value if band is not None else "-"


def _who(event) -> str:
    """The engineer, and the OS user behind them when a lead acted on their behalf."""
    if event.real_user and event.real_user != event.user:
        return f"{event.user} (by {event.real_user})"
    return event.user


def _short(text: str, cells: int = TITLE_CELLS) -> str:
    text = one_line(text)
    return fit(text, cells).rstrip() if cell_width(text) > cells else text


def _summary_json(fault, ctx: Ctx, **extra: Any) -> dict[str, Any]:
    out = jsonable(fault, ctx.tz)
    out["id"] = fault.ref
    out.update(jsonable(extra, ctx.tz))
    return out


def _status(fault, paused_since, tz) -> str:
    """The status, and since when a fault waits on the customer."""
    if paused_since is None:
        return status_word(fault.status)
    return f"{status_word(fault.status)} since {show(paused_since, tz)[5:16]}"


def _band_line(clocks, now) -> str:
    """The fault's band now, and the deadlines it missed: ``band ok now; missed 4
    deadlines, worst 2d 03h late`` (a band alone says nothing of those)."""
    text = f"band {_band(clocks.band)}"
    missed = clocks.missed
    if not missed:
        return text
    worst = max(c.late(now) for c in missed)
    if len(missed) == 1:
        return f"{text} now; missed 1 deadline ({missed[0].name}), {span(worst)} late"
    return f"{text} now; missed {len(missed)} deadlines, worst {span(worst)} late"


def _clock_state(c) -> str:
    if c.stopped_at is not None:
        return "met" if c.met else "missed"
    if c.paused:
        return "paused"
    if c.pending:
        return "pending"
    return "running"


# -- new, list, show ------------------------------------------------------------------------


def _new(args: argparse.Namespace, ctx: Ctx) -> int:
    reported = ctx.time(args.reported_at, "--reported-at")
    responded = ctx.time(args.responded_at, "--responded-at")
    if responded is None and (args.responded_via is not None or args.response_note):
        raise CliError("--responded-via and --response-note need --responded-at")
    desk = ctx.desk()
    fault = desk.faults.log(
        customer=args.customer,
        system=args.system,
        title=args.title,
        level=args.level,
        channel=args.channel,
        symptom=args.symptom,
        contact=args.contact,
        assignee=args.assignee,
        at=reported,
        responded_at=responded,
        responded_via=args.responded_via,
        response_note=args.response_note,
    )
    view = desk.reads.fault_view(fault.ref)
    clocks = view.clocks.clocks
    if args.json:
        clocks_json = [clock_json(c, view.now, ctx.tz) for c in clocks]
        emit(_summary_json(fault, ctx, now=view.now, clocks=clocks_json), ctx.tz)
        return 0
    who = f", assigned to {printable(fault.assignee)}" if fault.assignee else ""
    print(
        f"Logged {fault.ref}: level {fault.level}, {printable(fault.customer)}/"
        f"{printable(fault.system)}, {one_line(fault.title)} (reported "
        f"{show(fault.reported_at, ctx.tz)}{who})"
    )
    if fault.responded_at is not None:
        print(f"Responded {show(fault.responded_at, ctx.tz)}")
    rows = [
        [
            c.name + (" (if no response in time)" if c.pending else ""),
            show(c.deadline, ctx.tz),
            _band(c.band),
        ]
        for c in clocks
    ]
    print(table(["clock", f"due ({ctx.tz})", "band"], rows))
    return 0


def _list(args: argparse.Namespace, ctx: Ctx) -> int:
    desk = ctx.desk()
    queue = desk.reads.open_queue()
    now = queue[0].now if queue else ctx.now()
    entries: list[tuple[Any, Any]] = [(q.fault, q) for q in queue]
    if args.all:
        queued = {q.fault.ref for q in queue}
        entries += [
            (f, None) for f in desk.reads.faults(include_closed=True) if f.ref not in queued
        ]
    if args.json:
        faults = []
        for fault, item in entries:
            left = item.left(now) if item else None
            # The queue's next breach comes from the clocks (a cached one may predate
            # the policy); late_seconds: how far past it, paused or not.
            faults.append(
                _summary_json(
                    fault,
                    ctx,
                    next_breach=item.clocks.next_breach if item else None,
                    next_clock=item.clocks.next_clock if item else None,
                    band=item.band if item else None,
                    left_seconds=left,
                    breached=item.breached if item else False,
                    late_seconds=item.clocks.late(now) if item else 0,
                    paused_since=item.paused_since if item else None,
                )
            )
        emit({"now": now, "faults": faults}, ctx.tz)
        return 0
    if not entries:
        print("No open faults." if not args.all else "No faults.")
        return 0
    rows = []
    for fault, item in entries:
        rows.append(
            [
                fault.ref,
                str(fault.level),
                _status(fault, item.paused_since if item else None, ctx.tz),
                fault.assignee or "-",
                f"{fault.customer}/{fault.system}",
                _short(fault.title),
                show(item.clocks.next_breach, ctx.tz) if item else "-",
                (item.clocks.next_clock or "-") if item else "-",
                span(item.left(now)) if item else "-",
                _band(item.band) if item else "-",
            ]
        )
    print(
        table(
            [
                "id",
                "lvl",
                "status",
                "assignee",
                "customer/system",
                "title",
                "next deadline",
                "clock",
                "left",
                "band",
            ],
            rows,
        )
    )
    return 0


def _show(args: argparse.Namespace, ctx: Ctx) -> int:
    from ..desk.next_step import Wording, describe, next_step

    desk = ctx.desk()
    view = desk.reads.fault_view(_ref(args))
    f, tz, now = view.fault, ctx.tz, view.now
    unknown = unknown_years_of(ctx.policy, view.clocks.clocks)
    roster = desk.roster.all()
    names = {e.user: e.name for e in roster}
    words = Wording(
        when=lambda at: show(at, tz),
        span=span,
        who=lambda user: printable(f"{names[user]} ({user})" if user in names else user),
    )
    step = next_step(view, ctx.policy, roster)
    step_text = describe(step, now, words)
    if args.json:
        out = _summary_json(
            f,
            ctx,
            now=now,
            system_product=view.system_product,
            system_model=view.system_model,
            band=view.clocks.band,
            next_breach=view.clocks.next_breach,
            next_clock=view.clocks.next_clock,
            # how far past the next breach now (0: in time), and the deadlines missed
            late_seconds=view.clocks.late(now),
            missed=[{"clock": c.name, "late_seconds": c.late(now)} for c in view.clocks.missed],
            paused_since=view.clocks.paused_since,
            paused_wall_seconds=view.clocks.paused_wall_seconds,
            record=view.record,
            work=view.work,
            events=[_event_json(e, tz) for e in view.events],
        )
        out["clocks"] = [clock_json(c, now, tz) for c in view.clocks.clocks]
        out["next_step"] = jsonable(
            {
                "step": step.step,
                "reason": step.reason,
                "text": step_text,
                "due": step.due,
                "since": step.since,
                "to": step.to,
                "entry": step.entry,
                "missing": list(step.missing),
            },
            tz,
        )
        out["calendar_warnings"] = [unknown_year_line(*u) for u in unknown]
        emit(out, tz)
        return 0
    product = " ".join(x for x in (view.system_product, view.system_model) if x)
    header = [
        ("fault", f"{f.ref}  {f.title}"),
        ("next", step_text),
        (
            "status",
            f"{status_word(f.status)} (version {f.version}), {_band_line(view.clocks, now)}",
        ),
        ("level", f"{f.level}, reported by {f.channel}"),
        ("customer", f"{f.customer} / {f.system}" + (f" ({product})" if product else "")),
        ("contact", f.contact or "-"),
        ("reported", f"{show(f.reported_at, tz)} by {f.reported_by}"),
        ("assignee", f.assignee or "-"),
        ("responded", show(f.responded_at, tz)),
        ("solution", show(f.solution_at, tz)),
        ("resolved", show(f.resolved_at, tz)),
        ("signed off", show(f.signed_off_at, tz)),
        ("closed", show(f.closed_at, tz)),
        ("paused", _paused(view.clocks, tz)),
        ("now", f"{show(now, tz)} ({tz})"),
    ]
    _pairs(header)
    print()
    rows = [
        [
            c.name + (" (if no response in time)" if c.pending else ""),
            show(c.deadline, tz) if c.deadline else ("paused" if c.paused else "-"),
            span(c.left(now)) if c.stopped_at is None else "-",
            span(c.late(now)) if c.late(now) else "-",
            f"{c.share:.0%}" if c.target else "-",
            _band(c.band),
            _clock_state(c),
            show(c.stopped_at, tz),
        ]
        for c in view.clocks.clocks
    ]
    print(table(["clock", "deadline", "left", "late", "used", "band", "state", "stopped"], rows))
    for u in unknown:
        print(unknown_year_line(*u))
    print()
    r = view.record
    print("Record")
    for label, text in (
        ("symptom", r.symptom),
        ("diagnosis", r.diagnosis),
        ("handling", r.handling),
        ("losses", r.losses),
        ("changes", r.changes),
    ):
        _block(label, text)
    print()
    if view.work:
        print("Work")
        rows = [
            [
                str(w.id),
                w.mode,
                show(w.start, tz),
                show(w.end, tz) if w.end else "ongoing",
                w.engineer,
                _short(w.done),
                _short(w.result, 30),
                _signoff(w, tz),
            ]
            for w in view.work
        ]
        print(
            table(["entry", "mode", "start", "end", "engineer", "did", "result", "sign-off"], rows)
        )
    else:
        print("Work: none yet")
    print()
    print("Events (newest first)")
    rows = [[show(e.at, tz), _who(e), e.verb, _short(_data(e.data, tz), 60)] for e in view.events]
    print(table(["at", "user", "verb", "details"], rows))
    return 0


def _paused(clocks, tz) -> str:
    text = span(clocks.paused_wall_seconds) + " waiting on the customer in all"
    if clocks.paused_since is not None:
        text += f"; paused since {show(clocks.paused_since, tz)}"
    return text


def _range(start: datetime, end: datetime | None, tz) -> str:
    if end is None:
        return f"{show(start, tz)} - ongoing"
    first, last = show(start, tz), show(end, tz)
    same_day = first[:10] == last[:10]
    return f"{first}-{last[11:]}" if same_day else f"{first} - {last}"


def _pairs(pairs: list[tuple[str, str]]) -> None:
    width = max(cell_width(k) for k, _ in pairs)
    for key, value in pairs:
        print(f"{key.ljust(width)}  {printable(value)}")


def _block(label: str, text: str) -> None:
    if not text.strip():
        print(f"  {label}: -")
        return
    lines = printable(text.strip(), keep_newlines=True).splitlines()
    print(f"  {label}: {lines[0]}")
    for line in lines[1:]:
        print(f"    {line}")


def _signoff(w, tz) -> str:
    if w.mode != "onsite":
        return "-"
    if w.signed:
        return f"{w.customer_signoff_name} / {w.engineer_signoff} {show(w.customer_signoff_at, tz)}"
    if w.customer_signoff_at is not None:
        return f"customer {w.customer_signoff_name}; engineer pending"
    return "pending"


_INSTANT = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?(\.\d+)?(Z|[+-]\d\d:?\d\d)")


def _instant_in(value: Any) -> datetime | None:
    """An instant the desk stored in an event's data (ISO 8601 with an offset), or None."""
    if not isinstance(value, str) or not _INSTANT.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _event_json(event, tz) -> dict[str, Any]:
    out = jsonable(event, tz)
    out["data"] = {
        k: iso(at, tz) if (at := _instant_in(v)) else jsonable(v, tz) for k, v in event.data.items()
    }
    return out


def _data(data: dict[str, Any], tz) -> str:
    parts = []
    for key, value in data.items():
        if value is None or value == "":
            continue
        at = _instant_in(value)
        parts.append(f"{key}={show(at, tz) if at else value}")
    return " ".join(parts)


# -- the verbs --------------------------------------------------------------------------------


def _verb(handler):
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
            emit(_summary_json(fault, ctx, **extra), ctx.tz)
            return 0
        when = show(at or ctx.now(), ctx.tz)
        print(
            f"{fault.ref}: {message} at {when}; {status_word(fault.status)}, "
            f"version {fault.version}"
        )
        return 0

    return run


def _text(value: str | None, what: str) -> str:
    if value is None or not value.strip():
        raise CliError(f"{what} cannot be empty")
    return value


def _ref(args: argparse.Namespace) -> str:
    return args.ref.strip().upper()


def _with_ref(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ref", metavar="ID", help="the fault, e.g. F-2026-00042")


def _with_entry(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "entry", metavar="ENTRY_ID", type=int, help="a work entry's number (see fault show)"
    )


def _respond(args, ctx):
    def call(desk, at, version):
        f = desk.faults.respond(_ref(args), version=version, how=args.via, note=args.note, at=at)
        return f, f"responded by {args.via}"

    return call


def _respond_args(p):
    _with_ref(p)
    p.add_argument(
        "--via", choices=RESPONSE_HOW, required=True, help="how the customer was reached"
    )
    p.add_argument("--note", default="")


def _propose(args, ctx):
    text = _text(args.text, "--text")

    def call(desk, at, version):
        return desk.faults.propose_solution(_ref(args), version=version, text=text, at=at), (
            "solution proposed"
        )

    return call


def _propose_args(p):
    _with_ref(p)
    p.add_argument("--text", required=True, help="the solution proposal given to the customer")


def _assign(args, ctx):
    def call(desk, at, version):
        f = desk.faults.assign(_ref(args), args.user, version=version, note=args.note, at=at)
        return f, f"assigned to {printable(f.assignee or args.user)}"

    return call


def _assign_args(p):
    _with_ref(p)
    p.add_argument("user", metavar="USER", help="the engineer who owns it end to end")
    p.add_argument("--note", default="")


def _work(args, ctx):
    start = ctx.time(args.start, "--start")
    end = ctx.time(args.end, "--end")
    if start and end and end < start:
        raise CliError("--end comes before --start")

    def call(desk, at, version):
        w = desk.work.add(
            _ref(args),
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
            f"{_range(w.start, w.end, ctx.tz)})"
        )

    return call


def _work_args(p):
    _with_ref(p)
    p.add_argument("--mode", choices=MODES, required=True)
    p.add_argument("--start", metavar="TIME", help=_TIME_HELP + " (default: --at)")
    p.add_argument("--end", metavar="TIME", help=_TIME_HELP + " (none: the work goes on)")
    p.add_argument("--did", default="", help="what was done")
    p.add_argument("--result", default="")
    p.add_argument("--engineer", metavar="USER", help="who did it (default: you)")


def _work_edit(args, ctx):
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


def _work_edit_args(p):
    _with_entry(p)
    p.add_argument("--mode", choices=MODES)
    p.add_argument("--start", metavar="TIME")
    p.add_argument("--end", metavar="TIME")
    p.add_argument("--engineer", metavar="USER")
    p.add_argument("--did")
    p.add_argument("--result")


def _work_end(args, ctx):
    end = ctx.time(args.end, "--end")

    def call(desk, at, version):
        w = desk.work.end(args.entry, version=version, end=end, result=args.result, at=at)
        return w, f"work entry {w.id} ended {show(w.end, ctx.tz)}"

    return call


def _work_end_args(p):
    _with_entry(p)
    p.add_argument("--end", metavar="TIME", help=_TIME_HELP + " (default: --at)")
    p.add_argument("--result")


def _signoff_verb(args, ctx):
    rep = _text(args.customer_rep, "--customer-rep")
    end = ctx.time(args.end, "--end")

    def call(desk, at, version):
        w = desk.work.sign_off(
            args.entry, version=version, customer_rep=rep, engineer=args.engineer, end=end, at=at
        )
        return w, (
            f"on-site work {w.id} signed off by {printable(w.customer_signoff_name or rep)} "
            f"(customer) and {printable(w.engineer_signoff or '-')} (engineer), "
            f"work {_range(w.start, w.end, ctx.tz)}"
        )

    return call


def _signoff_args(p):
    _with_entry(p)
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
        help=_TIME_HELP + " (the work's end; default: the entry's own end, else --at)",
    )


def _escalate(args, ctx):
    reason = _text(args.reason, "--reason")

    def call(desk, at, version):
        f = desk.faults.escalate(_ref(args), version=version, reason=reason, to=args.to, at=at)
        return f, f"escalated to {printable(f.assignee or '-')}"

    return call


def _escalate_args(p):
    _with_ref(p)
    p.add_argument("--reason", required=True)
    p.add_argument("--to", metavar="USER", help="default: the next seniority step up")


def _pause(args, ctx):
    reason = _text(args.reason, "--reason")

    def call(desk, at, version):
        return desk.faults.pause(_ref(args), version=version, reason=reason, at=at), (
            "paused (waiting on the customer)"
        )

    return call


def _pause_args(p):
    _with_ref(p)
    p.add_argument("--reason", required=True, help="what the desk waits for from the customer")


def _resume(args, ctx):
    def call(desk, at, version):
        return desk.faults.resume(_ref(args), version=version, note=args.note, at=at), "resumed"

    return call


def _resume_args(p):
    _with_ref(p)
    p.add_argument("--note", default="")


def _level(args, ctx):
    reason = _text(args.reason, "--reason")

    def call(desk, at, version):
        f = desk.faults.change_level(_ref(args), args.level, version=version, reason=reason, at=at)
        return f, f"level changed to {f.level} (deadlines recomputed)"

    return call


def _level_args(p):
    _with_ref(p)
    p.add_argument("level", type=int, metavar="N", help="the new level")
    p.add_argument("--reason", required=True)


_RECORD_FIELDS = ("symptom", "diagnosis", "handling", "losses", "changes")


def _record(args, ctx):
    changes = {k: getattr(args, k) for k in _RECORD_FIELDS if getattr(args, k) is not None}
    if not changes:
        raise CliError(
            "nothing to record: give --symptom, --diagnosis, --handling, --losses or --changes"
        )

    def call(desk, at, version):
        f = desk.faults.record(_ref(args), version=version, at=at, **changes)
        return f, f"record updated ({', '.join(changes)})"

    return call


def _record_args(p):
    _with_ref(p)
    p.add_argument("--symptom")
    p.add_argument("--diagnosis", help="the diagnosis process")
    p.add_argument("--handling", help="the handling process")
    p.add_argument("--losses", help="losses caused to systems and applications")
    p.add_argument("--changes", help="system parameters changed, operations performed")


def _resolve(args, ctx):
    summary = _text(args.summary, "--summary")

    def call(desk, at, version):
        return desk.faults.resolve(_ref(args), version=version, summary=summary, at=at), "resolved"

    return call


def _resolve_args(p):
    _with_ref(p)
    p.add_argument("--summary", required=True, help="how it was resolved")


def _close(args, ctx):
    def call(desk, at, version):
        return desk.faults.close(_ref(args), version=version, note=args.note, at=at), "closed"

    return call


def _close_args(p):
    _with_ref(p)
    p.add_argument("--note", default="")


def _reopen(args, ctx):
    reason = _text(args.reason, "--reason")

    def call(desk, at, version):
        return desk.faults.reopen(_ref(args), version=version, reason=reason, at=at), "reopened"

    return call


def _reopen_args(p):
    _with_ref(p)
    p.add_argument("--reason", required=True)


VERBS: dict[str, tuple[Any, str, Any]] = {
    "respond": (_respond, "record the first response to the customer", _respond_args),
    "propose": (_propose, "record the solution proposal given to the customer", _propose_args),
    "assign": (_assign, "assign the fault to one engineer", _assign_args),
    "work": (_work, "log a work entry (phone, remote, onsite, internal)", _work_args),
    "work-edit": (_work_edit, "correct a work entry", _work_edit_args),
    "work-end": (_work_end, "end ongoing work", _work_end_args),
    "signoff": (_signoff_verb, "record the sign-off of on-site work", _signoff_args),
    "escalate": (_escalate, "escalate to a more senior engineer", _escalate_args),
    "pause": (_pause, "wait on the customer (pauses the resolve clock)", _pause_args),
    "resume": (_resume, "the customer is back: resume the clocks", _resume_args),
    "level": (_level, "change the fault's level (deadlines are recomputed)", _level_args),
    "record": (_record, "write the fault record (any subset of its fields)", _record_args),
    "resolve": (_resolve, "the fault is resolved", _resolve_args),
    "close": (_close, "close a resolved fault", _close_args),
    "reopen": (_reopen, "reopen a resolved or closed fault", _reopen_args),
}

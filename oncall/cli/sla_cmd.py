"""``oncall sla``: the SLA engine from the shell (no database is touched)."""

from __future__ import annotations

import argparse
import sys

from ..text import table
from ..timefmt import iso, show
from ..vocabulary import CHANNELS
from .common import (
    CliError,
    common_options,
    policy_of,
    print_json,
    served_instant,
    unknown_year_line,
    unknown_years_of,
)


def register(commands: argparse._SubParsersAction) -> None:
    sla = commands.add_parser("sla", help="deadlines and service-time arithmetic")
    sub = sla.add_subparsers(dest="sla_command", metavar="SLA_COMMAND", required=True)
    common = common_options()

    due = sub.add_parser("due", parents=[common], help="every deadline for a fault reported then")
    due.add_argument("--level", type=int, required=True)
    due.add_argument("--channel", choices=CHANNELS, required=True)
    due.add_argument(
        "--reported-at",
        metavar="TIME",
        help="ISO 8601; without an offset in the desk's zone (default: now)",
    )
    due.add_argument("--json", action="store_true")
    due.set_defaults(handler=_due)

    add = sub.add_parser("add", parents=[common], help="N service seconds after a time")
    add.add_argument("--window", required=True)
    add.add_argument("--from", dest="start", metavar="TIME", required=True)
    add.add_argument("--seconds", type=int, required=True)
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=_add)

    between = sub.add_parser("between", parents=[common], help="service seconds between times")
    between.add_argument("--window", required=True)
    between.add_argument("--from", dest="start", metavar="TIME", required=True)
    between.add_argument("--to", dest="end", metavar="TIME", required=True)
    between.add_argument("--json", action="store_true")
    between.set_defaults(handler=_between)

    policy = sub.add_parser("policy", parents=[common], help="the policy in force")
    policy.set_defaults(handler=_policy)


def _due(args: argparse.Namespace) -> int:
    from ..sla.clocks import FaultHistory, evaluate
    from ..sla.policy import format_duration

    policy = policy_of(args)
    tz = policy.timezone
    if args.level not in policy.levels:
        known = ", ".join(str(n) for n in policy.levels)
        raise CliError(f"unknown level {args.level} (the policy has {known})")
    reported = (
        served_instant(args.reported_at, policy, "--reported-at")
        if args.reported_at is not None
        else _now(policy)
    )
    history = FaultHistory(level=args.level, channel=args.channel, reported_at=reported)
    clocks = _engine(lambda: evaluate(policy, history, reported).clocks)
    unknown = unknown_years_of(policy, clocks)
    if args.json:
        out = {"level": args.level, "channel": args.channel, "reported_at": iso(reported, tz)}
        for c in clocks:
            out[f"{c.name}_by"] = iso(c.deadline, tz)
        out["clocks"] = [
            {
                "clock": c.name,
                "due": iso(c.deadline, tz),
                "target_seconds": c.target,
                "window": c.window,
                "pending": c.pending,
            }
            for c in clocks
        ]
        out["calendar_warnings"] = [unknown_year_line(*u) for u in unknown]
        print_json(out)
        return 0
    level = policy.level(args.level)
    print(f"Level {args.level} ({level.name}), {args.channel}, reported {show(reported, tz)} {tz}")
    rows = [
        [
            c.name + (" (if no response in time)" if c.pending else ""),
            show(c.deadline, tz),
            format_duration(c.target),
            c.window,
        ]
        for c in clocks
    ]
    print(table(["clock", "due", "service time", "window"], rows))
    for u in unknown:
        print(unknown_year_line(*u), file=sys.stderr)
    return 0


def _now(policy):
    from .context import clock_from_env  # $ONCALL_NOW, as every command reads it

    return clock_from_env(policy).now()


def _engine(compute):
    """The engine's answer, or its refusal as one line (a window with no hours ahead)."""
    try:
        return compute()
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _window(args: argparse.Namespace):
    policy = policy_of(args)
    try:
        return policy, policy.window(args.window)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _add(args: argparse.Namespace) -> int:
    from ..sla.served import OutOfRange, check_seconds

    policy, window = _window(args)
    try:
        check_seconds(args.seconds, "--seconds")
    except OutOfRange as exc:
        raise CliError(str(exc)) from None
    start = served_instant(args.start, policy, "--from")
    due = _engine(lambda: window.add(start, args.seconds))
    if args.json:
        print_json({"due": iso(due, policy.timezone)})
    else:
        print(iso(due, policy.timezone))
    return 0


def _between(args: argparse.Namespace) -> int:
    from ..sla.policy import format_duration

    policy, window = _window(args)
    start = served_instant(args.start, policy, "--from")
    end = served_instant(args.end, policy, "--to")
    if end < start:
        raise CliError("--to comes before --from")
    seconds = _engine(lambda: window.between(start, end))
    if args.json:
        print_json({"seconds": seconds})
    else:
        print(f"{seconds} s ({format_duration(seconds)}) of {window.name} service time")
    return 0


def _policy(args: argparse.Namespace) -> int:
    from ..sla.policy import format_duration

    policy = policy_of(args)
    print(f"Policy {policy.source}")
    print(
        f"Desk zone {policy.timezone}; warning at {policy.warning:.0%}, critical at "
        f"{policy.critical:.0%} of a clock's service time; reopen: {policy.reopen}"
    )
    print()
    rows = [
        [
            str(n),
            lv.name,
            lv.window.name,
            format_duration(lv.respond["phone"]),
            format_duration(lv.respond["electronic"]),
            format_duration(lv.resolve),
        ]
        for n, lv in policy.levels.items()
    ]
    headers = ["level", "name", "window", "respond phone", "respond electronic", "resolve"]
    print(table(headers, rows))
    print()
    rows = [
        [
            d.clock,
            ",".join(str(n) for n in sorted(d.levels)),
            format_duration(d.within),
            d.window.name,
            d.description,
        ]
        for d in policy.further
    ]
    print(table(["further clock", "levels", "within", "window", "what"], rows))
    print()
    rows = []
    for w in policy.windows.values():
        if w.always:
            hours = "always (7x24)"
        else:
            from ..sla.window import WEEKDAYS

            hours = "; ".join(
                f"{WEEKDAYS[i]} " + ",".join(_span(s) for s in spans)
                for i, spans in enumerate(w.days)
                if spans
            )
        calendar = w.calendar.name if w.calendar else "-"
        rows.append([w.name, str(w.tz), calendar, hours])
    print(table(["window", "zone", "calendar", "hours"], rows))
    _calendars(policy)
    return 0


def _calendars(policy) -> None:
    """Each calendar, and whether the years from now to the lookahead are known."""
    from ..sla.window import WEEKDAYS

    if not policy.calendars:
        return
    now = _now(policy)
    first = now.astimezone(policy.timezone).year
    last = (now + policy.calendar_lookahead).astimezone(policy.timezone).year
    years = range(first, last + 1)
    rows = []
    for cal in policy.calendars.values():
        weekend = ",".join(WEEKDAYS[d] for d in sorted(cal.weekend_days())) or "none"
        known = [f"{y}: {cal.year_source(y) or 'NOT KNOWN'}" for y in years]
        rows.append([cal.name, cal.country or "-", weekend, "; ".join(known)])
    print()
    print(table(["calendar", "country", "weekend", "years"], rows))
    for u in policy.unknown_years(now):
        print(unknown_year_line(u.calendar, u.year), file=sys.stderr)


def _span(span: tuple[int, int]) -> str:
    start, end = span

    def hm(s: int) -> str:
        s = s if s == 86_400 else s % 86_400  # 24:00 stays; past midnight wraps
        return f"{s // 3600:02d}:{s % 3600 // 60:02d}"

    return f"{hm(start)}-{hm(end)}"

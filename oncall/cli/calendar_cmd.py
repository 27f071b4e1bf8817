"""``oncall calendar``: a calendar's days off and make-up working days, and the
desk's own entries for a year the ``holidays`` package does not know yet.

China publishes each year's holiday schedule, with its make-up working days (调休),
in November; until the package has it, ``oncall calendar set`` enters it in the
desk's calendar file beside the config file (never inside the installed package).
"""

from __future__ import annotations

import argparse
import os
import tomllib
from datetime import date

from .common import CliError, common_options, config_of, policy_of, print_json

_KINDS = {"off": "day off", "makeup": "worked (make-up day)", "work": "working day"}


def register(commands: argparse._SubParsersAction) -> None:
    cal = commands.add_parser("calendar", help="working days: show a year, enter a new one")
    sub = cal.add_subparsers(dest="calendar_command", metavar="CALENDAR_COMMAND", required=True)
    common = common_options()

    show = sub.add_parser(
        "show", parents=[common], help="a year's days off and make-up working days"
    )
    show.add_argument("year", type=_year, metavar="YEAR")
    show.add_argument("--calendar", metavar="NAME", help="default: the policy's only calendar")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    put = sub.add_parser(
        "set",
        parents=[common],
        help="enter a year's official schedule in the desk's calendar file",
        description="Replaces the year's entry in the desk's calendar file (beside the "
        "config file) and makes the year known. Give every day off of the official "
        "schedule that is not an ordinary weekend day, and every make-up working day.",
    )
    put.add_argument("year", type=_year, metavar="YEAR")
    put.add_argument("--calendar", metavar="NAME", help="default: the policy's only calendar")
    put.add_argument("--off", nargs="+", default=[], metavar="DATE", help="days off")
    put.add_argument("--work", nargs="+", default=[], metavar="DATE", help="working days")
    put.set_defaults(handler=_set)


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4 and text[0] != "0"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a year like 2027")
    return int(text)


def _calendar(policy, name: str | None):
    if name is not None:
        if name not in policy.calendars:
            known = ", ".join(sorted(policy.calendars)) or "none"
            raise CliError(f"--calendar: no calendar named {name!r} (the policy has {known})")
        return policy.calendars[name]
    if len(policy.calendars) == 1:
        return next(iter(policy.calendars.values()))
    if not policy.calendars:
        raise CliError("the policy has no calendar")
    known = ", ".join(sorted(policy.calendars))
    raise CliError(f"the policy has several calendars ({known}): name one with --calendar")


def _show(args: argparse.Namespace) -> int:
    from ..sla.window import WEEKDAYS
    from ..text import table

    policy = policy_of(args)
    cal = _calendar(policy, args.calendar)
    source = cal.year_source(args.year)
    days = cal.explained_days(args.year)
    weekend = [WEEKDAYS[d] for d in sorted(cal.weekend_days(args.year))]
    if args.json:
        print_json(
            {
                "calendar": cal.name,
                "country": cal.country,
                "year": args.year,
                "known": source is not None,
                "source": source,
                "weekend": weekend,
                "days": [
                    {
                        "date": d.isoformat(),
                        "weekday": WEEKDAYS[d.weekday()],
                        "kind": kind.value,
                        "from": where,
                    }
                    for d, kind, where in days
                ],
            }
        )
        return 0
    where = f"country {cal.country}, " if cal.country else ""
    status = f"known ({source})" if source else "not known"
    print(
        f"Calendar {cal.name} ({where}weekend {','.join(weekend) or 'none'}), {args.year}: {status}"
    )
    if source is None:
        print(
            f"  The official schedule of {args.year}, with its make-up working days, is not in "
            "the holidays package\n  (it computes public holidays by rule only). Enter it: "
            f"oncall calendar set {args.year} --calendar {cal.name} --off DATE... --work DATE..."
        )
    rows = [[d.isoformat(), WEEKDAYS[d.weekday()], _KINDS[k.value], w] for d, k, w in days]
    print(
        table(["date", "day", "kind", "from"], rows)
        if rows
        else "  (no days off or worked days besides the weekly rule)"
    )
    return 0


def _dates(texts: list[str], year: int, what: str) -> set[date]:
    out = set()
    for text in texts:
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            raise CliError(f"{what}: {text!r} is not a date like {year}-02-05") from None
        if day.year != year:
            raise CliError(f"{what}: {day.isoformat()} is not in {year}")
        out.add(day)
    return out


def _set(args: argparse.Namespace) -> int:
    import tomli_w

    from ..calendar_cache import CALENDAR_CACHE
    from ..sla.overrides import DESK_FILE_HEADER, OverrideError, with_year
    from ..sla.policy import PolicyError, load_policy

    config = config_of(args)
    policy = policy_of(args, config)
    cal = _calendar(policy, args.calendar)
    off = _dates(args.off, args.year, "--off")
    work = _dates(args.work, args.year, "--work")
    if not off and not work:
        raise CliError("give the year's days off (--off) and make-up working days (--work)")
    both = sorted(d.isoformat() for d in off & work)
    if both:
        raise CliError(f"both --off and --work: {', '.join(both)}")
    path = config.desk_calendar_path
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raw = {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CliError(f"{path}: cannot read the desk's calendar file: {exc}") from None
    try:
        text = DESK_FILE_HEADER + tomli_w.dumps(with_year(raw, cal.name, args.year, off, work))
    except OverrideError as exc:
        raise CliError(f"{path}: {exc}") from None
    # Written beside the file and checked by loading the policy with it, then moved
    # into place: a desk never runs on a calendar file that does not load.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        policy_path = getattr(args, "policy", None) or config.policy_path
        try:
            load_policy(
                policy_path,
                timezone=config.get("timezone"),
                desk_calendar=tmp,
                countries=CALENDAR_CACHE,
            )
        except PolicyError as exc:
            raise CliError(str(exc).replace(str(tmp), str(path))) from None
        tmp.replace(path)
    except OSError as exc:
        raise CliError(f"{path}: cannot write the desk's calendar file: {exc.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)
    print(
        f"calendar {cal.name}, {args.year}: {len(off)} days off and {len(work)} working days "
        f"written to {path}; {args.year} is now known"
    )
    return 0

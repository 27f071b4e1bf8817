"""``oncall customer show NAME [--json]`` and ``oncall customer edit NAME ...``: the archive.

``show``: systems (product, model/version), warranty (start = final acceptance, end),
service tier, contacts with roles and phones, requirements and usage notes, and the
service history: every fault with each clock's result (met, breached by how much) and
every on-site visit with its sign-offs. ``edit`` changes the archive's own fields,
audited (``customer_edit``) like the fault verbs.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from ..text import printable, table
from ..timefmt import iso, show
from .common import CliError
from .context import Ctx, command
from .output import emit


def register(sub: argparse._SubParsersAction) -> None:
    shw = command(sub, "show", _show, "a customer's archive and service history")
    shw.add_argument("name", metavar="NAME")
    shw.add_argument("--json", action="store_true")

    edit = command(sub, "edit", _edit, "change a customer's tier, warranty, requirements, notes")
    edit.add_argument("name", metavar="NAME")
    edit.add_argument("--tier", help="service tier")
    edit.add_argument(
        "--warranty-start", metavar="DATE", help="YYYY-MM-DD (final acceptance), or none"
    )
    edit.add_argument("--warranty-end", metavar="DATE", help="YYYY-MM-DD, or none")
    edit.add_argument("--requirements", metavar="TEXT", help="what the customer asks of us")
    edit.add_argument("--usage-notes", metavar="TEXT", help="how it uses its systems")
    edit.add_argument("--json", action="store_true")


def _day(text: str | None, option: str) -> Any:
    """``...`` when not given, None for ``none``, else the date."""
    if text is None:
        return ...
    if text.strip().lower() == "none":
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"{option}: cannot read {text!r} as a date; use YYYY-MM-DD") from None


def _edit(args: argparse.Namespace, ctx: Ctx) -> int:
    start = _day(args.warranty_start, "--warranty-start")
    end = _day(args.warranty_end, "--warranty-end")
    info = ctx.desk().customers.edit(
        args.name,
        tier=args.tier,
        warranty_start=start,
        warranty_end=end,
        requirements=args.requirements,
        usage_notes=args.usage_notes,
    )
    if args.json:
        emit(info, ctx.tz)
        return 0
    print(f"Customer {printable(info.name)} changed")
    return 0


def _result(outcome) -> str:
    from ..report.sections import duration  # the report's exact durations

    if outcome.result == "breached":
        return f"breached by {duration(outcome.late_seconds)}"
    if outcome.result == "overdue":
        return f"overdue by {duration(outcome.late_seconds)}"
    return outcome.result.replace("_", " ")


def _show(args: argparse.Namespace, ctx: Ctx) -> int:
    archive = ctx.desk().customers.archive(args.name)
    c, tz = archive.customer, ctx.tz
    today = archive.now.astimezone(tz).date()
    if args.json:
        out = {
            "customer": c,
            "in_warranty": c.in_warranty(today),
            "faults": [
                {
                    "ref": f.ref,
                    "system": f.system,
                    "title": f.title,
                    "level": f.level,
                    "status": f.status,
                    "reported_at": iso(f.reported_at, tz),
                    "resolved_at": iso(f.resolved_at, tz),
                    "closed_at": iso(f.closed_at, tz),
                    "out_of_warranty": f.out_of_warranty,
                    "clocks": [
                        {
                            "clock": o.clock,
                            "deadline": iso(o.deadline, tz),
                            "result": o.result,
                            "late_seconds": o.late_seconds,
                        }
                        for o in f.clocks
                    ],
                }
                for f in archive.faults
            ],
            "visits": archive.visits,
            "as_of": iso(archive.now, tz),
        }
        emit(out, tz)
        return 0
    if c.warranty_start is None and c.warranty_end is None:
        warranty = "-"
    else:
        state = "in warranty" if c.in_warranty(today) else "out of warranty"
        warranty = f"{c.warranty_start or '?'} .. {c.warranty_end or '?'} ({state})"
    print(f"Customer {printable(c.name)}")
    print(f"  tier      {printable(c.tier)}")
    print(f"  warranty  {warranty}  (start: final acceptance)")
    print()
    print("Systems")
    print(table(["system", "product", "model/version"], [[s.name, s.product, s.model]
                                                           for s in c.systems]))  # fmt: skip
    print()
    print("Contacts")
    print(table(["name", "role", "phone", "email"],
                [[k.name, k.role, k.phone, k.email] for k in c.contacts]))  # fmt: skip
    for label, text in (("Requirements", c.requirements), ("Usage notes", c.usage_notes)):
        print()
        body = printable(text.strip(), keep_newlines=True) or "-"
        print(f"{label}:")
        for line in body.splitlines():
            print(f"  {line}")
    print()
    print(f"Service history ({len(archive.faults)} faults, as of {show(archive.now, tz)})")
    rows = []
    for f in archive.faults:
        results = "; ".join(f"{o.clock} {_result(o)}" for o in f.clocks)
        flag = " (out of warranty)" if f.out_of_warranty else ""
        rows.append([f.ref, show(f.reported_at, tz), str(f.level), f.status + flag, f.system,
                     f.title, results])  # fmt: skip
    print(table(["fault", "reported", "lvl", "status", "system", "title", "clocks"], rows))
    print()
    print(f"On-site visits ({len(archive.visits)})")
    rows = [
        [
            w.fault_ref,
            f"#{w.entry}",
            show(w.start, tz),
            show(w.end, tz),
            w.engineer,
            f"{w.customer_signed_by} {show(w.customer_signed_at, tz)}"
            if w.customer_signed_at
            else "not signed",
            f"{w.vendor_signed_by} {show(w.vendor_signed_at, tz)}"
            if w.vendor_signed_at
            else "not signed",
        ]
        for w in archive.visits
    ]
    print(table(["fault", "entry", "start", "end", "engineer", "customer signed",
                 "vendor signed"], rows))  # fmt: skip
    return 0

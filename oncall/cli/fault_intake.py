"""``oncall fault new`` and ``oncall fault list``: log a fault, list the queue."""

from __future__ import annotations

import argparse
from typing import Any

from ..text import one_line, printable, table
from ..timefmt import show, span
from .common import CliError
from .context import Ctx
from .output import band, clock_json, emit, short, status_line, summary_json


def new_fault(args: argparse.Namespace, ctx: Ctx) -> int:
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
        out = summary_json(
            fault, ctx.tz, now=view.now, clocks=clocks_json, out_of_warranty=view.out_of_warranty
        )
        emit(out, ctx.tz)
        return 0
    if view.out_of_warranty:
        end = desk.customers.get(fault.customer).warranty_end
        print(
            f"Warning: {printable(fault.customer)}'s warranty ended {end}: "
            "the fault is logged, marked out of warranty"
        )
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
            band(c.band),
        ]
        for c in clocks
    ]
    print(table(["clock", f"due ({ctx.tz})", "band"], rows))
    return 0


def list_faults(args: argparse.Namespace, ctx: Ctx) -> int:
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
                summary_json(
                    fault,
                    ctx.tz,
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
                status_line(fault, item.paused_since if item else None, ctx.tz),
                fault.assignee or "-",
                f"{fault.customer}/{fault.system}",
                short(fault.title),
                show(item.clocks.next_breach, ctx.tz) if item else "-",
                (item.clocks.next_clock or "-") if item else "-",
                span(item.left(now)) if item else "-",
                band(item.band) if item else "-",
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

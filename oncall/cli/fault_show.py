"""``oncall fault show``: everything about one fault, as text or ``--json``."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from ..text import cell_width, printable, table
from ..timefmt import event_details, iso, show, span, stored_instant
from ..vocabulary import fault_ref, status_word
from .common import unknown_year_line, unknown_years_of
from .context import Ctx
from .output import band, clock_json, emit, jsonable, short, summary_json


def show_fault(args: argparse.Namespace, ctx: Ctx) -> int:
    from ..desk.next_step import Wording, describe, next_step

    desk = ctx.desk()
    view = desk.reads.fault_view(fault_ref(args.ref))
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
        out = summary_json(
            f,
            ctx.tz,
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
            out_of_warranty=view.out_of_warranty,
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
        *(
            [("warranty", "out of warranty (logged after it ended)")]
            if view.out_of_warranty
            else []
        ),
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
    rows = clock_rows(view.clocks.clocks, now, tz)
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
                short(w.done),
                short(w.result, 30),
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
    rows = [
        [show(e.at, tz), _who(e), e.verb, short(event_details(e.data, tz), 60)] for e in view.events
    ]
    print(table(["at", "user", "verb", "details"], rows))
    return 0


def clock_rows(clocks, now: datetime, tz) -> list[list[str]]:
    """The clock table's rows: deadline, time left and late, share used, band, state."""
    return [
        [
            c.name + (" (if no response in time)" if c.pending else ""),
            show(c.deadline, tz) if c.deadline else ("paused" if c.paused else "-"),
            span(c.left(now)) if c.stopped_at is None else "-",
            span(c.late(now)) if c.late(now) else "-",
            f"{c.share:.0%}" if c.target else "-",
            band(c.band),
            c.state,
            show(c.stopped_at, tz),
        ]
        for c in clocks
    ]


def _who(event) -> str:
    """The engineer, and the OS user behind them when a lead acted on their behalf."""
    if event.real_user and event.real_user != event.user:
        return f"{event.user} (by {event.real_user})"
    return event.user


def _band_line(clocks, now) -> str:
    """The fault's band now, and the deadlines it missed: ``band ok now; missed 4
    deadlines, worst 2d 03h late`` (a band alone says nothing of those)."""
    text = f"band {band(clocks.band)}"
    missed = clocks.missed
    if not missed:
        return text
    worst = max(c.late(now) for c in missed)
    if len(missed) == 1:
        return f"{text} now; missed 1 deadline ({missed[0].name}), {span(worst)} late"
    return f"{text} now; missed {len(missed)} deadlines, worst {span(worst)} late"


def _paused(clocks, tz) -> str:
    text = span(clocks.paused_wall_seconds) + " waiting on the customer in all"
    if clocks.paused_since is not None:
        text += f"; paused since {show(clocks.paused_since, tz)}"
    return text


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


def _event_json(event, tz) -> dict[str, Any]:
    out = jsonable(event, tz)
    out["data"] = {
        k: iso(at, tz) if (at := stored_instant(v)) else jsonable(v, tz)
        for k, v in event.data.items()
    }
    return out

"""The report laid out once, as headed sections of plain blocks, for the text renderers.

Markdown and HTML differ only in markup: both render the same ``Section``s, so the
words, the order and the figures (deadlines, how late, durations) are decided here
once. Every label is a msgid, translated when laid out (the CLI runs in English,
the console in its language). Text stays as typed; the renderers escape it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..i18n import N_, _
from ..timefmt import event_details, show
from ..vocabulary import CHANNEL_NAMES, CLOCK_NAMES, MODE_NAMES, STATUS_NAMES
from .fault import ClockResult, FaultReport


@dataclass(frozen=True)
class Pairs:
    rows: tuple[tuple[str, str], ...]  # (label, value)


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str  # what to say when there are no rows
    caption: str = ""  # a line above the table


@dataclass(frozen=True)
class Text:
    label: str
    text: str  # may hold line breaks; "" shows as a dash


Block = Pairs | Table | Text


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...]


def duration(seconds: int | None) -> str:
    """Exact to the second, for a customer: ``0:45:00``, ``26:30:00`` is ``1d 02:30:00``."""
    if seconds is None:
        return "-"
    days, rest = divmod(abs(int(seconds)), 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = (
        f"{hours}:{minutes:02d}:{secs:02d}" if not days else f"{hours:02d}:{minutes:02d}:{secs:02d}"
    )
    return f"{days}d {clock}" if days else clock


def result_text(c: ClockResult) -> str:
    """``met``, ``breached by 1:30:00``, ``overdue by 0:10:00 (still open)``, ``in time so
    far (still open)``, ``not owed (...)``."""
    if c.result == "met":
        return _("met")
    if c.result == "breached":
        return _("breached by {late}").format(late=duration(c.late_seconds))
    if c.result == "overdue":
        return _("overdue by {late} (still open)").format(late=duration(c.late_seconds))
    if c.result == "not_owed":
        return _("not owed (the desk responded in time)")
    return _("in time so far (still open)")


def title(r: FaultReport) -> str:
    return _("Fault report {ref}").format(ref=r.ref)


def sections(r: FaultReport) -> list[Section]:
    def at(when: datetime | None) -> str:
        return show(when, r.tz)

    product = " ".join(x for x in (r.product, r.model) if x)
    system = r.system + (f" ({product})" if product else "")
    header = Pairs(
        (
            (_("Customer"), r.customer),
            (_("System"), system),
            (_("Fault"), r.ref),
            (_("Title"), r.title),
            (_("Level"), str(r.level)),
            (_("Reported via"), _(CHANNEL_NAMES.get(r.channel, r.channel))),
            (_("Customer contact"), r.contact or "-"),
            (_("Reported at"), at(r.reported_at)),
            (_("Responded at"), at(r.responded_at)),
            (_("Resolved at"), at(r.resolved_at)),
            (_("Closed at"), at(r.closed_at)),
            (_("Status"), _(STATUS_NAMES.get(r.status, r.status))),
            *([(_("Warranty"), _("out of warranty (logged after it ended)"))] * r.out_of_warranty),
            (_("Report as of"), f"{at(r.now)} ({r.tz})"),
        )
    )
    clocks = Table(
        (_("Clock"), _("Target"), _("Started"), _("Deadline"), _("Stopped"), _("Result")),
        tuple(
            (
                _(CLOCK_NAMES.get(c.name, c.name)),
                f"{duration(c.target_seconds)} ({c.window})",
                at(c.started_at),
                at(c.deadline),
                at(c.stopped_at),
                result_text(c),
            )
            for c in r.clocks
        ),
        _("No clock ran."),
    )
    pauses = Table(
        (_("Waiting from"), _("Until"), _("For"), _("Reason")),
        tuple(
            (at(p.start), at(p.end) if p.end else _("still waiting"), duration(p.seconds), p.reason)
            for p in r.pauses
        ),
        _("The fault never waited on the customer."),
    )
    record = tuple(
        Text(_(label), text)
        for label, text in (
            (N_("Symptom"), r.record.symptom),
            (N_("Diagnosis process"), r.record.diagnosis),
            (N_("Handling process"), r.record.handling),
            (N_("Losses"), r.record.losses),
            (N_("Parameters changed, operations performed"), r.record.changes),
        )
    )
    work: list[Block] = []
    for m in r.work:
        total = _("{mode}: {time} in all, entries: {n}").format(
            mode=_(MODE_NAMES.get(m.mode, m.mode)), n=len(m.entries), time=duration(m.seconds)
        )
        if m.ongoing:
            total += _(", {n} still going on").format(n=m.ongoing)
        work.append(
            Table(
                (
                    _("Entry"),
                    _("Start"),
                    _("End"),
                    _("Duration"),
                    _("Engineer"),
                    _("Done"),
                    _("Result"),
                ),
                tuple(
                    (
                        f"#{w.id}",
                        at(w.start),
                        at(w.end) if w.end else _("going on"),
                        duration(w.seconds),
                        w.engineer_name,
                        w.done,
                        w.result,
                    )
                    for w in m.entries
                ),
                "",
                caption=total,
            )
        )
    if not work:
        work.append(Table((), (), _("No work logged.")))
    onsite: list[Block] = [
        Pairs(
            (
                (_("Entry"), f"#{o.entry}"),
                (_("On site"), f"{at(o.start)} – {at(o.end) if o.end else _('going on')}"),
                (_("Engineer"), o.engineer_name),
                (_("Done"), o.done or "-"),
                (_("Result"), o.result or "-"),
                (
                    _("Signed for the customer"),
                    f"{o.customer_signed_by}, {at(o.customer_signed_at)}"
                    if o.customer_signed_at
                    else _("not signed"),
                ),
                (
                    _("Signed for the vendor"),
                    f"{o.vendor_signed_by_name}, {at(o.vendor_signed_at)}"
                    if o.vendor_signed_at
                    else _("not signed"),
                ),
            )
        )
        for o in r.onsite
    ] or [Table((), (), _("No on-site service."))]
    audit = Table(
        (_("At"), _("Logged"), _("Who"), _("What"), _("Details")),
        tuple(
            (
                at(e.at),
                at(e.logged_at),
                e.user if not e.real_user or e.real_user == e.user else f"{e.user} ({e.real_user})",
                e.verb,
                event_details(e.data, r.tz),
            )
            for e in r.audit
        ),
        _("No events."),
    )
    return [
        Section(title(r), (header,)),
        Section(_("Resolution"), (Text(_("Summary"), r.resolution),)),
        Section(_("Service clocks"), (clocks,)),
        Section(
            _("Waiting on the customer: {time} in all").format(time=duration(r.paused_seconds)),
            (pauses,),
        ),
        Section(_("Fault record"), record),
        Section(_("Work log"), tuple(work)),
        Section(_("On-site service reports"), tuple(onsite)),
        Section(_("Audit trail"), (audit,)),
    ]

"""The contract's next step for a fault, from its state, history and clocks.

The way a fault is worked (售后服务流程): log it, assign one engineer, respond
(phone guidance), remote debugging, on-site service, the customer's sign-off
of the on-site service report, the fault record, close. The further deadlines
(服务范围, 应急响应方案) bend that order: a solution proposal is owed by its
deadline; when the remote-fix window runs out, on-site work is next; when on-
site work has not cleared a major fault within its window, a more senior
engineer is; when the desk did not respond in time, an engineer is owed on
site. ``next_step`` picks the one thing to do now:

1. closed: nothing; waiting on the customer: resume when they answer;
2. resolved: sign off on-site work, end work still going on, fill the record, close;
3. open: assign an engineer, respond, escalate once the on-site window ran
   out, sign off on-site work that ended unsigned; then the solution proposal
   or the fix (remote, on site, resolve), whichever is due sooner.

Pure: no I/O, no clock of its own (``now`` is the view's, or given, so the
console can move the step on between reads: the deadlines of running clocks
do not move while nothing happens). The words are here too, as gettext
message ids, so the command line (English) and the console (translated) say
the same thing; ``describe`` fills them in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from ..i18n import N_
from . import history as h
from .roster import more_senior
from .views import EngineerInfo, FaultRecord, FaultView

# What the next step can be, in the order a fault normally goes through them (kinds of
# step, printed as the JSON's ``step``: not verb names; ``NextStep.action`` names the verb).
STEPS = (
    "assign",
    "respond",
    "solution",
    "remote",
    "onsite",
    "escalate",
    "resolve",
    "resume",
    "signoff",
    "end_work",
    "record",
    "close",
    "none",
)
# The record the contract asks for after every fault (用户专用档案).
RECORD_FIELDS = tuple(f.name for f in fields(FaultRecord))

# Why, as a sentence: gettext message ids. ``{due}`` and ``{since}`` are times,
# ``{to}`` a person, ``{entry}`` a work entry, ``{missing}`` record fields.
REASONS = {
    "closed": N_("nothing: the fault is closed"),
    "waiting": N_("resume when the customer answers (waiting since {since})"),
    "waiting_for": N_("resume when the customer answers (waiting since {since} for: {note})"),
    "unassigned": N_("assign an engineer: nobody owns the fault"),
    "not_responded": N_("respond to the customer"),
    "no_solution": N_("propose a solution"),
    "remote_not_started": N_("remote fix: work on it remotely"),
    "remote_window": N_("remote fix: resolve before the window ends, else go on site"),
    "remote_ran_out": N_("go on site: the remote-fix window ran out at {due}"),
    "arrival_owed": N_("go on site: no response came in time, so an engineer is owed on site"),
    "onsite_working": N_("fix it on site and resolve (on site since {since})"),
    "onsite_escalation_at": N_(
        "fix it on site and resolve, else escalate at {due} (on site since {since})"
    ),
    "escalation_due": N_(
        "escalate to a senior engineer on duty ({to}): on-site work started {since} "
        "and was not cleared by {due}"
    ),
    "escalation_off_duty": N_(
        "escalate to a senior engineer ({to}, off duty: nobody more senior is on duty): "
        "on-site work started {since} and was not cleared by {due}"
    ),
    "escalation_nobody": N_(
        "escalate: on-site work started {since} and was not cleared by {due}, "
        "but nobody on the roster is more senior"
    ),
    "escalation_anyone": N_(
        "escalate to a senior engineer on duty: on-site work started {since} "
        "and was not cleared by {due}"
    ),
    "onsite_done": N_("resolve: the on-site work is done"),
    "resolve": N_("resolve the fault"),
    "onsite_unsigned": N_("customer sign-off of on-site work #{entry}"),
    "work_open": N_("end work #{entry}, still going on"),
    "record_missing": N_("write the fault record ({missing})"),
    "ready": N_("close the fault"),
}
# Added to a sentence that does not name its deadline.
DUE = N_("due {due}")
OVERDUE = N_("overdue since {due}")
DUE_LEFT = N_("due {due}, {left} left")
DUE_LATE = N_("due {due}, {left} late")
# Between the record fields a step names.
SEPARATOR = N_(", ")


@dataclass(frozen=True)
class NextStep:
    step: str  # one of STEPS
    reason: str  # a key of REASONS: what ``describe`` says
    action: str | None  # the verb that does it (``oncall/verbs.py``; None: nothing to do)
    due: datetime | None = None  # the deadline the step answers to (past: overdue)
    since: datetime | None = None  # the instant the reason speaks of
    mode: str | None = None  # a work step: the mode of the work to log
    entry: int | None = None  # sign-off, end work: the work entry
    to: str | None = None  # escalate: whom the desk would pick (``roster.more_senior``)
    missing: tuple[str, ...] = ()  # record: the fields still empty
    note: str = ""  # waiting: what for

    def overdue(self, now: datetime) -> bool:
        return self.due is not None and self.due <= now


def next_step(
    view: FaultView,
    policy,
    engineers: Sequence[EngineerInfo] | None = None,
    now: datetime | None = None,
) -> NextStep:
    """The one thing to do next for ``view``'s fault, as of ``now`` (default: the view's).

    ``policy`` says which further deadlines the fault's level has;
    ``engineers`` (the roster) names whom to escalate to (None: not named).
    """
    now = view.now if now is None else now
    f = view.fault
    if f.status == "closed":
        return NextStep("none", "closed", None, since=f.closed_at)
    if f.status == "resolved":
        return _after_resolution(view)
    if f.status == "waiting":
        since, note = _waiting(view)
        return NextStep(
            "resume", "waiting_for" if note else "waiting", "resume", since=since, note=note
        )
    if f.assignee is None:
        return NextStep("assign", "unassigned", "assign")
    clocks = view.clocks
    if f.status == "new" or f.responded_at is None:
        return NextStep("respond", "not_responded", "respond", due=_deadline(clocks, "respond"))
    escalation = _running(clocks, "onsite_escalation")
    if escalation is not None and escalation.deadline <= now:
        return _escalate(view, escalation, engineers)
    ended_unsigned = [w for w in view.work if _unsigned(w) and w.end is not None]
    if ended_unsigned:
        w = ended_unsigned[0]
        return NextStep("signoff", "onsite_unsigned", "sign-off", since=w.end, entry=w.id)
    fix = _fix(view, policy, now)
    solution = _running(clocks, "solution")
    if solution is not None and (fix.due is None or solution.deadline <= fix.due):
        return NextStep("solution", "no_solution", "propose", due=solution.deadline)
    return fix


def _after_resolution(view: FaultView) -> NextStep:
    """Resolved: what closing needs, in the contract's order (sign-off, record, close)."""
    unsigned = [w for w in view.work if _unsigned(w)]
    if unsigned:
        w = unsigned[0]
        return NextStep("signoff", "onsite_unsigned", "sign-off", since=w.start, entry=w.id)
    going_on = [w for w in view.work if w.end is None]
    if going_on:
        w = going_on[0]
        return NextStep("end_work", "work_open", "work-end", since=w.start, entry=w.id)
    missing = tuple(name for name in RECORD_FIELDS if not getattr(view.record, name).strip())
    if missing:
        return NextStep("record", "record_missing", "record", missing=missing)
    return NextStep("close", "ready", "close", since=view.fault.resolved_at)


def _fix(view: FaultView, policy, now: datetime) -> NextStep:
    """The fix: remote work first, on site when its window ran out, then resolve."""
    clocks = view.clocks
    resolve_by = _deadline(clocks, "resolve")
    onsite = [w for w in view.work if w.mode == "onsite"]
    remote = [w for w in view.work if w.mode == "remote"]
    if onsite:
        going_on = [w for w in onsite if w.end is None]
        if not going_on:
            return NextStep("resolve", "onsite_done", "resolve", due=resolve_by)
        since = going_on[0].start
        escalation = _running(clocks, "onsite_escalation")
        if escalation is not None:
            return NextStep(
                "onsite", "onsite_escalation_at", "resolve", due=escalation.deadline, since=since
            )
        return NextStep("onsite", "onsite_working", "resolve", due=resolve_by, since=since)
    arrival = _running(clocks, "onsite_arrival")
    owed = arrival is not None and not arrival.pending
    if remote:
        window = _running(clocks, "remote_fix")
        if window is None:  # no window at this level, or it ended (resolved before)
            return NextStep("resolve", "resolve", "resolve", due=resolve_by)
        if window.deadline <= now:
            return NextStep("onsite", "remote_ran_out", "work", due=window.deadline, mode="onsite")
        return NextStep(
            "remote", "remote_window", "resolve", due=window.deadline, since=window.started_at
        )
    if owed:
        return NextStep("onsite", "arrival_owed", "work", due=arrival.deadline, mode="onsite")
    if any(d.clock == "remote_fix" for d in policy.further_for(view.fault.level)):
        return NextStep("remote", "remote_not_started", "work", due=resolve_by, mode="remote")
    return NextStep("resolve", "resolve", "resolve", due=resolve_by)


def _escalate(view: FaultView, clock, engineers: Sequence[EngineerInfo] | None) -> NextStep:
    step = dict(due=clock.deadline, since=clock.started_at)
    if engineers is None:
        return NextStep("escalate", "escalation_anyone", "escalate", **step)
    by_user = {e.user: e for e in engineers}
    current = by_user.get(view.fault.assignee or "")
    above = more_senior(engineers, current.seniority if current else "engineer")
    if not above:
        return NextStep("escalate", "escalation_nobody", None, **step)
    reason = "escalation_due" if above[0].on_duty else "escalation_off_duty"
    return NextStep("escalate", reason, "escalate", to=above[0].user, **step)


def _waiting(view: FaultView) -> tuple[datetime | None, str]:
    """When the current wait on the customer began, and what for (events are newest first)."""
    for event in view.events:
        if event.verb == h.PAUSE:
            return event.at, str(event.data.get("reason") or "")
    return None, ""


def _unsigned(w) -> bool:
    return w.mode == "onsite" and w.customer_signoff_at is None


def _running(clocks, name: str):
    """The clock ``name`` if it runs (with a deadline), else None."""
    c = clocks.clock(name)
    return c if c is not None and c.running and c.deadline is not None else None


def _deadline(clocks, name: str) -> datetime | None:
    c = _running(clocks, name)
    return c.deadline if c is not None else None


# -- words ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    """How the caller shows times, people and names, and translates.

    ``span``: a signed length of time for "… left/late"; None leaves the
    countdown out (the console's line then changes only when the step does).
    """

    when: Callable[[datetime], str]
    span: Callable[[int], str] | None = None
    who: Callable[[str], str] = str
    field: Callable[[str], str] = str
    translate: Callable[[str], str] = str


def describe(step: NextStep, now: datetime, words: Wording) -> str:
    """The step as one sentence, with its deadline unless the sentence names it."""
    t = words.translate
    template = t(REASONS[step.reason])
    values = {
        "due": words.when(step.due) if step.due else "-",
        "since": words.when(step.since) if step.since else "-",
        "to": words.who(step.to) if step.to else "-",
        "entry": step.entry if step.entry is not None else "-",
        "missing": t(SEPARATOR).join(words.field(name) for name in step.missing),
        "note": step.note,
    }
    text = template.format(**values)
    if step.due is None or "{due}" in REASONS[step.reason]:
        return text
    left = int((step.due - now).total_seconds())
    if words.span is not None:
        suffix = t(DUE_LEFT if left > 0 else DUE_LATE).format(
            due=values["due"], left=words.span(abs(left))
        )
    else:
        suffix = t(DUE if left > 0 else OVERDUE).format(due=values["due"])
    return f"{text} ({suffix})"

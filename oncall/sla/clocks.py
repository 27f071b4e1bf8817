"""A fault's clocks, derived from its history.

Nothing here is stored or mutated: the same history and policy always give the
same deadlines. The history is what happened to the fault (reported, response,
pauses, resolutions, work started …); the current level and channel pick the
targets, so a level change recomputes every deadline from the report time and
keeps the pauses.

Pauses: a pausable clock does not run while the fault waits on the customer.
Its deadline is the instant at which its *running* service time reaches the
target, so a pause that starts after the deadline does not undo a breach, and
pausing never makes a deadline earlier.

Breaches (the rule the queue, the header and the CLI follow):

- A clock is *breached* once its deadline has passed while it was not stopped:
  running, or paused after the deadline (a paused clock has a deadline only
  then: one paused in time has none until it resumes). It stays breached
  through pauses and resumes, and a clock stopped after its deadline is
  *missed* (band breached, ``met`` False) for good.
- Lateness is wall time: ``late(now)`` = (the stop, or now) - the deadline, so
  a breached clock paused for a day is a day later. The service seconds over
  the target are ``-remaining``.
- What is at stake: a fault's band, next breach and next clock come from its
  *live* clocks (not stopped: running, or paused after their deadline). A
  paused clock that has not breached does not count while paused (its deadline
  moves on resume); a missed clock is history, reported by ``missed`` with its
  lateness, not in the band.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from .policy import Policy
from .window import ServiceWindow, from_epoch, to_epoch


class Band(Enum):
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    BREACHED = "breached"

    @property
    def rank(self) -> int:
        return _BAND_RANK[self]


_BAND_RANK = {Band.OK: 0, Band.WARNING: 1, Band.CRITICAL: 2, Band.BREACHED: 3}
_MARK_BAND = {"warning": Band.WARNING, "critical": Band.CRITICAL, "breach": Band.BREACHED}


class Event(Enum):
    """What can happen to a fault, as far as its clocks care."""

    REPORTED = "reported"
    LEVEL = "level"  # data: the new level
    CHANNEL = "channel"  # data: the new channel
    RESPONDED = "responded"
    SOLUTION = "solution"  # solution proposal given to the customer
    PAUSED = "paused"
    RESUMED = "resumed"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    REMOTE_STARTED = "remote_started"  # a remote work entry starts
    ONSITE_STARTED = "onsite_started"  # an on-site work entry starts
    ESCALATED = "escalated"


@dataclass(frozen=True)
class HistoryEvent:
    kind: Event
    at: datetime
    data: object = None


@dataclass(frozen=True)
class FaultHistory:
    """The folded history of one fault: everything its clocks depend on."""

    level: int
    channel: str
    reported_at: datetime
    responded_at: datetime | None = None
    solution_at: datetime | None = None
    remote_started_at: datetime | None = None
    onsite_started_at: datetime | None = None
    escalated_at: datetime | None = None
    # (start, end) of each wait on the customer; end None while still waiting
    pauses: tuple[tuple[datetime, datetime | None], ...] = ()
    # (resolved, reopened) of each resolution; reopened None while resolved
    resolutions: tuple[tuple[datetime, datetime | None], ...] = ()

    @property
    def first_resolved_at(self) -> datetime | None:
        return self.resolutions[0][0] if self.resolutions else None

    @property
    def resolved_at(self) -> datetime | None:
        """The current resolution, None while the fault is open."""
        if self.resolutions and self.resolutions[-1][1] is None:
            return self.resolutions[-1][0]
        return None

    @classmethod
    def from_events(cls, events: Iterable[HistoryEvent]) -> FaultHistory:
        """Fold events (any order; ties keep their given order) into a history."""
        ordered = sorted(events, key=lambda e: e.at)
        if not ordered or ordered[0].kind is not Event.REPORTED:
            raise ValueError("a fault's history starts with its report")
        first = ordered[0]
        level, channel = first.data if isinstance(first.data, tuple) else (None, None)
        reported = first.at
        marks: dict[str, datetime] = {}
        pauses: list[list] = []
        resolutions: list[list] = []
        for e in ordered[1:]:
            if e.kind is Event.LEVEL:
                level = e.data
            elif e.kind is Event.CHANNEL:
                channel = e.data
            elif e.kind is Event.PAUSED:
                if not pauses or pauses[-1][1] is not None:
                    pauses.append([e.at, None])
            elif e.kind is Event.RESUMED:
                if pauses and pauses[-1][1] is None:
                    pauses[-1][1] = e.at
            elif e.kind is Event.RESOLVED:
                if pauses and pauses[-1][1] is None:  # resolving ends a wait
                    pauses[-1][1] = e.at
                if not resolutions or resolutions[-1][1] is not None:
                    resolutions.append([e.at, None])
            elif e.kind is Event.REOPENED:
                if resolutions and resolutions[-1][1] is None:
                    resolutions[-1][1] = e.at
            elif e.kind.value not in marks and e.kind is not Event.REPORTED:
                marks[e.kind.value] = e.at  # first response, first remote work, …
        if level is None or channel is None:
            raise ValueError("the report event carries (level, channel)")
        return cls(
            level=level,
            channel=channel,
            reported_at=reported,
            responded_at=marks.get("responded"),
            solution_at=marks.get("solution"),
            remote_started_at=marks.get("remote_started"),
            onsite_started_at=marks.get("onsite_started"),
            escalated_at=marks.get("escalated"),
            pauses=tuple((s, e) for s, e in pauses),
            resolutions=tuple((s, e) for s, e in resolutions),
        )


@dataclass(frozen=True)
class ClockState:
    """One clock of a fault, as of an instant."""

    name: str  # respond, resolve, solution, remote_fix, onsite_escalation, onsite_arrival
    window: str
    target: int  # service seconds allowed
    started_at: datetime
    deadline: datetime | None  # None while paused (the deadline moves on resume)
    stopped_at: datetime | None  # the clock's goal was met (or it ended) at this instant
    paused: bool  # paused now
    used: int  # running service seconds, as of now or of the stop
    paused_seconds: int  # service seconds spent paused
    band: Band
    # onsite_arrival before its condition is known: applies if no response in time
    pending: bool = False
    # With ``evaluate(..., thresholds=True)``, for a running clock: the instants
    # its running service time reaches the warning and critical shares and the
    # target, as (("warning", at), ("critical", at), ("breach", at)).
    thresholds: tuple[tuple[str, datetime], ...] = ()
    # A pending clock starts to count (its band matters) at this instant.
    pending_until: datetime | None = None

    @property
    def running(self) -> bool:
        return self.stopped_at is None and not self.paused

    @property
    def state(self) -> str:
        """What the clock is doing, one of ``CLOCK_STATES``; the CLI and the console
        both show this, so they cannot disagree.

        The order of the checks is the contract's: a stopped clock is met or missed
        whatever else held; a pending one (on-site arrival, owed only if the desk
        does not respond in time) is not owed yet, so a pause of the fault
        (waiting on the customer) does not make it a clock that waits: it reads
        ``pending`` until its condition is known, like its band, which does not
        count in the fault's band either (``counts_at``); then paused, then running.
        """
        if self.stopped_at is not None:
            return "met" if self.met else "missed"
        if self.pending:
            return "pending"
        if self.paused:
            return "paused"
        return "running"

    @property
    def live(self) -> bool:
        """Still at stake: not stopped, and running or paused after its deadline."""
        return self.stopped_at is None and self.deadline is not None

    @property
    def share(self) -> float:
        return self.used / self.target

    @property
    def remaining(self) -> int:
        """Service seconds left (negative once breached)."""
        return self.target - self.used

    @property
    def met(self) -> bool | None:
        """For a stopped clock: was it stopped in time? None while it runs."""
        if self.stopped_at is None:
            return None
        return self.deadline is not None and self.stopped_at <= self.deadline

    def left(self, now: datetime) -> int | None:
        """Wall-clock seconds until the deadline (negative once breached)."""
        if self.deadline is None:
            return None
        return int((self.deadline - now).total_seconds())

    def late(self, now: datetime) -> int:
        """Wall-clock seconds past the deadline: to the stop if stopped, else to ``now``
        (paused or not); 0 while in time, or paused before the deadline."""
        if self.deadline is None:
            return 0
        end = self.stopped_at if self.stopped_at is not None else now
        return max(int((end - self.deadline).total_seconds()), 0)

    def band_at(self, now: datetime) -> Band:
        """The band at ``now`` (not before the evaluation) if nothing happens meanwhile.

        A running clock only moves up through the bands, at its threshold
        instants (``evaluate(..., thresholds=True)``); without them, the band
        as evaluated.
        """
        band = self.band
        if not self.running:
            return band
        for label, at in self.thresholds:
            if at <= now and _MARK_BAND[label].rank > band.rank:
                band = _MARK_BAND[label]
        return band

    def counts_at(self, now: datetime) -> bool:
        """Whether the clock's band counts in the fault's band at ``now``."""
        if not self.live:
            return False
        return not self.pending or (self.pending_until is not None and self.pending_until <= now)


@dataclass(frozen=True)
class FaultClocks:
    clocks: tuple[ClockState, ...]
    paused_wall_seconds: int  # real time the fault spent waiting on the customer
    next_breach: datetime | None  # earliest deadline of a live clock (see the module)
    next_clock: str | None  # which clock that is
    band: Band  # the worst band of the live clocks
    extra: dict = field(default_factory=dict)
    paused_since: datetime | None = None  # start of the wait on the customer going on

    def clock(self, name: str) -> ClockState | None:
        for c in self.clocks:
            if c.name == name:
                return c
        return None

    def late(self, now: datetime) -> int:
        """Wall seconds past the next breach, paused or not (0: in time, or none at stake)."""
        nb = self.next_breach
        return 0 if nb is None else max(int((now - nb).total_seconds()), 0)

    @property
    def missed(self) -> tuple[ClockState, ...]:
        """The clocks that stopped after their deadline (history: not in the band)."""
        return tuple(c for c in self.clocks if c.met is False)

    def band_at(self, now: datetime) -> Band:
        """The fault's band at ``now`` (not before the evaluation) if nothing happens meanwhile.

        Exact only for clocks evaluated with ``thresholds=True``; otherwise the
        band as evaluated.
        """
        if not any(c.thresholds for c in self.clocks):
            return self.band
        bands = [c.band_at(now) for c in self.clocks if c.counts_at(now)]
        return max(bands, key=lambda b: b.rank, default=Band.OK)

    def changes_after(self, now: datetime) -> datetime | None:
        """The next instant after ``now`` at which ``band_at`` may change; None: never."""
        instants = [
            at
            for c in self.clocks
            if c.running
            for at in (*(at for _label, at in c.thresholds), c.pending_until)
            if at is not None and at > now
        ]
        return min(instants, default=None)


def _band(policy: Policy, used: int, target: int) -> Band:
    if used >= target:
        return Band.BREACHED
    share = used / target
    if share >= policy.critical:
        return Band.CRITICAL
    if share >= policy.warning:
        return Band.WARNING
    return Band.OK


def _run(
    window: ServiceWindow,
    start: int,
    target: int,
    pauses: Sequence[tuple[int, int | None]],
    stop: int | None,
    now: int,
) -> tuple[int | None, int, int, bool]:
    """Run one clock: (deadline, used, paused service seconds, paused now).

    ``pauses`` are epoch pairs sorted by start; only parts after ``start`` count.
    The clock is measured up to ``stop`` if it stopped, else up to ``now``.
    """
    until = stop if stop is not None else now
    remaining = target
    cursor = start
    deadline: int | None = None
    paused_service = 0
    paused_now = False
    for p_start, p_end in pauses:
        if p_end is not None and p_end <= cursor:
            continue
        p_start = max(p_start, cursor)
        if p_start > until or (p_start == until and stop is not None):
            break  # begins after the stop (or after now): not a pause of this clock
        if deadline is None:
            candidate = window.add_epoch(cursor, remaining)
            if candidate <= p_start:
                deadline = candidate  # due before this pause began: the pause cannot save it
            else:
                remaining -= window.between_epoch(cursor, p_start)
        if p_end is None or p_end > until:
            paused_service += window.between_epoch(p_start, until)
            paused_now = stop is None and (p_end is None or p_end > now)
            cursor = until
            break
        paused_service += window.between_epoch(p_start, p_end)
        cursor = p_end
    if deadline is None and not paused_now:
        deadline = window.add_epoch(cursor, remaining)
    used = window.between_epoch(start, until) - paused_service if until > start else 0
    return deadline, used, paused_service, paused_now


def evaluate(
    policy: Policy, history: FaultHistory, now: datetime, thresholds: bool = False
) -> FaultClocks:
    """Every clock the policy gives this fault, as of ``now``.

    ``thresholds``: also work out when each running clock crosses the warning
    and critical shares (the alert scheduler plans from them).
    """
    level = policy.level(history.level)
    if history.channel not in level.respond:
        raise ValueError(f"unknown channel {history.channel!r}")
    t_now = to_epoch(now)
    reported = to_epoch(history.reported_at)
    pauses = [(to_epoch(s), to_epoch(e) if e else None) for s, e in history.pauses]
    first_resolved = _epoch(history.first_resolved_at)
    states: list[ClockState] = []

    def add(name, window, target, start, stop, clock_pauses=(), pending=None):
        stop = stop if stop is None or stop >= start else start
        deadline, used, paused_s, paused_now = _run(
            window, start, target, clock_pauses, stop, t_now
        )
        if stop is not None:  # a stopped clock was met or breached, nothing between
            band = Band.BREACHED if deadline is not None and stop > deadline else Band.OK
        elif deadline is not None and t_now >= deadline:
            band = Band.BREACHED
        else:
            band = _band(policy, used, target)
        marks: tuple[tuple[str, datetime], ...] = ()
        if thresholds and stop is None and not paused_now and deadline is not None:
            marks = tuple(
                (label, from_epoch(_run(window, start, need, clock_pauses, None, t_now)[0]))
                for label, need in _threshold_targets(policy, target)
            ) + (("breach", from_epoch(deadline)),)
        states.append(
            ClockState(
                name=name,
                window=window.name,
                target=target,
                started_at=from_epoch(start),
                deadline=from_epoch(deadline) if deadline is not None else None,
                stopped_at=from_epoch(stop) if stop is not None else None,
                paused=paused_now,
                used=max(used, 0),
                paused_seconds=paused_s,
                band=band,
                pending=pending is not None,
                thresholds=marks,
                pending_until=from_epoch(pending) if pending is not None else None,
            )
        )

    add(
        "respond",
        level.window,
        level.respond[history.channel],
        reported,
        _epoch(history.responded_at),
    )
    add("resolve", level.window, level.resolve, *_resolve_span(policy, history, reported, pauses))

    for d in policy.further_for(history.level):
        clock_pauses = pauses if d.pausable else ()
        if d.clock == "solution":
            stop = _earliest(_epoch(history.solution_at), first_resolved)
            add(d.clock, d.window, d.within, reported, stop, clock_pauses)
        elif d.clock == "remote_fix" and history.remote_started_at is not None:
            start = to_epoch(history.remote_started_at)
            stop = _earliest(first_resolved, _epoch(history.onsite_started_at))
            add(d.clock, d.window, d.within, start, stop, clock_pauses)
        elif d.clock == "onsite_escalation" and history.onsite_started_at is not None:
            start = to_epoch(history.onsite_started_at)
            escalated = _epoch(history.escalated_at)
            if escalated is not None and escalated < start:
                escalated = None  # an escalation before on-site work does not stop it
            stop = _earliest(escalated, first_resolved)
            add(d.clock, d.window, d.within, start, stop, clock_pauses)
        elif d.clock == "onsite_arrival":
            trigger = reported + (d.unresponded_after or 0)
            responded = _epoch(history.responded_at)
            if responded is not None and responded <= trigger:
                continue  # responded in time: no on-site arrival is owed
            stop = _earliest(_epoch(history.onsite_started_at), first_resolved)
            pending = trigger if responded is None and t_now < trigger else None
            add(d.clock, d.window, d.within, reported, stop, clock_pauses, pending)

    live = [c for c in states if c.live]
    nearest = min(live, key=lambda c: c.deadline, default=None)
    worst = max((c.band for c in live if not c.pending), key=lambda b: b.rank, default=Band.OK)
    waiting = history.pauses[-1] if history.pauses else None
    return FaultClocks(
        clocks=tuple(states),
        paused_wall_seconds=_paused_wall(history, t_now),
        next_breach=nearest.deadline if nearest else None,
        next_clock=nearest.name if nearest else None,
        band=worst,
        paused_since=waiting[0] if waiting and waiting[1] is None and waiting[0] <= now else None,
    )


def _threshold_targets(policy: Policy, target: int) -> tuple[tuple[str, int], ...]:
    """Service seconds at which a clock of ``target`` seconds warns and turns critical."""
    return (
        ("warning", max(1, math.ceil(target * policy.warning))),
        ("critical", max(1, math.ceil(target * policy.critical))),
    )


def _resolve_span(
    policy: Policy, history: FaultHistory, reported: int, pauses: list
) -> tuple[int, int | None, list]:
    """(start, stop, pauses) of the resolve clock, reopenings included."""
    resolutions = [(to_epoch(r), _epoch(o)) for r, o in history.resolutions]
    stop = resolutions[-1][0] if resolutions and resolutions[-1][1] is None else None
    reopens = [o for _, o in resolutions if o is not None]
    if not reopens:
        return reported, stop, pauses
    if policy.reopen == "full":
        start = reopens[-1]
        return start, stop, [(s, e) for s, e in pauses if e is None or e > start]
    # "remaining": the time spent resolved counts as paused.
    gaps = [(r, o) for r, o in resolutions if o is not None]
    return reported, stop, sorted(pauses + gaps, key=lambda p: p[0])


def _paused_wall(history: FaultHistory, now: int) -> int:
    total = 0
    for start, end in history.pauses:
        total += (_epoch(end) if end else now) - to_epoch(start)
    return max(total, 0)


def _epoch(at: datetime | None) -> int | None:
    return to_epoch(at) if at is not None else None


def _earliest(*instants: int | None) -> int | None:
    present = [i for i in instants if i is not None]
    return min(present) if present else None

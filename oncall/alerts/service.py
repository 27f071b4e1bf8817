"""The alert service: plans, fires, shows and sends the SLA alerts of one desk.

Used by the console (``oncall.tui.alerts_bridge``) and by ``oncall watch``;
several of them may share one database. The parts:

- ``timer.Timer``: APScheduler's ``AsyncIOScheduler`` on the caller's loop,
  one date job per alert to come.
- ``settle``: the truth read on the database thread (``replan``: one read,
  each fault's clocks evaluated once; ``fire``: one batch of due alerts, one
  transaction).
- ``announce.Announcer``: the alerts shown, the count, the health.
- ``sender.Sender``: the notify hook, once per alert across processes.
- ``dbthread.DbThread``: the one thread every database call runs on.

How it works (who arms what, when):

- ``start()`` (on the running loop): read the newest alert id, re-plan every
  open fault and arm a job per alert to come. Alerts already due (the
  catch-up: late, and says so; only the highest due threshold of each clock,
  ``plan.triage``) fire from that same read, ``batch`` alerts per transaction,
  the loop free between batches (keys are served, the batch is shown);
  ``start`` returns once they fired.
- Every ``poll_every`` seconds (``sync``): when the desk's change watch says
  something was committed (or it cannot tell), re-plan the faults whose
  events are newer (another console, the CLI), re-arm their jobs and fire
  what the read found due; every ``replan_every`` seconds, and after a
  database error, every open fault. It shows alerts that other processes
  fired, refreshes the count of unacknowledged alerts, and picks up
  notifications nobody sent. A plan that the clock brought due has a job that
  runs at once, and ``sync`` returns once those jobs ran.
- A due job re-reads its fault (``settle.replan``), with every other fault
  that has an alert due by now (jobs due together are one read), fires what
  is due by the truth, and re-arms those faults' alerts still to come. A job
  that meets a database error asks the next poll for a full re-plan: what
  came due meanwhile fires once the database is back (late, and says so).
- Re-planning a fault also withdraws its fired alerts that the stored
  history now says should not have fired (``settle``).

The clock: ``SystemClock`` (whole seconds) is replaced by ``PreciseClock`` so
that fired instants and lateness are exact. With any other clock (a test's
``FixedClock``) jobs are placed at the real instant the clock's offset gives,
and ``sync()`` runs at once the jobs the clock says are due; tests move the
clock and call it.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import itertools
import logging
import os
import socket
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from oncall.clock import Clock, PreciseClock, SystemClock
from oncall.desk.alert_views import AlertRecord
from oncall.desk.database import ChangeReader

from . import settle
from .announce import Announcer, tell
from .dbthread import DB_ERRORS, DbThread
from .notify import AlertSettings
from .plan import Plan
from .sender import Sender
from .settle import Outcome
from .timer import Timer

log = logging.getLogger("oncall.alerts")

_OVERLAP_EVENTS = 50  # PostgreSQL: ids may commit out of order; look back this far
_BACKLOG_EVERY = timedelta(seconds=5)  # how often a poll looks for notifications nobody sent
# Alerts fired per transaction: one batch's INSERT, and its showing on the loop
# (a toast each, their sends), stay a few milliseconds.
BATCH = 200
ARM_SLICE = 100  # jobs armed between two turns of the loop (~0.2 ms each)
_instances = itertools.count()


def precise(clock: Clock | None) -> Clock:
    if clock is None or type(clock) is SystemClock:
        return PreciseClock()
    return clock


def process_name(kind: str, user: str | None = None) -> str:
    """``kind:user@host:pid`` (``#n`` added for a second service in one process)."""
    try:
        user = user or getpass.getuser()
    except (OSError, KeyError, ImportError):
        user = "?"
    n = next(_instances)
    suffix = f"#{n}" if n else ""
    return f"{kind}:{user}@{socket.gethostname()}:{os.getpid()}{suffix}"


class AlertService:
    """Plans, fires, shows and sends the SLA alerts of one desk.

    Listeners (plain callables, called on the loop):
    ``on_alert(record)`` for each alert this process shows (fired here or by
    another process while it runs); ``on_count(n)`` when the number of
    unacknowledged alerts changes; ``on_notify_failed(record, error)`` when the
    hook gave up; ``on_notify_unknown(record)`` when this process found a
    delivery whose sender died mid-send (the page may or may not have gone
    out); ``on_withdrawn(records)`` when this process withdrew alerts (their
    clocks stopped in time, by a later entry); ``on_health(ok, error)`` when
    the database goes away or comes back;
    ``on_damaged(error)`` when a database error says it is corrupt (``store.health``).
    """

    def __init__(
        self,
        desk: Any = None,
        *,
        clock: Clock | None = None,
        settings: AlertSettings | None = None,
        kind: str = "console",
        user: str | None = None,
        poll_every: float = 1.0,
        replan_every: float = 600.0,
        notify_backoff: float = 1.0,
        notify_backlog: timedelta = timedelta(days=1),
        batch: int = BATCH,
    ) -> None:
        self.desk = desk
        self.clock = precise(clock if clock is not None else getattr(desk, "clock", None))
        self.settings = settings or AlertSettings()
        self.user = user or getattr(desk, "user", None)
        self.kind = kind
        self.name = process_name(kind, self.user)
        self.poll_every = poll_every
        self.replan_every = timedelta(seconds=replan_every)
        self.notify_backoff = notify_backoff
        self.notify_backlog = notify_backlog
        self.on_alert: list[Callable[[AlertRecord], Any]] = []
        self.on_count: list[Callable[[int], Any]] = []
        self.on_notify_failed: list[Callable[[AlertRecord, str], Any]] = []
        self.on_notify_unknown: list[Callable[[AlertRecord], Any]] = []
        self.on_withdrawn: list[Callable[[list[AlertRecord]], Any]] = []
        self.on_health: list[Callable[[bool, str | None], Any]] = []
        self.on_damaged: list[Callable[[BaseException], Any]] = []
        self.on_burst_end: list[Callable[[], Any]] = []
        self.batch = max(int(batch), 1)
        self.bursting = False  # a series of batches is being fired
        self.last_burst: tuple[int, ...] = ()  # the sizes of the last series' batches
        self.running = False
        self.started = asyncio.Event()  # set once start() has planned (and caught up)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.db = DbThread()
        self.timer = Timer(self.clock, self._job, horizon=2 * self.replan_every)
        self.announcer = Announcer(self)
        self._tasks: set[asyncio.Task] = set()
        self.sender = Sender(self, self._tasks)
        self._lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self._seeded = False
        self._closed = False
        self._last_change = 0
        self._news = ChangeReader(None)  # commits since the last poll (set up at start)
        self._need_full = True
        self._last_full: datetime | None = None
        self._last_backlog: datetime | None = None

    # -- life ---------------------------------------------------------------------------

    async def start(self, desk: Any = None) -> AlertService:
        """Start on the running loop: the scheduler, the catch-up, the poll."""
        if self.running or self._closed:
            return self
        if desk is not None:
            self.desk = desk
            if self.user is None:
                self.user = getattr(desk, "user", None)
        if self.desk is None:
            raise RuntimeError("the alert service needs a desk")
        self.loop = asyncio.get_running_loop()
        finder = getattr(self.desk.reads, "change_watch", None)
        self._news = ChangeReader(finder() if finder is not None else None)
        self.db.start()
        self.timer.start(self.loop)
        self.running = True
        self.announcer.started_at = self._now()
        await self._catch_up()
        self._task = self.loop.create_task(self._poll_loop(), name="oncall-alerts-poll")
        self.started.set()
        return self

    async def stop(self) -> None:
        """Stop cleanly: no new alerts; claims whose command has not started given back.

        Deliveries under way go on in their supervisors, which record the outcome.
        """
        self._closed = True
        if not self.running:
            return
        self.running = False
        tasks = [t for t in (self._task, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        with contextlib.suppress(*DB_ERRORS):
            await self.sender.release()
        self._shutdown()

    def close(self) -> None:
        """Stop without waiting (from a synchronous ``on_unmount``); safe to call twice."""
        self._closed = True  # a start still waiting for the desk will not start
        if not self.running:
            return
        self.running = False
        for task in (self._task, *self._tasks):
            if task is not None:
                task.cancel()
        with contextlib.suppress(Exception):
            self.sender.release_soon()
        self._shutdown()

    def _shutdown(self) -> None:
        self.timer.shutdown()
        self.db.shutdown()

    # -- what others ask -------------------------------------------------------------------

    @property
    def tz(self):
        return self.desk.policy.timezone

    @property
    def scheduler(self) -> AsyncIOScheduler | None:
        return self.timer.scheduler

    @property
    def healthy(self) -> bool:
        return self.announcer.healthy

    @property
    def unacked(self) -> int | None:
        return self.announcer.unacked

    def planned(self) -> list[Plan]:
        """Every alert still to come, soonest first."""
        return self.timer.planned()

    async def recent(self, limit: int = 200) -> list[AlertRecord]:
        return await self.db.call(self.desk.alerts.recent, limit)

    async def acknowledge(self, ids: Iterable[int] | None) -> int:
        """Acknowledge alerts (None: all unacknowledged ones) through the desk: an
        audited verb of its acting engineer (``DeskError`` when not on the roster)."""
        chosen = None if ids is None else list(ids)
        done = await self.db.call(self.desk.alerts.acknowledge, chosen)
        await self.announcer.refresh_count(force=True)
        return len(done)

    async def resend(self, alert_id: int) -> tuple[AlertRecord | None, bool]:
        """The desk's engineer asks to send an ``unknown`` or ``failed`` alert again.

        Audited (``alert_resend``) and on the row; (the alert or None, True if
        it was queued). Sent at once when this process has a notify command,
        else by the next watcher or console that has one.
        """
        who = self.desk.user
        queued, record = await self.db.call(self.desk.alerts.resend, alert_id)
        if queued and record is not None:
            log.warning("alert %s (%s): resent by %s", record.id, record.ref, who)
            if self.settings.notify_command:
                self.sender.spawn(record)
        return record, queued

    # -- the poll: re-plan and re-arm, never fire --------------------------------------------

    async def _poll_loop(self) -> None:
        while self.running:
            await asyncio.sleep(self.poll_every)
            try:
                await self.sync()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the poll must go on
                log.exception("alert poll failed")

    async def sync(self) -> None:
        """One poll: re-plan what changed, show what others fired; returns once the
        jobs it found due have run.

        The database is read only when something was committed since the last
        poll (the desk's change watch says so for a few microseconds), when a
        full re-plan is due, or when it cannot tell (other databases: always).
        """
        if not self.running:
            return
        if not self._seeded:
            await self._catch_up()
            if not self._seeded:
                return
        try:
            now = self._now()
            full_due = self._last_full is None or now - self._last_full >= self.replan_every
            read = self._need_full or full_due or self._news.moved()
            if read:
                await self._replan_changes(full=self._need_full or full_due)
            self.timer.bring_due(self._now())
            if await self.timer.settled() or read:
                # After the jobs: what another process fired meanwhile (a job that found
                # its alert fired elsewhere shows it here, in this same poll).
                await self.announcer.news()
            now = self._now()
            if self.settings.notify_command and (
                self._last_backlog is None or now - self._last_backlog >= _BACKLOG_EVERY
            ):
                self._last_backlog = now
                await self.sender.backlog(now)
            if not self._need_full:  # else a job met a database error meanwhile
                self.announcer.set_health(True)
        except DB_ERRORS as exc:
            self._need_full = True
            self._news.forget()
            self.announcer.set_health(False, exc)

    async def _replan_changes(self, full: bool) -> None:
        """Re-plan the faults whose events changed since the last poll (all of them: ``full``)."""
        last = await self.db.call(self.desk.reads.last_change)
        if full:
            self._last_change = max(self._last_change, last)
            await self._replan(None)
        elif last != self._last_change:
            after = self._last_change
            if self._news.watch is None:  # not an SQLite file (whose ids commit in order)
                after = max(after - _OVERLAP_EVENTS, 0)
            newest, changed = await self.db.call(self.desk.alerts.changed_faults, after)
            if changed:
                await self._replan(changed)
            self._last_change = max(newest, last)

    async def _catch_up(self) -> None:
        """At start (or the first poll the database answers): plan everything, and
        return once what came due while nothing ran has fired."""
        try:
            self._news.moved()  # what is committed now is read below
            seed = await self.db.call(self.desk.alerts.max_id)
            self._last_change = await self.db.call(self.desk.reads.last_change)
            if not self._seeded:
                self.announcer.seed(seed)
                self._seeded = True
            if self.settings.notify_command:
                # At once, not at the first poll: a restarted watcher reports the
                # deliveries left unknown and sends what nobody sent (before firing
                # anything new, so that those claims are asked for first).
                self._last_backlog = self._now()
                await self.sender.backlog(self._last_backlog)
            await self._replan(None)
            await self.timer.settled()
            await self.announcer.refresh_count()
            if not self._need_full:
                self.announcer.set_health(True)
        except DB_ERRORS as exc:
            self._need_full = True
            self.announcer.set_health(False, exc)

    async def _replan(self, fault_ids: Iterable[int] | None) -> None:
        """Re-plan these faults (None: every open fault) from the database: re-arm their
        jobs, and fire what is due by now, in batches."""
        requested = None if fault_ids is None else set(fault_ids)
        async with self._lock:
            if not self.running:
                return
            policy = self.desk.policy
            outcome = await self.db.call(
                settle.replan, self.desk.alerts, policy, requested, self.clock
            )
            if requested is None:
                self._need_full = False
                self._last_full = self._now()
            await self._apply(outcome, requested)
            await self._fire(outcome)
        if outcome.due or outcome.withdrawn:
            await self.announcer.refresh_count(force=True)

    # -- the trigger: a due job ---------------------------------------------------------------

    async def _job(self, fault_id: int) -> None:
        """A date job came due: fire by the truth (the database) what is due for its fault.

        It settles every fault with an alert due by now, its own among them: jobs
        that come due together (a busy minute, a loop that was held up) are one
        read of the database, not one each; the ones that run after find their
        alert fired and read nothing.
        """
        try:
            async with self._lock:
                if not self.running:
                    return
                due = self.timer.due_faults(self._now())
                if fault_id not in due:  # fired by an earlier job, or not due by the clock yet
                    self.timer.rearm(fault_id)
                if not due:
                    return
                outcome = await self.db.call(
                    settle.replan, self.desk.alerts, self.desk.policy, due, self.clock
                )
                await self._apply(outcome, due)
                await self._fire(outcome)
            if outcome.due or outcome.withdrawn:
                await self.announcer.refresh_count(force=True)
            self.announcer.set_health(True)
        except DB_ERRORS as exc:
            # Not lost: the next poll re-plans everything, firing what is due by then.
            self._need_full = True
            self.announcer.set_health(False, exc)
        except Exception:  # noqa: BLE001 - the same: re-armed by the next poll
            log.exception("alert job failed")
            self._need_full = True

    async def _apply(self, outcome: Outcome, requested: set[int] | None) -> None:
        """Arm what a read planned (faults gone from it: nothing), a slice at a time.

        Arming a job costs APScheduler a fraction of a millisecond: a full re-plan
        of a big desk (thousands of jobs) lets the loop run between slices.
        """
        gone = (self.timer.faults() if requested is None else requested) - set(outcome.plans)
        steps = [(fault_id, ()) for fault_id in gone] + list(outcome.plans.items())
        while steps:
            with self.timer.holding():  # one wake-up of APScheduler per slice
                armed = 0
                while steps and armed < ARM_SLICE:
                    fault_id, plans = steps.pop()
                    self.timer.arm(fault_id, plans)
                    armed += 1 + len(plans)
            if steps:
                await asyncio.sleep(0)
        if outcome.withdrawn:
            self.announcer.withdrawn(outcome.withdrawn)

    async def _fire(self, outcome: Outcome) -> None:
        """Fire what a read found due: ``batch`` alerts per transaction, soonest first.

        Each batch is one call on the database thread; between batches the loop
        serves keys and repaints, and the batch just fired is shown (and sent)
        at once. A catch-up of hundreds is one burst (``bursting``): the console
        shows it as one summary when ``on_burst_end`` says it is over.
        """
        due = outcome.due
        if not due:
            return
        sizes: list[int] = []
        self.bursting = True
        try:
            for start in range(0, len(due), self.batch):
                chunk = due[start : start + self.batch]
                fired = await self.db.call(
                    settle.fire, self.desk.alerts, chunk, outcome.faults, self.clock, self.name
                )
                sizes.append(len(chunk))
                self.announcer.show_batch(fired)
        finally:
            self.bursting = False
            self.last_burst = tuple(sizes)
            tell(self.on_burst_end, "burst end")

    def _now(self) -> datetime:
        return self.clock.now()

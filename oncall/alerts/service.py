"""The alert service: an APScheduler ``AsyncIOScheduler`` on the caller's event loop.

One date-triggered job per pending alert, planned from the database at start
and re-planned whenever a fault changes; the job store is in memory, the
truth in the database. Used by the console (``oncall.tui.alerts_bridge``) and
by ``oncall watch``; several of them may share one database.

How it works:
- ``start()`` (on the running loop): read the newest alert id, plan every open
  fault. Alerts already due fire at once (catch-up, marked late when they are),
  only the highest due threshold of each clock (``plan.select``).
- Every ``poll_every`` seconds (``sync``): ``desk.reads.last_change()``; when it moved,
  re-plan the faults whose events are newer (another console, the CLI); fire
  any plan that is due (a backstop for a job that could not run, a database
  that was down, a test clock that moved); show alerts that other processes
  fired; refresh the count of unacknowledged alerts; pick up notifications
  nobody sent. Every ``replan_every`` seconds, a full re-plan.
- A job (or the backstop) re-reads its fault from the database and fires only
  what is due by the truth: a clock that stopped, paused or moved its deadline
  fires nothing. Firing is an INSERT of the alert's unique key; the process
  whose INSERT wins fired it, the others show the stored row.
- Re-planning a fault also withdraws its fired alerts that the stored history
  now says should not have fired (an entry logged after the fact stopped the
  clock in time: ``plan.withdrawal``). A full re-plan looks only at faults
  with such a back-dated entry (``store.withdrawal_candidates``).
- The notify hook, when configured, is claimed per alert in the database
  (``store.claim_notify``): exactly one process runs it, under a delivery
  supervisor (``deliver``) that outlives this process and records the
  outcome, with a timeout, retried a bounded number of times; at most
  ``NOTIFY_AT_ONCE`` run at the same time (a catch-up never forks dozens). A
  delivery whose supervisor died without an outcome becomes ``unknown``:
  at most once automatically, never resent unless a person asks (``resend``).
- Database calls run on one thread of the service's own, never on the loop. A
  database that is locked or unreachable is logged and retried on the next
  poll; what came due meanwhile fires when it is back (late, and says so).

The clock: ``SystemClock`` (whole seconds) is replaced by ``PreciseClock`` so
that fired instants and lateness are exact. With any other clock (a test's
``FixedClock``) jobs are placed at the real instant the clock's offset gives,
and ``sync()`` fires what the clock says is due; tests move the clock and call it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import getpass
import itertools
import logging
import os
import socket
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy.exc import SQLAlchemyError

from oncall.clock import Clock, PreciseClock, SystemClock
from oncall.desk.alert_views import AlertRecord, FaultInfo, FaultState
from oncall.desk.errors import DeskError
from oncall.sla import evaluate
from oncall.store import StoreError
from oncall.store.health import classify
from oncall.store.watch import ChangeReader

from . import deliver
from .notify import AlertSettings, payload_bytes
from .plan import AlertKey, Plan, plan_fault, select, withdrawal

log = logging.getLogger("oncall.alerts")

DB_ERRORS = (SQLAlchemyError, DeskError, StoreError, OSError)
_OVERLAP_EVENTS = 50  # PostgreSQL: ids may commit out of order; look back this far
_SHOWN_WINDOW = 50  # alerts: look back this many ids for rows committed out of order
_LEASE_FLOOR = timedelta(minutes=15)  # a notify claim older than this may be taken over
NOTIFY_AT_ONCE = 4  # notify commands running at the same time, at most (per process)
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


@dataclass
class _Processed:
    plans: dict[int, tuple[Plan, ...]] = field(default_factory=dict)
    fired: list[tuple[AlertRecord, bool]] = field(default_factory=list)
    withdrawn: list[AlertRecord] = field(default_factory=list)


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
    ) -> None:
        self.desk = desk
        self.clock = precise(clock if clock is not None else getattr(desk, "clock", None))
        self._real = isinstance(self.clock, PreciseClock | SystemClock)
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
        self.scheduler: AsyncIOScheduler | None = None
        self.running = False
        self.started = asyncio.Event()  # set once start() has planned (and caught up)
        self.healthy = True
        self.unacked: int | None = None
        self._plans: dict[int, dict[AlertKey, Plan]] = {}
        self._db: ThreadPoolExecutor | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()
        self._senders = asyncio.Semaphore(NOTIFY_AT_ONCE)
        self._task: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self._seeded = False
        self._closed = False
        self._seed = 0  # the newest alert id at start: older ones are not shown again
        self._watermark = 0
        self._shown: set[int] = set()
        self._notifying: set[int] = set()
        self._held: set[int] = set()  # notify claims taken and not finished
        self._last_change = 0
        self._news = ChangeReader(None)  # commits since the last poll (set up at start)
        # No plan is due before this (a lower bound: plans that went away leave it early).
        self._soonest: datetime | None = None
        self._need_full = True
        self._last_full: datetime | None = None
        self._last_backlog: datetime | None = None
        self._started_at: datetime | None = None

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
        self._loop = asyncio.get_running_loop()
        finder = getattr(self.desk.reads, "change_watch", None)
        self._news = ChangeReader(finder() if finder is not None else None)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oncall-alerts")
        # APScheduler 3: start() takes the running loop. misfire_grace_time=None: a
        # job that runs late still runs (the default 1 s would silently skip it).
        self.scheduler = AsyncIOScheduler(
            event_loop=self._loop,
            timezone=UTC,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self.scheduler.start()
        self.running = True
        self._started_at = self._now()
        await self._initial()
        self._task = self._loop.create_task(self._poll_loop(), name="oncall-alerts-poll")
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
        if self._held and self._db is not None:
            with contextlib.suppress(*DB_ERRORS):
                await self._call(self.desk.alerts.release_notify, self.name, self._held)
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
        if self._held and self._db is not None:
            with contextlib.suppress(Exception):
                self._db.submit(self.desk.alerts.release_notify, self.name, set(self._held))
        self._shutdown()

    def _shutdown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            with contextlib.suppress(Exception):
                self.scheduler.remove_all_jobs()
                self.scheduler.shutdown(wait=False)
        if self._db is not None:
            self._db.shutdown(wait=False)
        self._plans.clear()

    # -- what others ask -------------------------------------------------------------------

    @property
    def tz(self):
        return self.desk.policy.timezone

    def planned(self) -> list[Plan]:
        """Every alert still to come, soonest first."""
        return sorted(
            (p for plans in self._plans.values() for p in plans.values()),
            key=lambda p: (p.planned_at, p.key),
        )

    async def recent(self, limit: int = 200) -> list[AlertRecord]:
        return await self._call(self.desk.alerts.recent, limit)

    async def acknowledge(self, ids: Iterable[int] | None) -> int:
        """Acknowledge alerts (None: all unacknowledged ones) through the desk: an
        audited verb of its acting engineer (``DeskError`` when not on the roster)."""
        chosen = None if ids is None else list(ids)
        done = await self._call(self.desk.alerts.acknowledge, chosen)
        await self._refresh_count(force=True)
        return len(done)

    # -- the poll ----------------------------------------------------------------------------

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
        """One poll: re-plan what changed, fire what is due, show what others fired.

        The database is read only when something was committed since the last
        poll (the desk's change watch says so for a few microseconds), when a
        full re-plan is due, or when it cannot tell (other databases: always).
        """
        if not self.running:
            return
        if not self._seeded:
            await self._initial()
            if not self._seeded:
                return
        try:
            now = self._now()
            full_due = self._last_full is None or now - self._last_full >= self.replan_every
            moved = self._news.moved()
            if self._need_full or full_due or moved:
                await self._read_news(full=self._need_full or full_due)
            now = self._now()
            if self._soonest is not None and self._soonest <= now:
                due = [
                    fid
                    for fid, plans in self._plans.items()
                    if any(p.planned_at <= now for p in plans.values())
                ]
                if due:
                    await self._process(due)
                self._soonest = min(
                    (p.planned_at for plans in self._plans.values() for p in plans.values()),
                    default=None,
                )
            if self.settings.notify_command and (
                self._last_backlog is None or now - self._last_backlog >= timedelta(seconds=5)
            ):
                self._last_backlog = now
                await self._notify_backlog(now)
            self._set_health(True)
        except DB_ERRORS as exc:
            self._need_full = True
            self._news.forget()
            self._set_health(False, exc)

    async def _read_news(self, full: bool) -> None:
        """Re-plan the faults that changed (all of them: ``full``); show what others fired."""
        engine = self.desk.engine
        last = await self._call(self.desk.reads.last_change)
        if full:
            self._last_change = max(self._last_change, last)
            await self._process(None)
        elif last != self._last_change:
            after = self._last_change
            if engine.dialect.name != "sqlite":
                after = max(after - _OVERLAP_EVENTS, 0)
            newest, changed = await self._call(self.desk.alerts.changed_faults, after)
            if changed:
                await self._process(changed)
            self._last_change = max(newest, last)
        await self._poll_alerts()

    async def _initial(self) -> None:
        try:
            self._news.moved()  # what is committed now is read below
            seed = await self._call(self.desk.alerts.max_id)
            self._last_change = await self._call(self.desk.reads.last_change)
            if not self._seeded:
                self._seed = self._watermark = seed
                self._seeded = True
            if self.settings.notify_command:
                # At once, not at the first poll: a restarted watcher reports the
                # deliveries left unknown and sends what nobody sent (before firing
                # anything new, so that those claims are asked for first).
                self._last_backlog = self._now()
                await self._notify_backlog(self._last_backlog)
            await self._process(None)
            await self._refresh_count()
            self._set_health(True)
        except DB_ERRORS as exc:
            self._need_full = True
            self._set_health(False, exc)

    # -- planning and firing ------------------------------------------------------------------

    async def _process(self, fault_ids: Iterable[int] | None) -> None:
        """Re-plan these faults (None: every open fault) from the database, fire what is due."""
        requested = None if fault_ids is None else set(fault_ids)
        async with self._lock:
            if not self.running:
                return
            result = await self._call(self._process_sync, requested)
            if requested is None:
                self._need_full = False
                self._last_full = self._now()
            gone = (set(self._plans) if requested is None else requested) - set(result.plans)
            for fid in gone:
                self._set_jobs(fid, ())
            for fid, plans in result.plans.items():
                self._set_jobs(fid, plans)
            for record, won in result.fired:
                self._emit(record, won)
            if result.withdrawn:
                self._withdrawn(result.withdrawn)
        if result.fired or result.withdrawn:
            await self._refresh_count(force=True)

    def _process_sync(self, fault_ids: set[int] | None) -> _Processed:
        """On the database thread: the truth -> plans and fired alerts."""
        policy = self.desk.policy
        now = self._now()  # here, not when queued: what is due by the time the thread runs
        states = self.desk.alerts.open_faults(fault_ids)
        keys, crossings = self.desk.alerts.fired_for([s.info.id for s in states])
        out = _Processed()
        due: list[tuple[Plan, FaultInfo]] = []
        for state in states:
            try:
                clocks = evaluate(policy, state.history, now, thresholds=True)
            except ValueError as exc:
                log.error("%s: cannot evaluate its clocks, no alerts: %s", state.info.ref, exc)
                continue
            plans = plan_fault(policy, state.info.id, state.history, clocks)
            chosen = select(plans, keys, crossings, now)
            out.plans[state.info.id] = chosen.later
            due.extend((plan, state.info) for plan in chosen.fire)
        # Before firing: what a back-dated entry took back is never sent meanwhile.
        out.withdrawn = self._withdraw_sync(fault_ids, states, now)
        for plan, info in sorted(due, key=lambda d: (d[0].planned_at, d[0].key)):
            out.fired.append(self.desk.alerts.insert(plan, info, self._now(), self.name))
        return out

    def _withdraw_sync(
        self, fault_ids: set[int] | None, known: list[FaultState], now: datetime
    ) -> list[AlertRecord]:
        """Withdraw the fired alerts of these faults that their history takes back."""
        policy = self.desk.policy
        candidates = self.desk.alerts.withdrawal_candidates(fault_ids)
        if not candidates:
            return []
        alerts = self.desk.alerts.live(candidates)
        states = {s.info.id: s for s in known if s.info.id in candidates}
        states.update((s.info.id, s) for s in self.desk.alerts.faults(candidates - set(states)))
        reasons: dict[int, str] = {}
        clocks_of: dict[int, Any] = {}
        for alert in alerts:
            state = states.get(alert.fault_id)
            if state is None:
                continue
            if alert.fault_id not in clocks_of:
                try:
                    clocks_of[alert.fault_id] = evaluate(policy, state.history, now)
                except ValueError:
                    clocks_of[alert.fault_id] = None  # logged by the planning above
            clocks = clocks_of[alert.fault_id]
            if clocks is None:
                continue
            reason = withdrawal(
                policy,
                state.history,
                clocks,
                alert.clock,
                alert.threshold,
                alert.deadline,
                alert.planned_at,
            )
            if reason is not None:
                reasons[alert.id] = reason
        return self.desk.alerts.withdraw(reasons, now)

    def _set_jobs(self, fault_id: int, plans: Iterable[Plan]) -> None:
        old = self._plans.pop(fault_id, {})
        new = {p.key: p for p in plans}
        scheduler = self.scheduler
        for key, plan in old.items():
            if key not in new or new[key].planned_at != plan.planned_at:
                with contextlib.suppress(JobLookupError):
                    scheduler.remove_job(key.job_id)
        for key, plan in new.items():
            same = key in old and old[key].planned_at == plan.planned_at
            if same and scheduler.get_job(key.job_id) is not None:
                continue
            scheduler.add_job(
                self._job,
                DateTrigger(run_date=self._run_date(plan.planned_at), timezone=UTC),
                args=[fault_id],
                id=key.job_id,
                name=f"{key.clock} {key.threshold} of fault {fault_id}",
                replace_existing=True,
                misfire_grace_time=None,
            )
        if new:
            self._plans[fault_id] = new
            soonest = min(p.planned_at for p in new.values())
            if self._soonest is None or soonest < self._soonest:
                self._soonest = soonest

    def _run_date(self, planned: datetime) -> datetime:
        if self._real:
            return planned
        # APScheduler runs on real time: place the job at the clock's offset from it.
        return PreciseClock().now() + (planned - self.clock.now())

    async def _job(self, fault_id: int) -> None:
        """A date job came due: fire by the truth (the database) what is due for its fault."""
        try:
            await self._process([fault_id])
            self._set_health(True)
        except DB_ERRORS as exc:
            # Not lost: the plan stays, and the next poll fires it once the database is back.
            self._need_full = True
            self._set_health(False, exc)

    # -- showing -----------------------------------------------------------------------------

    def _emit(self, record: AlertRecord, won: bool) -> None:
        if record.id in self._shown:
            return
        self._watermark = max(self._watermark, record.id)
        fresh = won or record.id > self._seed
        if not fresh and self._started_at is not None and record.fired_at < self._started_at:
            return  # fired before this process started: in the list, not shown again
        self._shown.add(record.id)
        if len(self._shown) > 4 * _SHOWN_WINDOW:
            floor = self._watermark - 2 * _SHOWN_WINDOW
            self._shown = {i for i in self._shown if i > floor}
        if won:
            log.info(
                "alert %s: %s %s of %s (deadline %s)%s",
                record.id,
                record.threshold,
                record.clock,
                record.ref,
                record.deadline.isoformat(),
                f", late by {record.late_seconds:.0f} s" if record.late else "",
            )
        for listener in list(self.on_alert):
            try:
                listener(record)
            except Exception:  # noqa: BLE001 - one listener must not stop the others
                log.exception("alert listener failed")
        if self.settings.notify_command:
            self._spawn_notify(record)

    async def _poll_alerts(self) -> None:
        """Show what other processes fired and refresh the count: one database call."""
        low = max(self._watermark - _SHOWN_WINDOW, self._seed)
        records, unacked = await self._call(self.desk.alerts.news, low)
        for record in records:
            self._emit(record, False)
        self._set_count(unacked)

    async def _refresh_count(self, force: bool = False) -> None:
        if not self.on_count:
            return
        try:
            count = await self._call(self.desk.alerts.unacked_count)
        except DB_ERRORS as exc:
            if force:
                self._set_health(False, exc)
                return
            raise
        self._set_count(count)

    def _set_count(self, count: int) -> None:
        if not self.on_count:
            return
        if count != self.unacked:
            self.unacked = count
            for listener in list(self.on_count):
                try:
                    listener(count)
                except Exception:  # noqa: BLE001
                    log.exception("alert count listener failed")

    def _set_health(self, ok: bool, exc: BaseException | None = None) -> None:
        if not ok and exc is not None and self.on_damaged and classify(exc) == "damaged":
            for listener in list(self.on_damaged):  # waiting will not mend it: they say so
                listener(exc)
            return
        if ok == self.healthy:
            return
        self.healthy = ok
        error = None if exc is None else _one_line(exc)
        if ok:
            log.warning("database available again: alerts are back on schedule")
        else:
            log.warning("database unavailable, retrying every %g s: %s", self.poll_every, error)
        for listener in list(self.on_health):
            try:
                listener(ok, error)
            except Exception:  # noqa: BLE001
                log.exception("health listener failed")

    # -- the notify hook -----------------------------------------------------------------------

    @property
    def _lease(self) -> timedelta:
        s = self.settings
        attempts = s.notify_retries + 1
        backoff = sum(self.notify_backoff * 2**i for i in range(s.notify_retries))
        return max(timedelta(seconds=s.notify_timeout * attempts + backoff + 60), _LEASE_FLOOR)

    def _withdrawn(self, records: list[AlertRecord]) -> None:
        for record in records:
            log.info(
                "alert %s (%s %s of %s): withdrawn: %s",
                record.id,
                record.threshold,
                record.clock,
                record.ref,
                record.withdrawn_reason,
            )
        for listener in list(self.on_withdrawn):
            try:
                listener(records)
            except Exception:  # noqa: BLE001
                log.exception("withdrawn listener failed")

    def _spawn_notify(self, record: AlertRecord) -> None:
        if record.withdrawn:
            return  # taken back by the history: the claim would refuse it anyway
        if record.id in self._notifying or record.notify_state in ("sent", "failed", "unknown"):
            return
        if not self.running or self._loop is None:
            return
        self._notifying.add(record.id)
        task = self._loop.create_task(self._notify(record), name=f"oncall-notify-{record.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify_backlog(self, now: datetime) -> None:
        """Claims whose sender died mid-send become unknown; send what nobody sent."""
        self._unknown(await self._call(self.desk.alerts.mark_unknown, now - self._lease, now))
        rows = await self._call(
            self.desk.alerts.notify_backlog, now - self.notify_backlog, now - self._lease
        )
        for record in rows:
            self._spawn_notify(record)

    async def resend(self, alert_id: int) -> tuple[AlertRecord | None, bool]:
        """The desk's engineer asks to send an ``unknown`` or ``failed`` alert again.

        Audited (``alert_resend``) and on the row; (the alert or None, True if
        it was queued). Sent at once when this process has a notify command,
        else by the next watcher or console that has one.
        """
        who = self.desk.user
        queued, record = await self._call(self.desk.alerts.resend, alert_id)
        if queued and record is not None:
            log.warning("alert %s (%s): resent by %s", record.id, record.ref, who)
            if self.settings.notify_command:
                self._spawn_notify(record)
        return record, queued

    async def _notify(self, record: AlertRecord) -> None:
        async with self._senders:  # the claim's lease starts when the sending can
            await self._send(record)

    async def _send(self, record: AlertRecord) -> None:
        """Claim the alert, hand it to a delivery supervisor, report what it recorded.

        The supervisor (``deliver``) runs the command and writes the outcome to
        the row itself, so the outcome is kept even if this process is killed;
        a stop cancels only the waiting here, never the supervisor.
        """
        try:
            now = self._now()
            claimed = await self._call(
                self.desk.alerts.claim_notify, record.id, self.name, now, now - self._lease
            )
            if not claimed:
                return
            self._held.add(record.id)
            try:
                proc = deliver.spawn(self._delivery_job(record, now), quiet=self.kind == "console")
            except OSError as exc:
                log.error("alert %s: cannot start the delivery: %s", record.id, exc)
                await self._call(self.desk.alerts.release_notify, self.name, [record.id])
                self._held.discard(record.id)
                return
            code = await deliver.wait_exit(proc)
            self._held.discard(record.id)
            done = await self._db_retry(self.desk.alerts.by_id, record.id)
            if done is not None and done.notify_state == "sending":  # it died, no outcome
                state = await self._db_retry(
                    self.desk.alerts.supervisor_gone, record.id, self.name, self._now()
                )
                done = replace(done, notify_state=state)
            self._report(done or record, code)
        except DB_ERRORS as exc:
            # The claim (if taken) stays until its lease runs out; then it is taken over
            # (the command never started) or marked unknown (it did).
            log.warning("alert %s: notify: database unavailable: %s", record.id, _one_line(exc))
        finally:
            self._notifying.discard(record.id)

    def _delivery_job(self, record: AlertRecord, now: datetime) -> deliver.Job:
        settings = self.settings
        return deliver.Job(
            url=self.desk.engine.url.render_as_string(hide_password=False),
            alert=record.id,
            claim=self.name,
            command=settings.notify_command or "",
            timeout=settings.notify_timeout,
            retries=settings.notify_retries,
            backoff=self.notify_backoff,
            payload=payload_bytes(record, self.tz).decode("utf-8"),
            at=None if self._real else now.isoformat(),
        )

    def _report(self, record: AlertRecord, code: int) -> None:
        what = f"alert {record.id} ({record.threshold} {record.clock} of {record.ref})"
        state = record.notify_state
        if state == "sent":
            log.info("%s: notify command done", what)
        elif state == "failed":
            log.error(
                "%s: the notify command failed %d times, giving up: %s",
                what,
                record.notify_attempts,
                record.notify_error,
            )
            for listener in list(self.on_notify_failed):
                try:
                    listener(record, record.notify_error or "")
                except Exception:  # noqa: BLE001
                    log.exception("notify listener failed")
        elif state == "unknown":
            self._unknown([record])
        elif code == deliver.CLAIM_GONE:
            log.info("%s: the claim was taken elsewhere; its outcome is not this one", what)
        else:
            log.warning("%s: the delivery did not start (exit %s); it will be retried", what, code)

    def _unknown(self, records: Iterable[AlertRecord]) -> None:
        for record in records:
            log.warning(
                "alert %s (%s %s of %s): delivery unknown: its sender stopped mid-send; "
                "not resent automatically (resend it with `oncall alert resend %s` "
                "or in the alerts screen, or acknowledge it)",
                record.id,
                record.threshold,
                record.clock,
                record.ref,
                record.id,
            )
            for listener in list(self.on_notify_unknown):
                try:
                    listener(record)
                except Exception:  # noqa: BLE001
                    log.exception("notify listener failed")

    async def _db_retry(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A write that must not be lost to a briefly locked database (a few tries)."""
        delay = 0.5
        for attempt in range(6):
            try:
                return await self._call(fn, *args, **kwargs)
            except DB_ERRORS:
                if attempt == 5:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    # -- plumbing --------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.clock.now()

    async def _call(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if self._db is None:
            raise RuntimeError("the alert service is not started")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db, functools.partial(fn, *args, **kwargs))


def _one_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__

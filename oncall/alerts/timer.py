"""The alert service's only timer: APScheduler's ``AsyncIOScheduler`` on the service's loop.

One date job per alert to come (``Plan``) within the horizon the service gives
(twice its full re-plan's period), its id the alert's key (``AlertKey.job_id``),
kept in memory: the truth is the database. A job
that comes due runs the service's settle step, which fires by the database
what is due for its fault; a re-plan arms the alerts still to come here
(``arm``) and fires those it found due itself, from the same read.

- A plan already due when it is armed (a job's fault re-armed before its
  plan was due) gets a job that is due at once; APScheduler runs it on its next
  wake-up, late, which is why every job has ``misfire_grace_time=None``
  (APScheduler 3's default of 1 s would skip a job that runs later than
  that, silently). A date trigger has one run time, so ``coalesce`` changes
  nothing; it is set for the record.
- The service's clock may not be the real one (a test's ``FixedClock``):
  APScheduler runs on real time, so a job is placed at the real instant the
  clock's offset gives, and ``bring_due`` moves the jobs of plans that the
  clock says are due to now (``reschedule_job``) after the clock moved.
- ``settled()`` waits until every job that was due when armed or brought due
  has run: APScheduler tells when each run ended (``EVENT_JOB_EXECUTED`` or
  ``EVENT_JOB_ERROR``, or ``EVENT_JOB_MAX_INSTANCES`` when it was skipped),
  keyed by the job id and the run time it was scheduled for. ``sync()`` and
  ``start()`` return after it, so what they found due has fired by then.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING
from apscheduler.triggers.date import DateTrigger

from oncall.clock import Clock, PreciseClock, SystemClock

from .plan import AlertKey, Plan

_ENDED = EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
# Runs of one job at the same time: a job re-armed while its last run still ends
# (the settle steps take the service's lock in turn, so they never overlap).
_INSTANCES = 4


class Timer:
    """The date jobs of the alerts to come; ``job(fault_id)`` is what a due job runs."""

    def __init__(
        self,
        clock: Clock,
        job: Callable[[int], Awaitable[None]],
        horizon: timedelta | None = None,
    ) -> None:
        self.clock = clock
        self.job = job
        # Jobs only for plans due within ``horizon``: the service re-plans every open
        # fault more often than that, and each re-plan arms what has come within it.
        # A big desk has thousands of alerts to come, most of them days away; a job
        # costs APScheduler 0.16 ms on the loop (1,221 of them: 196 ms at a start).
        self.horizon = horizon
        self.real = isinstance(clock, PreciseClock | SystemClock)
        self.scheduler: AsyncIOScheduler | None = None
        self._plans: dict[int, dict[AlertKey, Plan]] = {}
        self._expected: dict[str, datetime] = {}  # job id -> the due run not yet ended
        self._idle = asyncio.Event()
        self._idle.set()

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the running loop (APScheduler 3 takes it as ``event_loop``)."""
        self.scheduler = AsyncIOScheduler(
            event_loop=loop,
            timezone=UTC,
            job_defaults={
                "misfire_grace_time": None,
                "coalesce": True,
                "max_instances": _INSTANCES,
            },
        )
        self.scheduler.add_listener(self._ended, _ENDED)
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            with contextlib.suppress(Exception):
                self.scheduler.remove_all_jobs()
                self.scheduler.shutdown(wait=False)
        self._plans.clear()
        self._expected.clear()
        self._idle.set()  # nothing will run: nobody waits for it

    # -- the plans ------------------------------------------------------------------------

    def planned(self) -> list[Plan]:
        """Every alert still to come, soonest first."""
        return sorted(
            (p for plans in self._plans.values() for p in plans.values()),
            key=lambda p: (p.planned_at, p.key),
        )

    def faults(self) -> set[int]:
        """The faults with an alert to come."""
        return set(self._plans)

    def due_faults(self, now: datetime) -> set[int]:
        """The faults with an alert due by ``now``."""
        return {
            fid
            for fid, plans in self._plans.items()
            if any(p.planned_at <= now for p in plans.values())
        }

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Arm many jobs with one wake-up of the scheduler, not one each.

        APScheduler wakes up (a call on the loop that looks at every due job) for
        each job added while it runs; paused, it wakes up once, on resuming. A
        scheduler paused by someone else is left paused.
        """
        scheduler = self.scheduler
        if scheduler is None or scheduler.state != STATE_RUNNING:
            yield
            return
        scheduler.pause()
        try:
            yield
        finally:
            if scheduler.state == STATE_PAUSED:
                scheduler.resume()

    def rearm(self, fault_id: int) -> None:
        """Jobs again for the fault's plans that lost theirs (a job ran before its plan was due)."""
        self.arm(fault_id, tuple(self._plans.get(fault_id, {}).values()))

    def arm(self, fault_id: int, plans: Iterable[Plan]) -> None:
        """The fault's alerts to come are ``plans`` now: jobs added, moved or removed."""
        old = self._plans.pop(fault_id, {})
        new = {p.key: p for p in plans}
        scheduler = self.scheduler
        if scheduler is None:
            return
        for key in old.keys() - new.keys():
            self._cancel(key.job_id)
        now = self.clock.now()
        latest = now + self.horizon if self.horizon is not None else None
        for key, plan in new.items():
            job = scheduler.get_job(key.job_id)
            if job is None:
                if latest is not None and plan.planned_at > latest:
                    continue  # kept in the plans; a later re-plan arms it
                job = scheduler.add_job(
                    self.job,
                    DateTrigger(run_date=self._run_date(plan.planned_at), timezone=UTC),
                    args=[fault_id],
                    id=key.job_id,
                    name=f"{key.clock} {key.threshold} of fault {fault_id}",
                    replace_existing=True,
                    misfire_grace_time=None,
                )
            elif old.get(key) != plan:  # same alert, another instant
                job = self._move(job, self._run_date(plan.planned_at))
            if plan.planned_at <= now:
                self._bring(job)
        if new:
            self._plans[fault_id] = new

    def bring_due(self, now: datetime) -> None:
        """Jobs of plans due by the clock run now (a test clock moved; the real one: as placed)."""
        if self.real or self.scheduler is None:
            return
        for plans in self._plans.values():
            for plan in plans.values():
                if plan.planned_at <= now:
                    # None: running now, or it ran and failed (the poll re-arms it).
                    job = self.scheduler.get_job(plan.key.job_id)
                    if job is not None:
                        self._bring(job)

    async def settled(self) -> bool:
        """Return once every job that was due when armed or brought due has run
        (True: there were some)."""
        waited = bool(self._expected)
        while self._expected:
            self._idle.clear()
            await self._idle.wait()
        return waited

    # -- the jobs -------------------------------------------------------------------------

    def _run_date(self, planned: datetime) -> datetime:
        if self.real:
            return planned
        # APScheduler runs on real time: place the job at the clock's offset from it.
        return PreciseClock().now() + (planned - self.clock.now())

    def _bring(self, job: Job) -> None:
        """A due job: run it now if it waits for later, and wait for its run."""
        now = PreciseClock().now()
        if job.next_run_time is not None and job.next_run_time > now:
            job = self._move(job, now)
        if job.next_run_time is not None:
            self._expected[job.id] = job.next_run_time

    def _move(self, job: Job, run_date: datetime) -> Job:
        assert self.scheduler is not None
        return self.scheduler.reschedule_job(job.id, trigger="date", run_date=run_date)

    def _cancel(self, job_id: str) -> None:
        assert self.scheduler is not None
        try:
            self.scheduler.remove_job(job_id)
        except JobLookupError:
            return  # running now (APScheduler drops a date job as it starts it), or gone
        self._done(job_id, self._expected.get(job_id))

    def _ended(self, event: JobExecutionEvent | JobSubmissionEvent) -> None:
        """APScheduler's listener: a run ended, or was skipped."""
        if isinstance(event, JobSubmissionEvent):
            for run_time in event.scheduled_run_times:
                self._done(event.job_id, run_time)
        else:
            self._done(event.job_id, event.scheduled_run_time)

    def _done(self, job_id: str, run_time: datetime | None) -> None:
        if run_time is not None and self._expected.get(job_id) == run_time:
            del self._expected[job_id]
            if not self._expected:
                self._idle.set()

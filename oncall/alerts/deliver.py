"""The delivery supervisor: runs the notify command of one alert and records the outcome.

The process that claimed the alert (``store.claim_notify``) starts it with
``spawn``: ``python -m oncall.alerts.deliver``, in a session of its own, the
job as JSON on stdin. It does not depend on its parent: a watcher killed with
``kill -9`` mid-send leaves it running, and it writes the outcome itself.

1. ``begin``: write its pid and host into the row, guarded by the claim (state
   ``sending``, ``notify_by`` the claimer, no pid yet) and by the alert not
   being withdrawn. A claim that is gone (given back at a clean stop, taken
   over after its lease) or an alert withdrawn meanwhile runs nothing.
2. Run the command (``hook.run_hook``) with the settings' timeout and retries.
3. ``finish``: write ``sent`` or ``failed`` with the attempts, the last exit
   status and error, guarded by the claim; over ``unknown`` too, since the
   real outcome is better than a guess.

If it dies between 1 and 3, nothing tells whether the page went out: once
the claim's lease has run out a watcher or console marks the alert
``unknown`` (``store.mark_unknown``); it is never resent automatically.

Exit status: 0 the outcome is recorded; 3 the claim was gone (before the
command ran, or taken by a resend before the outcome could be written); 1 the
outcome could not be written (the database stayed unreachable).

This module imports only SQLAlchemy's core and small modules of its own,
so that a supervisor starts in a fraction of a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, and_, column, table, update
from sqlalchemy.exc import SQLAlchemyError

from oncall.clock import Clock, FixedClock, PreciseClock
from oncall.store.db import make_engine, write_engine
from oncall.store.types import UTCDateTime

from .hook import HookResult, run_hook

CLAIM_GONE = 3
NOT_RECORDED = 1

# The columns of ``alert`` this process writes (the table model would cost its
# imports; ``tests/test_alerts_delivery.py`` checks these names against it).
_ALERT = table(
    "alert",
    column("id", Integer),
    column("notify_state", String),
    column("notify_by", String),
    column("notify_pid", Integer),
    column("notify_host", String),
    column("notify_attempts", Integer),
    column("notify_exit", Integer),
    column("notify_error", Text),
    column("notify_done_at", UTCDateTime),
    column("withdrawn_at", UTCDateTime),
)


@dataclass(frozen=True)
class Job:
    """What a supervisor needs: where the row is, whose claim, what to run."""

    url: str  # the database (passed on stdin, never on the command line: it may hold a password)
    alert: int
    claim: str  # ``notify_by`` of the claim it works for
    command: str
    timeout: float
    retries: int
    backoff: float  # seconds before the first retry, doubled each time
    payload: str  # the alert's JSON line, for the command's stdin
    at: str | None = None  # a fixed clock's instant (tests, ``ONCALL_NOW``); None: real time
    batch: list[int] | None = None  # ``notify_batch``: the run's alerts (``alert``: the first)

    @property
    def ids(self) -> list[int]:
        return list(self.batch) if self.batch else [self.alert]


def spawn(job: Job, *, quiet: bool = False) -> subprocess.Popen:
    """Start a supervisor for ``job``; it goes on by itself if this process dies.

    A plain ``Popen``, not an asyncio subprocess: asyncio kills the children
    of its transports when the loop closes, and a clean stop must not.
    ``quiet``: its stderr (a line when it cannot record) goes nowhere, not to
    the terminal a console is drawing on.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "oncall.alerts.deliver"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if quiet else None,
        start_new_session=True,  # no terminal signal, no process-group kill reaches it
        close_fds=True,
    )
    try:
        proc.stdin.write(json.dumps(asdict(job)).encode("utf-8"))
    finally:
        proc.stdin.close()
    return proc


async def wait_exit(proc: subprocess.Popen) -> int:
    """Its exit status, without blocking the loop (a pidfd turns readable at exit)."""
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):  # no pidfd (old kernel): look now and then
        while proc.poll() is None:
            await asyncio.sleep(0.2)
        return proc.returncode
    loop = asyncio.get_running_loop()
    exited = loop.create_future()
    loop.add_reader(fd, lambda: exited.done() or exited.set_result(None))
    try:
        await exited
    finally:
        loop.remove_reader(fd)
        os.close(fd)
    return proc.wait()


# -- the supervisor's side ---------------------------------------------------------------


def _claim(job: Job):
    return and_(_ALERT.c.id.in_(job.ids), _ALERT.c.notify_by == job.claim[:200])


def begin(engine, job: Job, pid: int, host: str) -> bool:
    """Mark the claim started by this supervisor; False if the claim is gone or the
    alert was withdrawn (its clock stopped in time, by a later entry)."""
    with write_engine(engine).begin() as conn:
        return (
            conn.execute(
                update(_ALERT)
                .where(
                    _claim(job),
                    _ALERT.c.notify_state == "sending",
                    _ALERT.c.notify_pid.is_(None),
                    _ALERT.c.withdrawn_at.is_(None),
                )
                .values(notify_pid=pid, notify_host=host[:255])
            ).rowcount
            >= 1  # a batch: those of its alerts still claimed and not withdrawn
        )


def progress(engine, job: Job, attempts: int, result: HookResult) -> None:
    """A failed attempt, kept on the row while the next one waits."""
    with write_engine(engine).begin() as conn:
        conn.execute(
            update(_ALERT)
            .where(_claim(job), _ALERT.c.notify_state == "sending")
            .values(notify_attempts=attempts, notify_exit=result.status, notify_error=result.error)
        )


def finish(engine, job: Job, attempts: int, result: HookResult, at: datetime) -> bool:
    """The outcome; False if the claim is no longer this job's."""
    with write_engine(engine).begin() as conn:
        return (
            conn.execute(
                update(_ALERT)
                .where(_claim(job), _ALERT.c.notify_state.in_(("sending", "unknown")))
                .values(
                    notify_state="sent" if result.ok else "failed",
                    notify_attempts=attempts,
                    notify_exit=result.status,
                    notify_error=result.error,
                    notify_done_at=at,
                )
            ).rowcount
            >= 1
        )


def _persist(fn: Callable[..., Any], *args: Any, tries: int = 8) -> Any:
    """A write that must not be lost to a briefly locked database (a growing pause)."""
    delay = 0.25
    for attempt in range(tries):
        try:
            return fn(*args)
        except SQLAlchemyError:
            if attempt == tries - 1:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
    return None


async def attempts(
    job: Job, on_failure: Callable[[int, HookResult], None]
) -> tuple[int, HookResult]:
    """Run the command up to ``1 + retries`` times: (runs made, the last result)."""
    data = job.payload.encode("utf-8")
    runs = job.retries + 1
    result = HookResult(False, "not run")
    for attempt in range(1, runs + 1):
        result = await run_hook(job.command, data, job.timeout)
        if result.ok:
            return attempt, result
        on_failure(attempt, result)
        if attempt < runs:
            await asyncio.sleep(job.backoff * 2 ** (attempt - 1))
    return runs, result


def supervise(job: Job, clock: Clock | None = None) -> int:
    """Everything a supervisor does; returns its exit status."""
    clock = clock or (FixedClock(datetime.fromisoformat(job.at)) if job.at else PreciseClock())
    engine = make_engine(job.url)
    try:
        try:
            if not _persist(begin, engine, job, os.getpid(), socket.gethostname()):
                return CLAIM_GONE
        except SQLAlchemyError as exc:
            _say(job, f"cannot mark the delivery started, nothing sent: {_one_line(exc)}")
            return NOT_RECORDED  # nothing ran; the claimer gives the claim back

        def failed(attempt: int, result: HookResult) -> None:
            with contextlib.suppress(SQLAlchemyError):  # only progress: the outcome counts
                progress(engine, job, attempt, result)

        runs, result = asyncio.run(attempts(job, failed))
        outcome = "sent" if result.ok else "failed"
        try:
            if not _persist(finish, engine, job, runs, result, clock.now()):
                _say(job, f"{outcome}, not recorded: the claim was taken meanwhile")
                return CLAIM_GONE
        except SQLAlchemyError as exc:
            _say(job, f"{outcome}, but cannot record it: {_one_line(exc)}")
            return NOT_RECORDED
        return 0
    finally:
        engine.dispose()


def _say(job: Job, text: str) -> None:
    print(f"oncall deliver: alert {job.alert}: {text}", file=sys.stderr, flush=True)


def _one_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def main() -> int:
    try:
        job = Job(**json.loads(sys.stdin.buffer.read()))
    except (ValueError, TypeError) as exc:
        print(f"oncall deliver: a bad job on stdin: {exc}", file=sys.stderr)
        return 2
    return supervise(job)


if __name__ == "__main__":
    sys.exit(main())

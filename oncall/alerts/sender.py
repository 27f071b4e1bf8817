"""The alert service's side of the notify hook: claim, hand over, report.

The hook, when configured, is claimed per alert in the database
(``desk.alerts.claim_notify``): exactly one process runs it, under a delivery
supervisor (``deliver``) that outlives this process and records the outcome
(with ``notify_batch``: a batch of alerts claimed at once, one run of the
command with a JSON array, its outcome written to each of them),
with a timeout, retried a bounded number of times; at most ``NOTIFY_AT_ONCE``
run at the same time (a catch-up never forks dozens). A delivery whose
supervisor died without an outcome becomes ``unknown``: at most once
automatically, never resent unless a person asks (``resend``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from oncall.desk.alert_views import AlertRecord

from . import deliver
from .announce import tell
from .dbthread import DB_ERRORS, one_line
from .notify import batch_bytes, payload_bytes

if TYPE_CHECKING:
    from .service import AlertService

log = logging.getLogger("oncall.alerts")

_LEASE_FLOOR = timedelta(minutes=15)  # a notify claim older than this may be taken over
NOTIFY_AT_ONCE = 4  # notify commands running at the same time, at most (per process)


class Sender:
    """Sends the alerts of one service through the notify command, each once."""

    def __init__(self, service: AlertService, tasks: set[asyncio.Task]) -> None:
        self.service = service
        self.tasks = tasks  # the service's: cancelled at its stop
        self.notifying: set[int] = set()  # sends under way or queued
        self.held: set[int] = set()  # notify claims taken and not finished
        self._senders = asyncio.Semaphore(NOTIFY_AT_ONCE)

    @property
    def lease(self) -> timedelta:
        """How long a claim is this process's: every attempt, the pauses, and a margin."""
        s = self.service.settings
        attempts = s.notify_retries + 1
        backoff = sum(self.service.notify_backoff * 2**i for i in range(s.notify_retries))
        return max(timedelta(seconds=s.notify_timeout * attempts + backoff + 60), _LEASE_FLOOR)

    def send(self, records: list[AlertRecord]) -> None:
        """Send these alerts: each in a task of its own, or (``notify_batch``) all of
        them in one run of the command, as a JSON array."""
        if self.service.settings.notify_batch:
            todo = [r for r in records if self._wanted(r)]
            if todo:
                self._start(self._notify(todo), todo)
            return
        for record in records:
            self.spawn(record)

    def spawn(self, record: AlertRecord) -> None:
        """Send it in a task of its own, unless it is taken back, done, or under way."""
        if not self.service.settings.notify_batch:
            if self._wanted(record):
                self._start(self._notify([record]), [record])
        else:
            self.send([record])

    def _wanted(self, record: AlertRecord) -> bool:
        service = self.service
        if record.withdrawn:
            return False  # taken back by the history: the claim would refuse it anyway
        if record.id in self.notifying or record.notify_state in ("sent", "failed", "unknown"):
            return False
        return service.running and service.loop is not None

    def _start(self, coro, records: list[AlertRecord]) -> None:
        assert self.service.loop is not None
        self.notifying.update(r.id for r in records)
        task = self.service.loop.create_task(coro, name=f"oncall-notify-{records[0].id}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def backlog(self, now: datetime) -> None:
        """Claims whose sender died mid-send become unknown; send what nobody sent."""
        service = self.service
        self.unknown(await service.db.call(service.desk.alerts.mark_unknown, now - self.lease, now))
        rows = await service.db.call(
            service.desk.alerts.notify_backlog, now - service.notify_backlog, now - self.lease
        )
        self.send(rows)

    async def release(self) -> None:
        """Give back the claims whose command has not started (a clean stop)."""
        if self.held and self.service.db.started:
            await self.service.db.call(
                self.service.desk.alerts.release_notify, self.service.name, self.held
            )

    def release_soon(self) -> None:
        """``release`` without waiting (a synchronous stop)."""
        if self.held:
            self.service.db.submit(
                self.service.desk.alerts.release_notify, self.service.name, set(self.held)
            )

    async def _notify(self, records: list[AlertRecord]) -> None:
        async with self._senders:  # the claim's lease starts when the sending can
            try:
                await self._send(records)
            finally:
                self.notifying.difference_update(r.id for r in records)

    async def _send(self, records: list[AlertRecord]) -> None:
        """Claim the alerts, hand them to a delivery supervisor, report what it recorded.

        One alert (a JSON object), or with ``notify_batch`` a batch (a JSON array
        of those of them this process claimed: one run of the command). The
        supervisor (``deliver``) runs the command and writes the outcome to the
        rows itself, so the outcome is kept even if this process is killed; a
        stop cancels only the waiting here, never the supervisor.
        """
        service = self.service
        db, me = service.db, service.name
        first = records[0]
        try:
            now = service.clock.now()
            stale = now - self.lease
            if service.settings.notify_batch:
                ids = [r.id for r in records]
                claim = service.desk.alerts.claim_notify_many
                claimed = set(await db.call(claim, ids, me, now, stale))
                records = [r for r in records if r.id in claimed]
            elif not await db.call(service.desk.alerts.claim_notify, first.id, me, now, stale):
                records = []
            if not records:
                return
            ids = [r.id for r in records]
            self.held.update(ids)
            try:
                job = self._delivery_job(records, now)
                proc = deliver.spawn(job, quiet=service.kind == "console")
            except OSError as exc:
                log.error("alert %s: cannot start the delivery: %s", ids[0], exc)
                await db.call(service.desk.alerts.release_notify, me, ids)
                self.held.difference_update(ids)
                return
            code = await deliver.wait_exit(proc)
            self.held.difference_update(ids)
            for record in records:
                done = await db.retry(service.desk.alerts.by_id, record.id)
                if done is not None and done.notify_state == "sending":  # it died, no outcome
                    state = await db.retry(
                        service.desk.alerts.supervisor_gone, record.id, me, service.clock.now()
                    )
                    done = replace(done, notify_state=state)
                self._report(done or record, code)
        except DB_ERRORS as exc:
            # The claim (if taken) stays until its lease runs out; then it is taken over
            # (the command never started) or marked unknown (it did).
            log.warning("alert %s: notify: database unavailable: %s", first.id, one_line(exc))

    def _delivery_job(self, records: list[AlertRecord], now: datetime) -> deliver.Job:
        service = self.service
        settings = service.settings
        if settings.notify_batch:
            data, batch = batch_bytes(records, service.tz), [r.id for r in records]
        else:
            data, batch = payload_bytes(records[0], service.tz), None
        return deliver.Job(
            url=service.desk.engine.url.render_as_string(hide_password=False),
            alert=records[0].id,
            claim=service.name,
            command=settings.notify_command or "",
            timeout=settings.notify_timeout,
            retries=settings.notify_retries,
            backoff=service.notify_backoff,
            payload=data.decode("utf-8"),
            at=None if service.timer.real else now.isoformat(),
            batch=batch,
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
            tell(self.service.on_notify_failed, "notify", record, record.notify_error or "")
        elif state == "unknown":
            self.unknown([record])
        elif code == deliver.CLAIM_GONE:
            log.info("%s: the claim was taken elsewhere; its outcome is not this one", what)
        else:
            log.warning("%s: the delivery did not start (exit %s); it will be retried", what, code)

    def unknown(self, records: list[AlertRecord]) -> None:
        """Deliveries whose sender stopped mid-send: said loudly, never resent by themselves."""
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
            tell(self.service.on_notify_unknown, "notify", record)

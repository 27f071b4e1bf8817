"""What the alert service tells its listeners: alerts shown once, the count, health, withdrawals.

Every alert this process shows goes through ``show_batch``: fired here, or fired by
another process while this one runs (``news``, one database call per poll
that also refreshes the count of unacknowledged alerts). Alerts fired before
this process started are in the list, never shown again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from oncall.desk.alert_views import AlertRecord
from oncall.desk.database import classify

from .dbthread import DB_ERRORS, one_line

if TYPE_CHECKING:
    from .service import AlertService

log = logging.getLogger("oncall.alerts")

_SHOWN_WINDOW = 50  # alerts: look back this many ids for rows committed out of order


class Announcer:
    """The alerts shown, the count and the health of one service, and its listeners' calls."""

    def __init__(self, service: AlertService) -> None:
        self.service = service
        self.healthy = True
        self.unacked: int | None = None
        self.started_at: datetime | None = None
        self._seed = 0  # the newest alert id at start: older ones are not shown again
        self._watermark = 0
        self._shown: set[int] = set()

    def seed(self, newest: int) -> None:
        """The newest alert id when this process first read the database."""
        self._seed = self._watermark = newest

    def show_batch(self, alerts: Iterable[tuple[AlertRecord, bool]]) -> None:
        """Alerts fired (``won``: by this process) or seen, together (a batch, a poll's
        news): each to the listeners once, then sent (with ``notify_batch``: one run
        of the command for the batch)."""
        shown = [record for record, won in alerts if self._show(record, won)]
        if shown and self.service.settings.notify_command:
            self.service.sender.send(shown)

    def _show(self, record: AlertRecord, won: bool) -> bool:
        if record.id in self._shown:
            return False
        self._watermark = max(self._watermark, record.id)
        fresh = won or record.id > self._seed
        if not fresh and self.started_at is not None and record.fired_at < self.started_at:
            return False  # fired before this process started: in the list, not shown again
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
        tell(self.service.on_alert, "alert", record)
        return True

    async def news(self) -> None:
        """Show what other processes fired and refresh the count: one database call."""
        service = self.service
        low = max(self._watermark - _SHOWN_WINDOW, self._seed)
        records, unacked = await service.db.call(service.desk.alerts.news, low)
        self.show_batch((record, False) for record in records)
        self.set_count(unacked)

    async def refresh_count(self, force: bool = False) -> None:
        """Read the count again (``force``: a database error only says so, never raises)."""
        service = self.service
        if not service.on_count:
            return
        try:
            count = await service.db.call(service.desk.alerts.unacked_count)
        except DB_ERRORS as exc:
            if force:
                self.set_health(False, exc)
                return
            raise
        self.set_count(count)

    def set_count(self, count: int) -> None:
        if self.service.on_count and count != self.unacked:
            self.unacked = count
            tell(self.service.on_count, "alert count", count)

    def set_health(self, ok: bool, exc: BaseException | None = None) -> None:
        service = self.service
        if not ok and exc is not None and service.on_damaged and classify(exc) == "damaged":
            for listener in list(service.on_damaged):  # waiting will not mend it: they say so
                listener(exc)
            return
        if ok == self.healthy:
            return
        self.healthy = ok
        error = None if exc is None else one_line(exc)
        if ok:
            log.warning("database available again: alerts are back on schedule")
        else:
            log.warning("database unavailable, retrying every %g s: %s", service.poll_every, error)
        tell(service.on_health, "health", ok, error)

    def withdrawn(self, records: list[AlertRecord]) -> None:
        for record in records:
            log.info(
                "alert %s (%s %s of %s): withdrawn: %s",
                record.id,
                record.threshold,
                record.clock,
                record.ref,
                record.withdrawn_reason,
            )
        tell(self.service.on_withdrawn, "withdrawn", records)


def tell(listeners: Iterable[Callable[..., Any]], what: str, *args: Any) -> None:
    """Call each listener; one that fails must not stop the others."""
    for listener in list(listeners):
        try:
            listener(*args)
        except Exception:  # noqa: BLE001
            log.exception("%s listener failed", what)

"""The console's end of the alert service: toasts, the bell, the header count.

``attach_alerts(app)`` (from ``App.on_mount``) makes an ``AlertService`` for
the app, starts it on the app's running loop once the desk is open, and wires:

- a toast for each alert (a catch-up of many late ones: one summary toast,
  however many batches it took): severity (warning: a warning toast; critical and
  breach: an error toast), the fault, the clock, the deadline, how late;
- the terminal bell for critical and breach alerts, unless the config says
  ``bell = false``;
- ``app.unacked_alerts`` (the header's count) from the database, so that an
  acknowledgement in one console clears it in every console;
- an error toast when the notify command gave up;
- a one-line toast for each alert withdrawn (an entry logged later stopped its
  clock in time), one summary line for a burst of them.

The app stops it with ``service.close()`` in ``on_unmount``. Nothing here
touches the database: the service does that on its own thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import tzinfo
from typing import TYPE_CHECKING

from ..alerts import AlertRecord, AlertService, AlertSettings
from ..i18n import N_, _
from . import fmt

if TYPE_CHECKING:
    from textual.app import App

    from ..clock import Clock
    from ..config import Config
    from ..desk import Desk

log = logging.getLogger("oncall.alerts")

THRESHOLD_NAMES = {
    "warning": N_("Warning"),
    "critical": N_("Critical"),
    "breach": N_("Breach"),
}
SEVERITY = {"warning": "warning", "critical": "error", "breach": "error"}
TOAST_SECONDS = {"warning": 20.0, "critical": 40.0, "breach": 60.0}
RINGS = ("critical", "breach")
# Late alerts (a catch-up after downtime) arriving this close together are one
# burst; a burst of more than BURST_TOASTS shows one summary toast, not a
# screenful. Alerts on time are shown at once, one toast each.
BURST_SECONDS = 0.3
BURST_TOASTS = 3


def threshold_name(threshold: str) -> str:
    return _(THRESHOLD_NAMES.get(threshold, threshold))


def alert_title(alert: AlertRecord) -> str:
    """``Breach · F-2026-00042``."""
    return f"{threshold_name(alert.threshold)} · {alert.ref}"


def alert_message(alert: AlertRecord, tz: tzinfo | None) -> str:
    """The toast's text: the clock and its deadline, the fault, how late."""
    clock = fmt.clock_name(alert.clock)
    deadline = fmt.when(alert.deadline, tz)
    if alert.threshold == "breach":
        first = _("{clock} deadline {deadline} passed").format(clock=clock, deadline=deadline)
    else:
        left = fmt.countdown(int((alert.deadline - alert.fired_at).total_seconds()))
        first = _("{clock}: {left} left, due {deadline}").format(
            clock=clock, left=left, deadline=deadline
        )
    lines = [
        first,
        f"{fmt.safe(alert.customer)} · {fmt.safe(alert.system)}: {fmt.safe(alert.title)}",
    ]
    if alert.late:
        lines.append(_("Fired late, by {span}").format(span=fmt.duration(int(alert.late_seconds))))
    return "\n".join(lines)


def show_alert(app: App, service: AlertService, alert: AlertRecord) -> None:
    """One alert in the console: a toast, and the bell for critical and breach."""
    app.notify(
        alert_message(alert, service.tz),
        title=alert_title(alert),
        severity=SEVERITY.get(alert.threshold, "warning"),
        timeout=TOAST_SECONDS.get(alert.threshold, 30.0),
        markup=False,
    )
    if service.settings.bell and alert.threshold in RINGS:
        app.bell()


class _Toaster:
    """Shows alerts as toasts, folding a burst of late ones into one summary."""

    def __init__(self, app: App, service: AlertService) -> None:
        self.app = app
        self.service = service
        self.pending: list[AlertRecord] = []

    def add(self, alert: AlertRecord) -> None:
        if not alert.late:
            show_alert(self.app, self.service, alert)
            return
        self.pending.append(alert)
        # A catch-up fired in batches is summed up when its last batch is in
        # (``burst_end``), however long it takes; else after a short wait.
        if len(self.pending) == 1 and not self.service.bursting:
            self.app.set_timer(BURST_SECONDS, self.flush)

    def burst_end(self) -> None:
        if self.pending:
            self.flush()

    def flush(self) -> None:
        burst, self.pending = self.pending, []
        if len(burst) <= BURST_TOASTS:
            for alert in burst:
                show_alert(self.app, self.service, alert)
            return
        counts = {t: sum(a.threshold == t for a in burst) for t in THRESHOLD_NAMES}
        worst = "breach" if counts["breach"] else "critical" if counts["critical"] else "warning"
        parts = ", ".join(f"{n} {threshold_name(t)}" for t, n in counts.items() if n)
        self.app.notify(
            _("{count} alerts ({parts}). Press ! to list them.").format(
                count=len(burst), parts=parts
            ),
            title=_("Alerts"),
            severity=SEVERITY[worst],
            timeout=TOAST_SECONDS[worst],
            markup=False,
        )
        if self.service.settings.bell and worst in RINGS:
            self.app.bell()


def _set_count(app: App, count: int) -> None:
    if hasattr(app, "unacked_alerts"):
        app.unacked_alerts = count


def _notify_failed(app: App, alert: AlertRecord, error: str) -> None:
    app.notify(
        _("The notify command failed for {ref} ({threshold}): {error}").format(
            ref=alert.ref, threshold=threshold_name(alert.threshold), error=fmt.safe(error)
        ),
        title=_("Alerts"),
        severity="error",
        timeout=30,
        markup=False,
    )


def _notify_unknown(app: App, alert: AlertRecord) -> None:
    app.notify(
        _(
            "Delivery unknown for {ref} ({threshold}): its sender stopped mid-send. "
            "Not sent again by itself: check, then acknowledge or resend it (! then R)."
        ).format(ref=alert.ref, threshold=threshold_name(alert.threshold)),
        title=_("Alerts"),
        severity="error",
        timeout=30,
        markup=False,
    )


def _withdrawn(app: App, alerts: list[AlertRecord]) -> None:
    if len(alerts) > BURST_TOASTS:
        lines = [_("{count} alerts withdrawn, by entries logged later").format(count=len(alerts))]
    else:
        lines = [withdrawn_line(alert) for alert in alerts]
    for line in lines:
        app.notify(line, title=_("Alerts"), severity="information", timeout=20, markup=False)


def withdrawn_line(alert: AlertRecord) -> str:
    """``Withdrawn: Breach · F-2026-00042 (respond), by an entry logged later``."""
    return _("Withdrawn: {alert} ({clock}), by an entry logged later").format(
        alert=alert_title(alert), clock=fmt.clock_name(alert.clock)
    )


def attach_alerts(
    app: App,
    desk: Desk | Callable[[], Desk] | None = None,
    config: Config | None = None,
    clock: Clock | None = None,
    *,
    settings: AlertSettings | None = None,
    poll_every: float = 1.0,
) -> AlertService:
    """Make the app's alert service and start it on the app's loop (call from ``on_mount``).

    ``desk``: a ``Desk``, or a callable returning one (called off the loop), or
    None: the app's own desk, once its main screen has opened it.
    ``config`` and ``clock`` default to the app's.
    """
    config = config if config is not None else getattr(app, "config", None)
    service = AlertService(
        clock=clock if clock is not None else getattr(app, "clock", None),
        settings=settings or AlertSettings.from_config(config),
        kind="console",
        user=getattr(app, "user", None) or None,
        poll_every=poll_every,
    )
    toaster = _Toaster(app, service)
    service.on_alert.append(toaster.add)
    service.on_burst_end.append(toaster.burst_end)
    service.on_count.append(lambda count: _set_count(app, count))
    service.on_notify_failed.append(lambda alert, error: _notify_failed(app, alert, error))
    service.on_notify_unknown.append(lambda alert: _notify_unknown(app, alert))
    service.on_withdrawn.append(lambda alerts: _withdrawn(app, alerts))
    app.run_worker(_start(app, service, desk), name="alerts-start", group="alerts")
    return service


async def _start(app: App, service: AlertService, desk: Desk | Callable[[], Desk] | None) -> None:
    try:
        opened = await _desk(app, desk)
        if opened is None:
            log.warning("alerts are off: the desk could not be opened")
            return
        if service.user is None:
            service.user = getattr(opened, "user", None)
        await service.start(opened)
    except Exception:  # noqa: BLE001 - the console goes on without alerts, and says so
        log.exception("the alert service could not start")
        app.notify(
            _("Alerts are off: the alert service could not start."),
            title=_("Alerts"),
            severity="error",
            markup=False,
        )


async def _desk(app: App, desk: Desk | Callable[[], Desk] | None) -> Desk | None:
    if desk is None:
        ready = getattr(app, "ready", None)  # the app's: set once the desk is open
        if not isinstance(ready, asyncio.Event):
            for _ in range(600):  # else the main screen's, once it is built
                main = getattr(app, "main", None)
                if main is not None:
                    break
                await asyncio.sleep(0.05)
            else:
                return None
            ready = main.ready
        await ready.wait()
        return app.backend.desk
    if callable(desk) and not hasattr(desk, "engine"):
        opener: Callable[[], Desk] = desk
        return await asyncio.get_running_loop().run_in_executor(None, opener)
    return desk

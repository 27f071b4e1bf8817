"""SLA alerts: warn before and at every breach, to the second, never lost nor repeated.

For each running clock of each open fault, three alerts: ``warning`` at the
policy's warning share of the service time, ``critical`` at the critical
share, ``breach`` at the deadline.

- ``plan``: pure planning (clocks -> alert keys and instants; which fire now,
  the "highest due threshold only" catch-up rule).
- ``store``: the database side (the truth; the once-only INSERT; the notify claim).
- ``notify``: the settings, the hook's JSON and its subprocess runs.
- ``service``: ``AlertService``, the APScheduler ``AsyncIOScheduler`` glue,
  used by the console (``oncall.tui.alerts_bridge``) and ``oncall watch``.

Use::

    service = AlertService(desk, settings=AlertSettings.from_config(config), kind="watch")
    service.on_alert.append(print)
    await service.start()          # on the running loop
    ...
    await service.stop()

Importing this package imports the alert table model, so the shared metadata
knows the ``alert`` table.
"""

from oncall.store import alert_models as _alert_models  # noqa: F401  (the table)

from ..clock import PreciseClock
from .notify import ENV_COMMAND, AlertSettings, payload, run_hook
from .plan import CLOCKS, RANK, THRESHOLDS, AlertKey, Plan, Selection, plan_fault, select
from .service import AlertService
from .store import LATE_AFTER, AlertRecord

__all__ = [
    "CLOCKS",
    "ENV_COMMAND",
    "LATE_AFTER",
    "RANK",
    "THRESHOLDS",
    "AlertKey",
    "AlertRecord",
    "AlertService",
    "AlertSettings",
    "Plan",
    "PreciseClock",
    "Selection",
    "payload",
    "plan_fault",
    "run_hook",
    "select",
]

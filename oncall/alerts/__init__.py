"""SLA alerts: warn before and at every breach, to the second, never lost nor repeated.

For each running clock of each open fault, three alerts: ``warning`` at the
policy's warning share of the service time, ``critical`` at the critical
share, ``breach`` at the deadline.

- ``plan``: pure planning (clocks -> alert keys and instants; ``triage``: which
  fire now, the "highest due threshold only" catch-up rule).
- the database side is the desk's: ``desk.alerts`` (``oncall.desk.alert_records``:
  the truth; the once-only INSERT; the notify claim, ``unknown`` deliveries, resends).
- ``notify``: the settings and the hook's JSON; ``hook``: one run of the command.
- ``deliver``: the delivery supervisor, a process per alert sent that runs the
  command and records the outcome even if its parent dies.
- ``service``: ``AlertService``, the facade used by the console
  (``oncall.tui.alerts_bridge``) and ``oncall watch``: the poll, start and stop.
- ``timer``: APScheduler's ``AsyncIOScheduler``, one date job per alert to
  come.
- ``settle``: the truth read on the database thread (a re-plan: one read,
  each fault's clocks evaluated once; firing what is due, a batch per
  transaction; withdrawals).
- ``announce``: the alerts shown once, the count, the health, to listeners.
- ``sender``: the notify hook's claim, supervisor and outcome, per alert.
- ``dbthread``: the one thread the service's database calls run on.

Use::

    service = AlertService(desk, settings=AlertSettings.from_config(config), kind="watch")
    service.on_alert.append(print)
    await service.start()          # on the running loop
    ...
    await service.stop()

Names are imported on first use (PEP 562), so that ``python -m
oncall.alerts.deliver`` (the delivery supervisor, one per alert sent) does
not pay for the scheduler, the desk and the table models. Asking for any of
the names below imports the alert table model too.
"""

from __future__ import annotations

import importlib
from typing import Any

# What callers take from the package; the rest they import from its modules.
_HOMES = {
    "AlertRecord": "oncall.desk.alert_views",
    "AlertService": ".service",
    "AlertSettings": ".notify",
    "payload": ".notify",
    "run_hook": ".hook",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    importlib.import_module("oncall.store.alert_models")  # the table, for the metadata
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value

"""The notify hook: a command run for each alert, the alert as one JSON object on stdin
(with ``notify_batch = true``: once per batch of alerts fired together, a JSON array).

The command line comes from the config's ``notify_command`` (or
``$ONCALL_NOTIFY_COMMAND``, which wins) and is run by ``/bin/sh -c`` in a
session of its own, so that a timeout kills it and everything it started.
A run fails when it exits non-zero, cannot be started, or outlives
``notify_timeout`` seconds; it is then retried ``notify_retries`` more times
with a growing pause. The runs themselves (``hook.run_hook``) happen in a
delivery supervisor of their own (``deliver``), which outlives the process
that fired the alert and writes the outcome to the alert's row. The JSON
format is an interface people script against: keep ``payload`` and the
README's "Alerts" section in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from oncall.desk.alert_views import AlertRecord
from oncall.text import json_text
from oncall.timefmt import iso

__all__ = ["ENV_COMMAND", "AlertSettings", "batch_bytes", "payload", "payload_bytes"]

ENV_COMMAND = "ONCALL_NOTIFY_COMMAND"
DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 2


@dataclass(frozen=True)
class AlertSettings:
    """The alert settings of the config file (and the environment)."""

    notify_command: str | None = None
    notify_timeout: float = DEFAULT_TIMEOUT
    notify_retries: int = DEFAULT_RETRIES
    bell: bool = True  # the console rings for critical and breach alerts
    notify_batch: bool = False  # one run per batch of alerts fired together: a JSON array

    @classmethod
    def from_config(cls, config: Any = None, env: Mapping[str, str] | None = None) -> AlertSettings:
        env = os.environ if env is None else env
        get = config.get if config is not None else (lambda _key, default=None: default)
        command = (env.get(ENV_COMMAND) or "").strip() or (get("notify_command") or "").strip()
        timeout = get("notify_timeout", DEFAULT_TIMEOUT)
        retries = get("notify_retries", DEFAULT_RETRIES)
        return cls(
            notify_command=command or None,
            notify_timeout=float(timeout) if timeout and timeout > 0 else DEFAULT_TIMEOUT,
            notify_retries=max(int(retries), 0),
            bell=bool(get("bell", True)),
            notify_batch=bool(get("notify_batch", False)),
        )


def payload(alert: AlertRecord, tz: tzinfo) -> dict[str, Any]:
    """The alert as the hook sees it (instants in ISO 8601 with the desk's offset)."""
    return {
        "alert": alert.id,
        "fault": alert.ref,
        "title": alert.title,
        "customer": alert.customer,
        "system": alert.system,
        "level": alert.level,
        "clock": alert.clock,
        "threshold": alert.threshold,
        "deadline": iso(alert.deadline, tz),
        "planned_at": iso(alert.planned_at, tz),
        "fired_at": iso(alert.fired_at, tz),
        "late": alert.late,
        "late_seconds": round(alert.late_seconds, 3),
        "fired_by": alert.fired_by,
    }


def payload_bytes(alert: AlertRecord, tz: tzinfo) -> bytes:
    return (json_text(payload(alert, tz)) + "\n").encode("utf-8")


def batch_bytes(alerts: list[AlertRecord], tz: tzinfo) -> bytes:
    """``notify_batch``: the alerts of one batch as one JSON array (objects as above)."""
    return (json_text([payload(a, tz) for a in alerts]) + "\n").encode("utf-8")

"""A watcher killed with ``kill -9`` mid-send, then a second watcher after the lease.

Shared by ``tests/test_alerts_delivery.py`` and ``bench/reliability_delivery.py``.
Everything waits on events: a file the notify command writes, a database row
reaching a state (bounded loops that end on the condition; the bound only
turns a hang into a failure).

The desk (fixed clock ``ONCALL_NOW``): fault A's respond breach is due at
``NOW``, so the first watcher fires and sends it at start; fault B's respond
critical comes due between ``NOW`` and ``AFTER_LEASE``, so the second watcher
has one alert of its own to send (the sign that it has done its work).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desk_support import log_fault, one_customer_desk
from sqlalchemy import select

from oncall.clock import FixedClock
from oncall.resources import data_path
from oncall.sla import load_policy
from oncall.store import make_engine
from oncall.store.alert_models import Alert
from oncall.store.models import Fault

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
AFTER_LEASE = NOW + timedelta(minutes=16)  # the lease is 15 minutes at least
PYTHON = [sys.executable, "-c", "import sys; from oncall.cli import main; sys.exit(main())"]


def until(condition, what: str, bound: float = 30.0):
    """Poll ``condition`` until it holds (its value); a bound only against hanging."""
    end = time.monotonic() + bound
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.02)


def seed(url: str) -> None:
    """Faults A (breach due at NOW) and B (critical due by AFTER_LEASE) on a fresh database."""
    engine = make_engine(url)
    try:
        clock = FixedClock(NOW)
        desk = one_customer_desk(engine, load_policy(data_path("sla.toml")), clock)
        for title, ago in (("fault A", 70), ("fault B", 40)):  # level 0: respond in 1 h
            log_fault(desk, title=title, level=0, at=NOW - timedelta(minutes=ago))
    finally:
        engine.dispose()


class Stage:
    """A folder with the config, the notify command's gate and what it delivered."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started = folder / "started"  # one file per run of the command, at its start
        self.gate = folder / "go"  # the command blocks until this exists
        self.delivered = folder / "delivered"  # one JSON line per delivery
        self.started.mkdir(parents=True, exist_ok=True)
        command = (
            f'p=$(cat); echo "$p" > "{self.started}/$$"; '
            f'while [ ! -e "{self.gate}" ]; do sleep 0.02; done; '
            f'echo "$p" >> "{self.delivered}"'
        )
        (folder / "config.toml").write_text(
            f"notify_command = '{command}'\nnotify_timeout = 60\nnotify_retries = 0\n",
            encoding="utf-8",
        )

    def env(self, now: datetime) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ONCALL_")}
        env.update(
            ONCALL_CONFIG=str(self.folder / "config.toml"),
            ONCALL_NOW=now.isoformat(),
            ONCALL_USER="oncall",
            XDG_DATA_HOME=str(self.folder / "data"),
        )
        return env

    def deliveries(self) -> Counter:
        if not self.delivered.exists():
            return Counter()
        lines = self.delivered.read_text(encoding="utf-8").splitlines()
        return Counter(json.loads(line)["alert"] for line in lines if line.strip())

    def release(self) -> None:
        self.gate.touch()


def watch(url: str, stage: Stage, now: datetime, name: str) -> subprocess.Popen:
    """``oncall watch`` as a process; its output goes to files (a pipe would be held
    open by the supervisors it leaves behind)."""
    out = open(stage.folder / f"{name}.out", "wb")  # noqa: SIM115 - closed by the caller
    err = open(stage.folder / f"{name}.err", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [*PYTHON, "watch", "--db", url, "--poll", "0.2"],
        env=stage.env(now),
        stdout=out,
        stderr=err,
    )
    out.close()
    err.close()
    return proc


def alerts(url: str) -> dict[str, object]:
    """The alert rows by fault title and threshold: {"fault A breach": row, ...}."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Alert.__table__, Fault.title).join(Fault, Fault.id == Alert.fault_id)
            ).all()
    finally:
        engine.dispose()
    return {f"{r.title} {r.threshold}": r for r in rows}


@dataclass
class Round:
    """What one kill round left behind."""

    first: object  # fault A's alert row at the end
    second: object  # fault B's alert row (sent by the second watcher)
    deliveries: Counter  # alert id -> times the command delivered it
    first_err: str
    second_err: str


def kill_round(url: str, stage: Stage, *, kill_supervisor: bool = False) -> Round:
    """Seeded ``url``: kill -9 a watcher mid-send, let the command finish, run another."""
    first = watch(url, stage, NOW, "first")
    try:
        until(lambda: any(stage.started.iterdir()), "the notify command started")
        row = until(
            lambda: _started(url, "fault A breach"), "the supervisor marked the delivery started"
        )
        first.send_signal(signal.SIGKILL)
        first.wait()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    if kill_supervisor:
        os.kill(row.notify_pid, signal.SIGKILL)
    stage.release()
    until(lambda: stage.deliveries()[row.id] >= 1, "the command delivered (after the kill)")
    if not kill_supervisor:
        until(lambda: _state(url, "fault A breach") == "sent", "the outcome recorded")
    second = watch(url, stage, AFTER_LEASE, "second")
    try:
        until(lambda: _state(url, "fault B critical") == "sent", "the second watcher sent its own")
        if kill_supervisor:
            until(lambda: _state(url, "fault A breach") == "unknown", "marked unknown")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait()
    rows = alerts(url)
    return Round(
        first=rows["fault A breach"],
        second=rows["fault B critical"],
        deliveries=stage.deliveries(),
        first_err=(stage.folder / "first.err").read_text(encoding="utf-8", errors="replace"),
        second_err=(stage.folder / "second.err").read_text(encoding="utf-8", errors="replace"),
    )


def _started(url: str, key: str):
    row = alerts(url).get(key)
    return row if row is not None and row.notify_pid is not None else None


def _state(url: str, key: str) -> str | None:
    row = alerts(url).get(key)
    return None if row is None else row.notify_state

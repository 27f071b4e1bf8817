"""What the alert tests share: services on the test database that record what they show,
and waiting for what proves a step happened (never for a length of time).

The ``fault`` fixture of conftest.py is a level-1 phone fault reported at 09:00
(Shanghai) with the clock at 10:00: its respond clock warns at 10:30, turns
critical at 10:48 and breaches at 11:00 (02:30, 02:48, 03:00 UTC).
"""

from __future__ import annotations

import asyncio
import errno
import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from oncall.alerts import AlertService, AlertSettings
from oncall.desk import Desk
from oncall.store import make_engine
from oncall.store.alert_models import Alert

HANG = 120.0  # seconds: a guard against a hang, never what a test checks
WARNING = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
CRITICAL = datetime(2026, 3, 10, 2, 48, tzinfo=UTC)
BREACH = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)


class Recorder:
    """A service and what it showed."""

    def __init__(self, service: AlertService) -> None:
        self.service = service
        self.shown = []
        self.counts = []
        service.on_alert.append(self.shown.append)
        service.on_count.append(self.counts.append)

    def shown_keys(self) -> list[tuple[str, str]]:
        return [(a.clock, a.threshold) for a in self.shown]


@pytest.fixture
async def services():
    """``make(desk, **options) -> Recorder`` (not started); all stopped at the end."""
    made: list[AlertService] = []

    def make(desk, **options) -> Recorder:
        options.setdefault("kind", "test")
        options.setdefault("poll_every", 3600)  # tests call sync() themselves
        service = AlertService(desk, **options)
        made.append(service)
        return Recorder(service)

    yield make
    for service in made:
        await service.stop()


@pytest.fixture
def other_desk(db_url, policy, clock, desk):
    """Another console on the same database (its own engine), as alice."""
    engine = make_engine(db_url)
    yield Desk(engine, policy, clock, "alice")
    engine.dispose()


def alert_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(Alert.__table__).order_by(Alert.id)).all()


def hook_settings(command: str, **options) -> AlertSettings:
    options.setdefault("notify_timeout", 5.0)
    options.setdefault("notify_retries", 2)
    return AlertSettings(notify_command=command, **options)


async def wait_until(condition) -> None:
    """Poll ``condition`` until it holds (bounded by ``HANG`` only)."""
    async with asyncio.timeout(HANG):
        while not condition():
            await asyncio.sleep(0.01)


def sending(*recorders) -> bool:
    """Whether any of these services still has a notify run under way (or queued).

    Every alert a service shows starts its send at once (a claim, then the hook, or
    nothing when another process holds the claim); once none is under way, every
    service has had its chance to send, and what was sent is all there will be.
    """
    return any(r.service.sender.notifying for r in recorders)


def open_for_writing(fifo) -> int | None:
    """The fifo's writing end, once a reader has opened it (None: no reader yet)."""
    try:
        return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno != errno.ENXIO:
            raise
        return None


def notify_states(engine) -> list[tuple]:
    return [(r.notify_state, r.notify_attempts) for r in alert_rows(engine)]


async def started(pilot, service) -> None:
    from tui_support import settle

    await settle(pilot)
    await service.started.wait()

"""What the alert tests share: services on the test database that record what they show.

The ``fault`` fixture of conftest.py is a level-1 phone fault reported at 09:00
(Shanghai) with the clock at 10:00: its respond clock warns at 10:30, turns
critical at 10:48 and breaches at 11:00 (02:30, 02:48, 03:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from oncall.alerts import AlertService, AlertSettings
from oncall.desk import Desk
from oncall.store import make_engine
from oncall.store.alert_models import Alert

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

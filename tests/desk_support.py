"""The smallest desk a test of alerts or of the store starts from, on an engine of its own.

``desk`` in conftest.py is a fuller one on a fresh SQLite copy; these are for tests
that bring their own engine (PostgreSQL, two engines, the real clock) or seed a
database in another process (``delivery_support.seed``, also used by ``bench/``).
"""

from __future__ import annotations

from datetime import datetime

from oncall.desk import Desk, SystemInfo

CUSTOMER, SYSTEM = "华东电网", "EMS"


def one_customer_desk(engine, policy, clock, *, duty_name: str = "Duty Officer") -> Desk:
    """A desk as ``duty``, the one engineer (on duty), with one customer and its system."""
    desk = Desk(engine, policy, clock, "duty")
    desk.add_engineer("duty", duty_name, "engineer", on_duty=True)
    desk.add_customer(CUSTOMER, systems=[SystemInfo(SYSTEM)])
    return desk


def log_fault(desk: Desk, *, at: datetime, level: int = 1, title: str = "t"):
    """A phone call about the customer's system, logged as reported ``at``."""
    return desk.log_fault(
        customer=CUSTOMER, system=SYSTEM, title=title, level=level, channel="phone", at=at
    )

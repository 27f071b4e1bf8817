"""The instants and durations the desk serves for a policy: the one place that says so.

- Instants: from Jan 1 of the first year every calendar of the policy has data
  for (a country's first year in the ``holidays`` package; a calendar without a
  country, or no calendar, from 1970) to the end of the year ``FUTURE_YEARS``
  after today, in the desk's zone.
- Durations of service time: up to ``MAX_SERVICE_SECONDS`` (10 years). The
  engine answers them for any served instant: a deadline may fall after the
  last served instant.

Outside, the CLI and the desk refuse the input with one line naming the range
(``OutOfRange``), so no input can make the engine work for long, overflow a
date, or leave a fault whose clocks cost more than any other's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from .calendar import FLOOR_YEAR

if TYPE_CHECKING:
    from .policy import Policy

FUTURE_YEARS = 10
MAX_SERVICE_SECONDS = 10 * 365 * 86_400


class OutOfRange(ValueError):
    """An instant or a duration outside what the desk serves; the message names the range."""


@dataclass(frozen=True)
class ServedRange:
    first: datetime  # aware, UTC
    last: datetime  # aware, UTC (inclusive)
    tz: object

    def describe(self) -> str:
        first = self.first.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")
        last = self.last.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")
        return f"{first} to {last}"

    def check(self, at: datetime, what: str) -> datetime:
        """``at`` itself, or ``OutOfRange`` naming the range the desk serves."""
        if not self.first <= at <= self.last:
            shown = at.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")
            raise OutOfRange(
                f"{what} {shown} is outside the times the desk serves ({self.describe()})"
            )
        return at


def check_seconds(seconds: int, what: str) -> int:
    """A service-time duration: 0 to ``MAX_SERVICE_SECONDS``."""
    served = f"0 to {MAX_SERVICE_SECONDS} seconds, 10 years of service time"
    if seconds < 0:
        raise OutOfRange(f"{what} cannot be negative (the desk serves {served})")
    if seconds > MAX_SERVICE_SECONDS:
        raise OutOfRange(f"{what} {seconds} is more than the desk serves ({served})")
    return seconds


def served_range(policy: Policy, today: datetime) -> ServedRange:
    """What the desk serves under ``policy`` when it is ``today`` (an aware instant)."""
    tz = policy.timezone
    first = date(first_year(policy), 1, 1)
    last_year = min(today.astimezone(tz).year + FUTURE_YEARS, 9000)
    return ServedRange(
        first=datetime.combine(first, time(), tz).astimezone(UTC),
        last=datetime.combine(date(last_year, 12, 31), time(23, 59, 59), tz).astimezone(UTC),
        tz=tz,
    )


def first_year(policy: Policy) -> int:
    """The first year every calendar of ``policy`` has data for."""
    return max([FLOOR_YEAR, *(c.first_year() for c in policy.calendars.values())])

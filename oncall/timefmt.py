"""Reading and showing instants.

Data lives in UTC; the desk's time zone applies only when reading a time typed
by a person (no offset given) and when showing one.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import Any


class TimeInputError(ValueError):
    """A time a person typed that cannot be read."""


class TimeOutOfRange(TimeInputError):
    """A time that reads but lies outside the dates Python can hold (year 1 to 9999)."""


def parse_instant(text: str, tz: tzinfo) -> datetime:
    """ISO 8601 (``2026-10-09T15:00``, ``2026-10-09 15:00:00+08:00``, ``…Z``) -> UTC.

    Without an offset the time is in ``tz``. Seconds are kept, fractions dropped.
    """
    cleaned = text.strip() if isinstance(text, str) else ""
    if not cleaned:
        raise TimeInputError("a time is needed, e.g. 2026-10-09T15:00")
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise TimeInputError(
            f"cannot read {text!r} as a time; use ISO 8601, e.g. 2026-10-09T15:00 or "
            "2026-10-09T15:00+08:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    try:
        return parsed.astimezone(UTC).replace(microsecond=0)
    except (OverflowError, ValueError):  # 0001-01-01 in a zone east of UTC: before year 1
        raise TimeOutOfRange(f"{text!r} is out of the range of dates") from None


def local(at: datetime, tz: tzinfo) -> datetime:
    return at.astimezone(tz)


def iso(at: datetime | None, tz: tzinfo) -> str | None:
    """ISO 8601 with the desk's offset, to the second (for --json and the notify hook)."""
    if at is None:
        return None
    return at.astimezone(tz).isoformat(timespec="seconds")


def show(at: datetime | None, tz: tzinfo) -> str:
    """A time for people: ``2026-10-09 15:00`` in the desk's zone (seconds when not :00)."""
    if at is None:
        return "-"
    shown = at.astimezone(tz)
    return shown.strftime("%Y-%m-%d %H:%M:%S" if shown.second else "%Y-%m-%d %H:%M")


def span(seconds: int | None) -> str:
    """A duration for people, signed: ``-0:12:05``, ``1:05:30``, ``2d 04h``."""
    if seconds is None:
        return "-"
    sign = "-" if seconds < 0 else ""
    rest = abs(int(seconds))
    days, rest = divmod(rest, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours:02d}h"
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"


_STORED = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?(\.\d+)?(Z|[+-]\d\d:?\d\d)")


def stored_instant(value: Any) -> datetime | None:
    """An instant the desk stored in an event's data (ISO 8601 with an offset), or None."""
    if not isinstance(value, str) or not _STORED.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def event_details(data: dict[str, Any], tz: tzinfo) -> str:
    """An audit event's data on one line, ``key=value``, the stored instants in the
    desk's zone, empty values left out (``oncall fault history``, the fault report)."""
    parts = []
    for key, value in data.items():
        if value is None or value == "":
            continue
        at = stored_instant(value)
        parts.append(f"{key}={show(at, tz) if at else value}")
    return " ".join(parts)

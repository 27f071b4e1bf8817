"""How the desk's values print: JSON (instants with the desk's offset), SLA clocks,
and the shown words of a fault that every ``fault`` command uses."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any

from ..text import cell_width, fit, one_line
from ..timefmt import iso, show
from ..vocabulary import status_word
from .common import print_json

TITLE_CELLS = 40
TIME_HELP = "when, ISO 8601; without an offset in the desk's zone"


# -- JSON --------------------------------------------------------------------------------


def jsonable(value: Any, tz) -> Any:
    """Dataclasses, instants (ISO 8601 with the desk's offset), dates and enums as JSON."""
    if isinstance(value, datetime):
        return iso(value, tz)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name), tz) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v, tz) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, tz) for v in value]
    return value


def clock_json(clock, now: datetime, tz) -> dict[str, Any]:
    """One SLA clock of a fault, with what a reader wants besides the raw state."""
    out = jsonable(clock, tz)
    out["left_seconds"] = clock.left(now)
    out["remaining_service_seconds"] = clock.remaining
    out["share"] = round(clock.share, 4) if clock.target else None
    out["running"] = clock.running
    out["met"] = clock.met
    # Wall seconds past the deadline (to the stop if it stopped): 0 while in time.
    # Service seconds over the target are -remaining_service_seconds.
    out["late_seconds"] = clock.late(now)
    return out


def emit(value: Any, tz) -> None:
    print_json(jsonable(value, tz))


# -- shown values -----------------------------------------------------------------------


def band(band) -> str:
    return band.value if band is not None else "-"


def short(text: str, cells: int = TITLE_CELLS) -> str:
    """``text`` on one line, cut to ``cells`` terminal cells."""
    text = one_line(text)
    return fit(text, cells).rstrip() if cell_width(text) > cells else text


def summary_json(fault, tz, **extra: Any) -> dict[str, Any]:
    """A fault's summary as JSON, with its id and what the command adds."""
    out = jsonable(fault, tz)
    out["id"] = fault.ref
    out.update(jsonable(extra, tz))
    return out


def status_line(fault, paused_since, tz) -> str:
    """The status, and since when a fault waits on the customer."""
    if paused_since is None:
        return status_word(fault.status)
    return f"{status_word(fault.status)} since {show(paused_since, tz)[5:16]}"


def time_range(start: datetime, end: datetime | None, tz) -> str:
    if end is None:
        return f"{show(start, tz)} - ongoing"
    first, last = show(start, tz), show(end, tz)
    same_day = first[:10] == last[:10]
    return f"{first}-{last[11:]}" if same_day else f"{first} - {last}"

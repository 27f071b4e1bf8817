"""Calendar override files: explicit days off and working days on top of a country's.

Two files can add to a calendar, both TOML:

* the policy's ``override_file`` (shipped next to ``data/sla.toml``): flat lists
  ``holidays = [...]`` and ``workdays = [...]``; a year with a working day listed
  there counts as known (its make-up days were entered);
* the desk's own file, in the config directory, written by
  ``oncall calendar set``: one table per calendar and year, which also marks the
  year as known, and wins over the shipped lists::

      [CN.2027]
      off = [2027-02-05, 2027-02-11]
      work = [2027-02-07]

This module only turns text into dates and back; reading and writing files is the
caller's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

DESK_FILE_NAME = "calendar.toml"
DESK_FILE_HEADER = (
    "# Working days entered at this desk (oncall calendar set): per calendar and year,\n"
    "# the days off and the make-up working days of the official schedule. They win over\n"
    "# the holidays package and the shipped override file, and make the year known.\n"
)


class OverrideError(ValueError):
    """An override file that cannot be used; the message names the key."""


@dataclass
class Overrides:
    """What override files add to one calendar."""

    holidays: set[date] = field(default_factory=set)
    workdays: set[date] = field(default_factory=set)
    known: set[int] = field(default_factory=set)
    origins: dict[date | int, str] = field(default_factory=dict)

    def add(
        self, off: set[date], work: set[date], years: set[int], origin: str, *, wins: bool = False
    ) -> None:
        """Add a file's dates. ``wins``: they replace what earlier sources said of the
        same dates (the desk's file); otherwise a date both off and worked is refused."""
        if not wins:
            both = (self.holidays | off) & (self.workdays | work)
            if both:
                days = ", ".join(sorted(d.isoformat() for d in both))
                raise OverrideError(f"both a holiday and a working day: {days}")
        self.holidays = (self.holidays - work) | off
        self.workdays = (self.workdays - off) | work
        self.known |= years
        for item in (*off, *work, *years):
            self.origins[item] = origin


def dates_of(values: object, key: str) -> set[date]:
    if not isinstance(values, list):
        raise OverrideError(f"{key}: expected a list of dates, got {values!r}")
    out = set()
    for value in values:
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise OverrideError(f"{key}: {value!r} is not a date") from None
        if not isinstance(value, date) or hasattr(value, "hour"):
            raise OverrideError(f"{key}: {value!r} is not a date")
        out.add(value)
    return out


def shipped_entries(raw: dict) -> tuple[set[date], set[date], set[int]]:
    """(days off, working days, known years) of a policy's flat override file."""
    unknown = set(raw) - {"holidays", "workdays"}
    if unknown:
        raise OverrideError(f"{sorted(unknown)[0]}: unknown key (known here: holidays, workdays)")
    off = dates_of(raw.get("holidays", []), "holidays")
    work = dates_of(raw.get("workdays", []), "workdays")
    if off & work:
        days = ", ".join(sorted(d.isoformat() for d in off & work))
        raise OverrideError(f"holidays: also listed in workdays: {days}")
    return off, work, {d.year for d in work}


def desk_entries(raw: dict, calendar: str) -> dict[int, tuple[set[date], set[date]]]:
    """The desk file's years for one calendar: year -> (days off, working days)."""
    table = raw.get(calendar, {})
    if not isinstance(table, dict):
        raise OverrideError(f"{calendar}: expected a table of years")
    out = {}
    for key, entry in table.items():
        path = f"{calendar}.{key}"
        if not (isinstance(key, str) and key.isdigit() and len(key) == 4):
            raise OverrideError(f"{path}: a year like 2027")
        if not isinstance(entry, dict):
            raise OverrideError(f"{path}: expected a table with off and work")
        unknown = set(entry) - {"off", "work"}
        if unknown:
            raise OverrideError(f"{path}.{sorted(unknown)[0]}: unknown key (known: off, work)")
        year = int(key)
        off = dates_of(entry.get("off", []), f"{path}.off")
        work = dates_of(entry.get("work", []), f"{path}.work")
        check_year(year, off, work, path)
        out[year] = (off, work)
    return out


def check_year(year: int, off: set[date], work: set[date], where: str) -> None:
    """One year's schedule: its dates lie in that year, none both off and worked."""
    stray = sorted(d.isoformat() for d in off | work if d.year != year)
    if stray:
        raise OverrideError(f"{where}: {', '.join(stray)} not in {year}")
    both = sorted(d.isoformat() for d in off & work)
    if both:
        raise OverrideError(f"{where}: both a day off and a working day: {', '.join(both)}")


def with_year(raw: dict, calendar: str, year: int, off: set[date], work: set[date]) -> dict:
    """The desk file's content with one calendar's year replaced."""
    check_year(year, off, work, f"{calendar}.{year}")
    out = {name: dict(years) for name, years in raw.items() if isinstance(years, dict)}
    years = out.setdefault(calendar, {})
    years[str(year)] = {"off": sorted(off), "work": sorted(work)}
    out[calendar] = dict(sorted(years.items()))
    return out

"""Working-day calendars: public holidays and make-up working days.

A calendar answers one question per date: is it a day off, an ordinary day, or
a make-up working day (a weekend day that is worked to pay for a holiday, 调休)?
Country data comes from the ``holidays`` package; explicit dates from the policy
and its override file win over the package, so a desk can add a year the
package does not know yet or correct one it gets wrong.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cache
from importlib.util import find_spec
from pathlib import Path


class DayKind(Enum):
    OFF = "off"  # public holiday or weekend
    WORK = "work"  # ordinary working day
    MAKEUP = "makeup"  # weekend day worked in exchange for a holiday


@dataclass(frozen=True)
class WorkingCalendar:
    name: str
    country: str | None = None
    subdivision: str | None = None
    holidays: frozenset[date] = frozenset()  # extra days off (override)
    workdays: frozenset[date] = frozenset()  # extra working days (override)
    weekend: frozenset[int] = frozenset({5, 6})  # Monday is 0
    _years: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        both = self.holidays & self.workdays
        if both:
            days = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"calendar {self.name!r}: both a holiday and a working day: {days}")

    def _country_year(self, year: int) -> tuple[frozenset[date], frozenset[date], frozenset[int]]:
        """(holidays, weekend working days, weekend weekdays) the package gives for a year."""
        cached = self._years.get(year)
        if cached is None:
            cached = country_year(self.country, self.subdivision, year)
            self._years[year] = cached
        return cached

    def day_kind(self, day: date) -> DayKind:
        if day in self.workdays:
            return DayKind.MAKEUP if day.weekday() in self._weekend_for(day) else DayKind.WORK
        if day in self.holidays:
            return DayKind.OFF
        weekend = self._weekend_for(day)
        if self.country is not None:
            off, makeup, _ = self._country_year(day.year)
            if day in makeup:
                return DayKind.MAKEUP
            if day in off:
                return DayKind.OFF
        return DayKind.OFF if day.weekday() in weekend else DayKind.WORK

    def _weekend_for(self, day: date) -> frozenset[int]:
        if self.country is None:
            return self.weekend
        return self._country_year(day.year)[2]

    def is_working_day(self, day: date) -> bool:
        return self.day_kind(day) is not DayKind.OFF

    def special_days(self, year: int) -> frozenset[date]:
        """The dates of ``year`` whose kind may not follow the year's weekend rule.

        Every other date of the year is a working day or a weekend day by its
        weekday alone: service-time arithmetic counts whole years from this
        (``window.py``). Keep it a superset of the exceptions ``day_kind`` makes.
        """
        days = {d for d in self.holidays | self.workdays if d.year == year}
        if self.country is not None:
            off, makeup, _ = self._country_year(year)
            days |= off | makeup
        return frozenset(days)


@cache  # the installed package does not change under a running process
def _package_stamp() -> str | None:
    """Identifies the installed holidays package without importing it (cheaply)."""
    spec = find_spec("holidays")
    if spec is None or spec.origin is None:
        return None
    try:
        stat = (Path(spec.origin).parent / "version.py").stat()
    except OSError:
        return None
    return f"{stat.st_mtime_ns:x}-{stat.st_size:x}"


def _cache_file(country: str, subdivision: str | None) -> Path | None:
    """Where a country's computed days are kept between runs (None: no caching)."""
    version = _package_stamp()
    if version is None:
        return None
    folder = os.environ.get("ONCALL_CACHE_DIR")
    if not folder:
        from platformdirs import user_cache_dir

        folder = user_cache_dir("oncall")
    return Path(folder) / f"calendar-{country}-{subdivision or ''}-{version}.json"


def is_known_country(country: str) -> bool:
    cache = _cache_file(country, None)
    if cache is not None and cache.exists():
        return True
    from holidays.registry import COUNTRIES  # the cheap index, not every country module

    return any(country in names for names in COUNTRIES.values())


_READ: dict[Path, dict] = {}  # cache files as this process read (and extended) them


def country_year(
    country: str, subdivision: str | None, year: int
) -> tuple[frozenset[date], frozenset[date], frozenset[int]]:
    """A country's days off, make-up working days and weekend for one year.

    Building any country in the ``holidays`` package loads all of its country
    modules (~80 ms), which would double the time of a one-shot ``oncall sla``
    command; so the answer is kept in a small JSON file per package version.
    """
    cache = _cache_file(country, subdivision)
    stored: dict = {}
    if cache is not None:
        stored = _READ.get(cache)  # read once per process: a span of decades asks each year
        if stored is None:
            try:
                stored = json.loads(cache.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stored = {}
            _READ[cache] = stored
    entry = stored.get(str(year))
    if entry is None:
        import holidays as holidays_pkg

        table = holidays_pkg.country_holidays(country, subdiv=subdivision, years=year)
        makeup = [d for d in getattr(table, "weekend_workdays", ()) if d.year == year]
        entry = {
            "off": sorted(d.isoformat() for d in table),
            "makeup": sorted(d.isoformat() for d in makeup),
            "weekend": sorted(getattr(table, "weekend", (5, 6))),
        }
        if cache is not None:
            stored[str(year)] = entry
            _write_atomically(cache, json.dumps(stored))
    return (
        frozenset(date.fromisoformat(d) for d in entry["off"]),
        frozenset(date.fromisoformat(d) for d in entry["makeup"]),
        frozenset(entry["weekend"]),
    )


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs time

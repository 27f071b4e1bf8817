"""The country calendars' file cache: what the ``holidays`` package says of a country,
kept between runs so that a one-shot command does not build it again.

Building any country of the ``holidays`` package loads all of its country
modules (~80 ms), which would double the time of a one-shot ``oncall sla``
command; so each year's answer is kept in a small JSON file per country and
package version, in the user cache dir (``$ONCALL_CACHE_DIR`` overrides). The
SLA engine stays pure (``oncall/sla`` writes no file): the command line hands
this ``CountryData`` to ``load_policy(countries=...)``.
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from .sla import calendar
from .sla.calendar import PACKAGE, CountryYear

_READ: dict[Path, dict] = {}  # cache files as this process read (and extended) them
_FIRST_YEARS: dict[tuple[str, str | None], int] = {}


class CalendarCache:
    """``CountryData`` from the package, kept in files (the folder is looked up on each
    use, so ``$ONCALL_CACHE_DIR`` set later still counts)."""

    def year(self, country: str, subdivision: str | None, year: int) -> CountryYear:
        file = _cache_file(country, subdivision)
        stored = _stored(file)
        entry = stored.get(str(year))
        if entry is None:
            entry = calendar.from_package(country, subdivision, year)
            if file is not None:
                stored[str(year)] = entry
                _write_atomically(file, json.dumps(stored))
        return calendar.country_year_of(entry)

    def weekend(self, country: str, subdivision: str | None) -> frozenset[int]:
        """The country's weekend, from any year already worked out (else year 2000's)."""
        for entry in _stored(_cache_file(country, subdivision)).values():
            if isinstance(entry, dict) and "weekend" in entry:
                return frozenset(entry["weekend"])
        return self.year(country, subdivision, 2000).weekend

    def first_year(self, country: str, subdivision: str | None) -> int:
        """Kept in a small file next to the calendar's (importing the package costs ~80 ms)."""
        key = (country, subdivision)
        if key in _FIRST_YEARS:
            return _FIRST_YEARS[key]
        file = _cache_file(country, subdivision)
        year = None
        if file is not None:
            file = file.with_name("first-year-" + file.name)
            try:
                year = int(json.loads(file.read_text(encoding="utf-8"))["first_year"])
            except (OSError, ValueError, KeyError, TypeError):
                year = None
        if year is None:
            year = PACKAGE.first_year(country, subdivision)
            if file is not None:
                _write_atomically(file, json.dumps({"first_year": year}))
        _FIRST_YEARS[key] = year
        return year

    def knows(self, country: str) -> bool:
        file = _cache_file(country, None)
        return (file is not None and file.exists()) or PACKAGE.knows(country)


CALENDAR_CACHE = CalendarCache()


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
    # v2: entries say whether the year is known
    return Path(folder) / f"calendar-v2-{country}-{subdivision or ''}-{version}.json"


def _stored(file: Path | None) -> dict:
    """The cache file's years, read once per process (a span of decades asks each year)."""
    if file is None:
        return {}
    stored = _READ.get(file)
    if stored is None:
        try:
            stored = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = {}
        if not isinstance(stored, dict):
            stored = {}
        _READ[file] = stored
    return stored


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs time

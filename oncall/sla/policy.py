"""The service policy: levels, clocks, windows, calendars, thresholds.

Loaded from a TOML file (the default ships as ``data/sla.toml``). Every number
of the contract lives there; this module only knows its shape. A malformed file
fails with a ``PolicyError`` that names the file, the key and what is wrong.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oncall.vocabulary import CHANNELS, CLOCKS, RECORD_FIELDS

from .calendar import PACKAGE, CountryData, WorkingCalendar
from .overrides import OverrideError, Overrides, dates_of, desk_entries, shipped_entries
from .window import WEEKDAYS, ServiceWindow, parse_span

FURTHER_CLOCKS = CLOCKS[2:]
REOPEN_MODES = ("full", "remaining")
_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$")


_TOP_KEYS = {
    "calendar_lookahead_days",
    "timezone",
    "country",
    "thresholds",
    "reopen",
    "calendars",
    "windows",
    "levels",
    "deadlines",
    "record_required",
}
# Without a ``[record_required]`` table: the whole record for levels 0 and 1 (the
# contract's 用户专用档案 for the faults that stop or cripple a system).
DEFAULT_RECORD_REQUIRED = {0: RECORD_FIELDS, 1: RECORD_FIELDS}
_DEADLINE_KEYS = {
    "clock",
    "levels",
    "within",
    "window",
    "pausable",
    "unresponded_after",
    "description",
}


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names file, key and fault."""


def parse_duration(text: str) -> int:
    """``"8h"``, ``"90m"``, ``"1h30m"``, ``"45s"`` -> seconds (service time)."""
    m = _DURATION.match(text) if isinstance(text, str) else None
    if not m or not any(m.groups()):
        raise ValueError(f"{text!r} is not a duration like 4h, 90m or 1h30m")
    hours, minutes, seconds = (int(g or 0) for g in m.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return total


def format_duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = (f"{hours}h" * bool(hours), f"{minutes}m" * bool(minutes), f"{secs}s" * bool(secs))
    return "".join(parts) or "0s"


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    window: ServiceWindow
    respond: dict[str, int]  # channel -> service seconds
    resolve: int


@dataclass(frozen=True)
class FurtherDeadline:
    """One of the contract's further clocks (solution proposal, remote fix, on-site …)."""

    clock: str
    levels: frozenset[int]
    within: int  # service seconds
    window: ServiceWindow
    pausable: bool = False
    # onsite_arrival only: the clock applies when no response came within this long.
    unresponded_after: int | None = None
    description: str = ""


@dataclass(frozen=True)
class Policy:
    source: str
    timezone: ZoneInfo
    country: str | None
    warning: float
    critical: float
    reopen: str  # "full": a reopened fault gets the whole resolve target again
    levels: dict[int, Level]
    windows: dict[str, ServiceWindow]
    calendars: dict[str, WorkingCalendar]
    further: tuple[FurtherDeadline, ...] = field(default=())
    # How far ahead a year whose working days are not known is warned about.
    calendar_lookahead: timedelta = timedelta(days=60)
    # The fault record's fields that must be filled before a fault of a level closes.
    record_required: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def required_record(self, level: int) -> tuple[str, ...]:
        """The record fields a fault of ``level`` must have filled to be closed."""
        return self.record_required.get(level, ())

    def level(self, number: int) -> Level:
        try:
            return self.levels[number]
        except KeyError:
            known = ", ".join(str(n) for n in sorted(self.levels))
            raise ValueError(f"unknown level {number} (the policy has {known})") from None

    def window(self, name: str) -> ServiceWindow:
        try:
            return self.windows[name]
        except KeyError:
            known = ", ".join(sorted(self.windows))
            raise ValueError(f"unknown window {name!r} (the policy has {known})") from None

    def further_for(self, level: int) -> tuple[FurtherDeadline, ...]:
        return tuple(d for d in self.further if level in d.levels)

    def unknown_years(self, now: datetime) -> list[UnknownYear]:
        """Years from now to the lookahead whose working days a calendar in use lacks.

        A clock in such a year may treat a make-up working day as a day off (or a
        holiday as a working day): the desk should enter the year's schedule.
        """
        first = now.astimezone(self.timezone).year
        last = (now + self.calendar_lookahead).astimezone(self.timezone).year
        return [
            UnknownYear(calendar.name, year)
            for calendar in self._calendars_in_use()
            for year in range(first, last + 1)
            if not calendar.year_known(year)
        ]

    def unknown_year_of(self, window: ServiceWindow, at: datetime) -> UnknownYear | None:
        """The unknown year an instant of this window falls in, if it does."""
        if window.calendar is None:
            return None
        year = at.astimezone(window.tz).year
        if window.calendar.year_known(year):
            return None
        return UnknownYear(window.calendar.name, year)

    def _calendars_in_use(self) -> list[WorkingCalendar]:
        seen = {id(w.calendar): w.calendar for w in self.windows.values() if w.calendar}
        return list(seen.values())


@dataclass(frozen=True)
class UnknownYear:
    """A calendar's year whose days off and make-up working days are not known."""

    calendar: str
    year: int


class _Reader:
    """Walks the parsed TOML and raises PolicyError naming file and key."""

    def __init__(self, source: str, countries: CountryData | None = None) -> None:
        self.source = source
        self.countries = countries  # what the holidays package says (None: ask it)

    def fail(self, key: str, problem: str) -> PolicyError:
        return PolicyError(f"{self.source}: {key}: {problem}")

    def get(self, table: dict, key: str, path: str, kind: type | tuple, default: Any = ...) -> Any:
        full = f"{path}.{key}" if path else key
        if key not in table:
            if default is ...:
                raise self.fail(full, "missing")
            return default
        value = table[key]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            raise self.fail(full, f"expected a number, got {value!r}")
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail(full, f"expected {names}, got {value!r}")
        return value

    def only(self, table: dict, path: str, keys: set[str]) -> None:
        """Refuse keys the policy does not know (a misplaced line is silently lost otherwise)."""
        for key in table:
            if key not in keys:
                full = f"{path}.{key}" if path else key
                raise self.fail(full, f"unknown key (known here: {', '.join(sorted(keys))})")

    def duration(self, table: dict, key: str, path: str) -> int:
        text = self.get(table, key, path, str)
        try:
            return parse_duration(text)
        except ValueError as exc:
            raise self.fail(f"{path}.{key}", str(exc)) from None

    def zone(self, name: str, key: str) -> ZoneInfo:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(key, f"unknown time zone {name!r}") from None

    def dates(self, table: dict, key: str, path: str) -> frozenset[date]:
        full = f"{path}.{key}" if path else key
        try:
            return frozenset(dates_of(self.get(table, key, path, list, []), full))
        except OverrideError as exc:
            raise PolicyError(f"{self.source}: {exc}") from None


def load_policy(
    path: str | Path,
    timezone: str | None = None,
    desk_calendar: str | Path | None = None,
    countries: CountryData | None = None,
) -> Policy:
    """Load a policy file; ``timezone`` (from the config) overrides the desk's zone.

    ``desk_calendar``: the desk's own calendar file (``oncall calendar set``), read on
    top of the policy's calendars when it exists. ``countries``: where the calendars
    get a country's days (default: the ``holidays`` package, asked each time; the
    command line passes its file cache, ``oncall.calendar_cache``).
    """
    path = Path(path)
    source = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"{source}: policy file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{source}: cannot read the policy file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML: {exc}") from None
    if timezone:
        raw["timezone"] = timezone
    desk = None
    if desk_calendar is not None:
        desk_file = Path(desk_calendar)
        try:
            desk = (str(desk_file), tomllib.loads(desk_file.read_text(encoding="utf-8")))
        except FileNotFoundError:
            desk = None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise PolicyError(f"{desk_file}: cannot read the desk's calendar file: {exc}") from None
    return parse_policy(raw, source, base=path.parent, desk_calendar=desk, countries=countries)


def parse_policy(
    raw: dict,
    source: str = "<policy>",
    base: Path | None = None,
    desk_calendar: tuple[str, dict] | None = None,
    countries: CountryData | None = None,
) -> Policy:
    r = _Reader(source, countries)
    r.only(raw, "", _TOP_KEYS)
    tz_name = r.get(raw, "timezone", "", str, "Asia/Shanghai")
    tz = r.zone(tz_name, "timezone")
    country = r.get(raw, "country", "", str, None)

    thresholds = r.get(raw, "thresholds", "", dict, {})
    r.only(thresholds, "thresholds", {"warning", "critical"})
    warning = float(r.get(thresholds, "warning", "thresholds", (int, float), 0.75))
    critical = float(r.get(thresholds, "critical", "thresholds", (int, float), 0.90))
    if not 0 < warning < critical < 1:
        raise r.fail("thresholds", "need 0 < warning < critical < 1")

    reopen = r.get(raw, "reopen", "", str, "full")
    if reopen not in REOPEN_MODES:
        raise r.fail("reopen", f"expected one of {', '.join(REOPEN_MODES)}, got {reopen!r}")

    calendars = {
        name: _calendar(r, name, table, base, desk_calendar)
        for name, table in r.get(raw, "calendars", "", dict, {}).items()
    }
    if desk_calendar is not None:
        stray = sorted(set(desk_calendar[1]) - set(calendars))
        if stray:
            raise PolicyError(f"{desk_calendar[0]}: {stray[0]}: the policy has no such calendar")
    lookahead = r.get(raw, "calendar_lookahead_days", "", int, 60)
    if not 0 <= lookahead <= 3660:
        raise r.fail("calendar_lookahead_days", "expected a number of days from 0 to 3660")
    windows_raw = r.get(raw, "windows", "", dict)
    windows = {name: _window(r, name, table, tz, calendars) for name, table in windows_raw.items()}

    levels_raw = r.get(raw, "levels", "", dict)
    levels: dict[int, Level] = {}
    for key, table in levels_raw.items():
        path = f"levels.{key}"
        if not key.isdigit():
            raise r.fail(path, "a level is a whole number like 0, 1, 2")
        if not isinstance(table, dict):
            raise r.fail(path, "expected a table")
        number = int(key)
        r.only(table, path, {"name", "window", "respond", "resolve"})
        window_name = r.get(table, "window", path, str)
        if window_name not in windows:
            raise r.fail(f"{path}.window", f"no window named {window_name!r}")
        respond_raw = r.get(table, "respond", path, dict)
        respond = {ch: r.duration(respond_raw, ch, f"{path}.respond") for ch in CHANNELS}
        extra = set(respond_raw) - set(CHANNELS)
        if extra:
            raise r.fail(f"{path}.respond", f"unknown channel {sorted(extra)[0]!r}")
        levels[number] = Level(
            number=number,
            name=r.get(table, "name", path, str, f"Level {number}"),
            window=windows[window_name],
            respond=respond,
            resolve=r.duration(table, "resolve", path),
        )
    if not levels:
        raise r.fail("levels", "the policy defines no level")

    further = []
    for i, table in enumerate(r.get(raw, "deadlines", "", list, [])):
        path = f"deadlines[{i}]"
        if not isinstance(table, dict):
            raise r.fail(path, "expected a table")
        r.only(table, path, _DEADLINE_KEYS)
        clock = r.get(table, "clock", path, str)
        if clock not in FURTHER_CLOCKS:
            raise r.fail(f"{path}.clock", f"expected one of {', '.join(FURTHER_CLOCKS)}")
        level_list = r.get(table, "levels", path, list)
        for level in level_list:
            if level not in levels:
                raise r.fail(f"{path}.levels", f"no level {level!r}")
        window_name = r.get(table, "window", path, str)
        if window_name not in windows:
            raise r.fail(f"{path}.window", f"no window named {window_name!r}")
        unresponded = None
        if clock == "onsite_arrival":
            unresponded = r.duration(table, "unresponded_after", path)
        further.append(
            FurtherDeadline(
                clock=clock,
                levels=frozenset(level_list),
                within=r.duration(table, "within", path),
                window=windows[window_name],
                pausable=r.get(table, "pausable", path, bool, False),
                unresponded_after=unresponded,
                description=r.get(table, "description", path, str, ""),
            )
        )
    seen: set[tuple[str, int]] = set()
    for d in further:
        for level in d.levels:
            if (d.clock, level) in seen:
                raise r.fail("deadlines", f"two {d.clock} deadlines for level {level}")
            seen.add((d.clock, level))

    record_required = _record_required(r, raw, levels)

    return Policy(
        source=source,
        timezone=tz,
        country=country,
        warning=warning,
        critical=critical,
        reopen=reopen,
        levels=dict(sorted(levels.items())),
        windows=windows,
        calendars=calendars,
        further=tuple(further),
        calendar_lookahead=timedelta(days=lookahead),
        record_required=record_required,
    )


def _record_required(r: _Reader, raw: dict, levels: dict) -> dict[int, tuple[str, ...]]:
    """``[record_required]``: level -> the record fields required before closing (a level
    not listed: none). Without the table, ``DEFAULT_RECORD_REQUIRED`` for the levels there are."""
    if "record_required" not in raw:
        return {k: v for k, v in DEFAULT_RECORD_REQUIRED.items() if k in levels}
    table = r.get(raw, "record_required", "", dict)
    out: dict[int, tuple[str, ...]] = {}
    for key, names in table.items():
        path = f"record_required.{key}"
        if not key.isdigit() or int(key) not in levels:
            raise r.fail(path, f"no level {key!r}")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise r.fail(path, f"expected a list of record fields ({', '.join(RECORD_FIELDS)})")
        unknown = [n for n in names if n not in RECORD_FIELDS]
        if unknown:
            raise r.fail(path, f"{unknown[0]!r} is not a record field ({', '.join(RECORD_FIELDS)})")
        out[int(key)] = tuple(n for n in RECORD_FIELDS if n in names)
    return dict(sorted(out.items()))


def _calendar(
    r: _Reader, name: str, table: Any, base: Path | None, desk: tuple[str, dict] | None
) -> WorkingCalendar:
    path = f"calendars.{name}"
    if not isinstance(table, dict):
        raise r.fail(path, "expected a table")
    r.only(
        table,
        path,
        {"country", "subdivision", "holidays", "workdays", "weekend", "override_file"},
    )
    extra = Overrides()
    extra.add(r.dates(table, "holidays", path), r.dates(table, "workdays", path), set(), "policy")
    override = r.get(table, "override_file", path, str, None)
    if override is not None:
        file = Path(override)
        if not file.is_absolute() and base is not None:
            file = base / file
        try:
            raw = tomllib.loads(file.read_text(encoding="utf-8"))
            off, work, years = shipped_entries(raw)
        except FileNotFoundError:
            raise r.fail(f"{path}.override_file", f"file not found: {file}") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise r.fail(f"{path}.override_file", f"{file}: {exc}") from None
        except OverrideError as exc:  # name the override file, not the policy
            raise PolicyError(f"{file}: {exc}") from None
        try:
            extra.add(off, work, years, f"override file {file}")
        except OverrideError as exc:
            raise r.fail(path, str(exc)) from None
    if desk is not None:
        desk_file, raw = desk
        try:
            entries = desk_entries(raw, name)
        except OverrideError as exc:
            raise PolicyError(f"{desk_file}: {exc}") from None
        for year, (off, work) in sorted(entries.items()):
            extra.add(off, work, {year}, f"desk file {desk_file}", wins=True)
    weekend = None
    if "weekend" in table:
        days = r.get(table, "weekend", path, list)
        unknown = [d for d in days if d not in WEEKDAYS]
        if unknown:
            raise r.fail(f"{path}.weekend", f"{unknown[0]!r} is not a weekday like sat")
        weekend = frozenset(WEEKDAYS.index(d) for d in days)
    country = r.get(table, "country", path, str, None)
    if country is not None and not (r.countries or PACKAGE).knows(country):
        raise r.fail(f"{path}.country", f"the holidays package does not know {country!r}")
    try:
        return WorkingCalendar(
            name=name,
            country=country,
            subdivision=r.get(table, "subdivision", path, str, None),
            holidays=frozenset(extra.holidays),
            workdays=frozenset(extra.workdays),
            weekend=weekend,
            known=frozenset(extra.known),
            origins=extra.origins,
            countries=r.countries,
        )
    except ValueError as exc:
        raise r.fail(path, str(exc)) from None


def _window(
    r: _Reader, name: str, table: Any, desk_tz: ZoneInfo, calendars: dict[str, WorkingCalendar]
) -> ServiceWindow:
    path = f"windows.{name}"
    if not isinstance(table, dict):
        raise r.fail(path, "expected a table")
    r.only(table, path, {"timezone", "description", "always", "calendar", "makeup_as", *WEEKDAYS})
    tz_name = r.get(table, "timezone", path, str, None)
    tz = r.zone(tz_name, f"{path}.timezone") if tz_name else desk_tz
    description = r.get(table, "description", path, str, "")
    if r.get(table, "always", path, bool, False):
        return ServiceWindow(name=name, tz=tz, always=True, description=description)
    days = []
    for weekday in WEEKDAYS:
        spans = []
        for text in r.get(table, weekday, path, list, []):
            if not isinstance(text, str):
                raise r.fail(f"{path}.{weekday}", f"{text!r} is not an interval like 09:00-17:00")
            try:
                spans.append(parse_span(text))
            except ValueError as exc:
                raise r.fail(f"{path}.{weekday}", str(exc)) from None
        days.append(tuple(sorted(spans)))
    calendar_name = r.get(table, "calendar", path, str, None)
    calendar = None
    if calendar_name is not None:
        if calendar_name not in calendars:
            raise r.fail(f"{path}.calendar", f"no calendar named {calendar_name!r}")
        calendar = calendars[calendar_name]
        hours_on = {weekday for weekday, spans in enumerate(days) if spans}
        off = calendar.weekend_days()
        if hours_on <= off:
            names = ", ".join(WEEKDAYS[d] for d in sorted(off))
            raise r.fail(
                path,
                f"its hours fall only on days calendar {calendar_name!r} has off ({names}): "
                "give it hours on a working weekday, or bind it to another calendar",
            )
    makeup = r.get(table, "makeup_as", path, str, "mon")
    if makeup not in WEEKDAYS:
        raise r.fail(f"{path}.makeup_as", f"expected a weekday like mon, got {makeup!r}")
    try:
        return ServiceWindow(
            name=name,
            tz=tz,
            days=tuple(days),
            calendar=calendar,
            makeup_as=WEEKDAYS.index(makeup),
            description=description,
        )
    except ValueError as exc:
        raise r.fail(path, str(exc)) from None

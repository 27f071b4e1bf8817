"""Working-day calendars: public holidays and make-up working days.

A calendar answers one question per date: is it a day off, an ordinary day, or
a make-up working day (a weekend day that is worked to pay for a holiday, 调休)?
Country data comes from the ``holidays`` package; explicit dates from the policy
and its override file win over the package, so a desk can add a year the
package does not know yet or correct one it gets wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cache
from typing import NamedTuple, Protocol


class DayKind(Enum):
    OFF = "off"  # public holiday or weekend
    WORK = "work"  # ordinary working day
    MAKEUP = "makeup"  # weekend day worked in exchange for a holiday


class CountryYear(NamedTuple):
    """What the ``holidays`` package says of one year of a country."""

    off: frozenset[date]  # public holidays (rule-based for a year not yet published)
    makeup: frozenset[date]  # weekend days worked in exchange for a holiday (调休)
    weekend: frozenset[int]  # the country's weekend, Monday is 0
    # The year's official schedule is in the package: its make-up working days are
    # known, or the country never has any. A year whose make-up days are published
    # later (China's come each November) is not known until then.
    known: bool


class CountryData(Protocol):
    """What the ``holidays`` package says of a country: the calendar engine's only input
    besides the policy."""

    def year(self, country: str, subdivision: str | None, year: int) -> CountryYear: ...

    def weekend(self, country: str, subdivision: str | None) -> frozenset[int]: ...

    def first_year(self, country: str, subdivision: str | None) -> int: ...

    def knows(self, country: str) -> bool: ...


FLOOR_YEAR = 1970  # a calendar without a country's data: no older instant makes sense


class PackageData:
    """``CountryData`` straight from the ``holidays`` package, nothing kept (a
    ``WorkingCalendar`` keeps each year it asked for)."""

    def year(self, country: str, subdivision: str | None, year: int) -> CountryYear:
        return country_year_of(from_package(country, subdivision, year))

    def weekend(self, country: str, subdivision: str | None) -> frozenset[int]:
        return self.year(country, subdivision, 2000).weekend

    def first_year(self, country: str, subdivision: str | None) -> int:
        return first_year_in_package(country, subdivision)

    def knows(self, country: str) -> bool:
        from holidays.registry import COUNTRIES  # the cheap index, not every country module

        return any(country in names for names in COUNTRIES.values())


PACKAGE = PackageData()


@dataclass(frozen=True)
class WorkingCalendar:
    """Which dates are worked.

    Explicit dates (the policy's and its override files') win over the country's
    calendar from the ``holidays`` package. The weekend is the country's, or the
    ``weekend`` given; a calendar with neither has no weekend: its days off are its
    holidays only, and the window's weekly schedule alone says which weekdays have
    hours.
    """

    name: str
    country: str | None = None
    subdivision: str | None = None
    holidays: frozenset[date] = frozenset()  # extra days off (override)
    workdays: frozenset[date] = frozenset()  # extra working days (override)
    weekend: frozenset[int] | None = None  # Monday is 0; None: the country's, or none
    # Years whose schedule an override file gives in full (so they count as known),
    # and where each explicit date and year came from (for ``oncall calendar show``).
    known: frozenset[int] = frozenset()
    origins: Mapping[date | int, str] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )
    # Where the country's days come from (None: the package, each year asked once).
    countries: CountryData | None = field(default=None, compare=False, hash=False, repr=False)
    _years: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        both = self.holidays & self.workdays
        if both:
            days = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"calendar {self.name!r}: both a holiday and a working day: {days}")

    def _country_year(self, year: int) -> CountryYear:
        cached = self._years.get(year)
        if cached is None:
            cached = self._countries.year(self.country, self.subdivision, year)
            self._years[year] = cached
        return cached

    @property
    def _countries(self) -> CountryData:
        return self.countries if self.countries is not None else PACKAGE

    def first_year(self) -> int:
        """The first year this calendar has the country's data for (``FLOOR_YEAR`` without
        a country)."""
        if self.country is None:
            return FLOOR_YEAR
        return max(self._countries.first_year(self.country, self.subdivision), FLOOR_YEAR)

    def day_kind(self, day: date) -> DayKind:
        weekend = self.weekend_days(day.year)
        if day in self.workdays:
            return DayKind.MAKEUP if day.weekday() in weekend else DayKind.WORK
        if day in self.holidays:
            return DayKind.OFF
        if self.country is not None:
            year = self._country_year(day.year)
            if day in year.makeup:
                return DayKind.MAKEUP
            if day in year.off:
                return DayKind.OFF
        return DayKind.OFF if day.weekday() in weekend else DayKind.WORK

    def weekend_days(self, year: int | None = None) -> frozenset[int]:
        """The weekdays that are off unless worked by exception (Monday is 0)."""
        if self.weekend is not None:
            return self.weekend
        if self.country is None:
            return frozenset()
        if year is None:
            return self._countries.weekend(self.country, self.subdivision)
        return self._country_year(year).weekend

    def is_working_day(self, day: date) -> bool:
        return self.day_kind(day) is not DayKind.OFF

    def year_known(self, year: int) -> bool:
        """Whether this calendar's days off and make-up working days of ``year`` are known.

        A calendar of explicit dates only is what it says; a country's year is known
        once its make-up working days are, from the package or an override file.
        """
        if self.country is None or year in self.known:
            return True
        return self._country_year(year).known

    def year_source(self, year: int) -> str | None:
        """Where the year's schedule comes from (None: it is not known)."""
        if year in self.known:
            return self.origins.get(year, "override file")
        if self.country is None:
            return "policy"
        return "holidays package" if self._country_year(year).known else None

    def explained_days(self, year: int) -> list[tuple[date, DayKind, str]]:
        """The year's exceptions to the weekly rule: days off other than the weekend
        and worked weekend days, each with where it comes from."""
        weekend = self.weekend_days(year)
        dates: dict[date, str] = {}
        if self.country is not None:
            package = self._country_year(year)
            for day in package.off | package.makeup:
                dates[day] = "holidays package"
        for day in self.holidays | self.workdays:
            if day.year == year:
                dates[day] = self.origins.get(day, "policy")
        out = []
        for day in sorted(dates):
            kind = self.day_kind(day)
            ordinary = DayKind.OFF if day.weekday() in weekend else DayKind.WORK
            if kind is not ordinary or day in self.holidays or day in self.workdays:
                out.append((day, kind, dates[day]))
        return out

    def special_days(self, year: int) -> frozenset[date]:
        """The dates of ``year`` whose kind may not follow the year's weekend rule.

        Every other date of the year is a working day or a weekend day by its
        weekday alone: service-time arithmetic counts whole years from this
        (``window.py``). Keep it a superset of the exceptions ``day_kind`` makes.
        """
        days = {d for d in self.holidays | self.workdays if d.year == year}
        if self.country is not None:
            known = self._country_year(year)
            days |= known.off | known.makeup
        return frozenset(days)


def country_year_of(entry: dict) -> CountryYear:
    """A ``CountryYear`` from its JSON form (``from_package``)."""
    return CountryYear(
        off=frozenset(date.fromisoformat(d) for d in entry["off"]),
        makeup=frozenset(date.fromisoformat(d) for d in entry["makeup"]),
        weekend=frozenset(entry["weekend"]),
        known=entry["known"],
    )


def from_package(country: str, subdivision: str | None, year: int) -> dict:
    """One year of a country from the ``holidays`` package, as JSON (days as ISO dates)."""
    import holidays as holidays_pkg

    table = holidays_pkg.country_holidays(country, subdiv=subdivision, years=year)
    makeup = [d for d in getattr(table, "weekend_workdays", ()) if d.year == year]
    known = bool(makeup)
    if not known:
        # A country that has make-up working days has them every year: none for
        # this year means its schedule is not published yet (or not in this package).
        first = max(getattr(table, "start_year", year - 30), year - 30)
        past = holidays_pkg.country_holidays(country, subdiv=subdivision, years=range(first, year))
        known = not any(d.year < year for d in getattr(past, "weekend_workdays", ()))
    return {
        "off": sorted(d.isoformat() for d in table),
        "makeup": sorted(d.isoformat() for d in makeup),
        "weekend": sorted(getattr(table, "weekend", (5, 6))),
        "known": known,
    }


@cache  # the installed package does not change under a running process
def first_year_in_package(country: str, subdivision: str | None = None) -> int:
    """The first year the ``holidays`` package has the country's days for."""
    import holidays as holidays_pkg

    table = holidays_pkg.country_holidays(country, subdiv=subdivision)
    return max(int(getattr(table, "start_year", FLOOR_YEAR)), FLOOR_YEAR)

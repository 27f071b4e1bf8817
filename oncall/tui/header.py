"""The header line: desk time and zone, the engineer, the database, counts by band."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, tzinfo

from ..i18n import _
from ..text import cell_width
from . import fmt
from .lines import DiffLines, Line


class DeskHeader(DiffLines):
    """``2026-10-09 14:05:33 CST │ BRCH 2 CRIT 1 WARN 3 ok 10 │ alerts 0 │ alice │ db``.

    While the database cannot be used, ``trouble`` says so right after the time.
    """

    COMPONENT_CLASSES = {
        "header--time",
        "header--sep",
        "header--breached",
        "header--critical",
        "header--warning",
        "header--ok",
        "header--zero",
        "header--alerts",
        "header--user",
        "header--db",
        "header--readonly",
        "header--calendar",
        "header--trouble",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tz: tzinfo | None = None
        self.user = ""
        self.database = ""
        self.read_only = False
        self.counts: Counter[str] = Counter()
        self.unacked = 0
        self.loaded = False
        self.trouble = ""  # "database unreachable since 03:12, retrying" (the screen says)
        self._now: datetime | None = None
        # (calendar, year) whose working days are not known, from now to the lookahead.
        self.unknown_years: list[tuple[str, int]] = []

    def show(
        self,
        now: datetime | None = None,
        *,
        counts: Counter[str] | None = None,
        unacked: int | None = None,
    ) -> None:
        if now is not None:
            self._now = now
        if counts is not None:
            self.counts = counts
            self.loaded = True
        if unacked is not None:
            self.unacked = unacked
        lines = [self._line()]
        if self.unknown_years:
            lines.append(self._calendar_line())
        self.set_lines(lines)

    def _calendar_line(self) -> Line:
        """A second line while a calendar year ahead is not known: deadlines there are guesses."""
        years = sorted({year for _, year in self.unknown_years})
        calendars = sorted({name for name, _ in self.unknown_years})
        text = _(
            "⚠ {years} workdays unknown ({calendars}), deadlines may be off: "
            "oncall calendar set {year}"
        ).format(
            years=", ".join(map(str, years)),
            calendars=", ".join(fmt.safe(c) for c in calendars),
            year=years[0],
        )
        return [(text, "header--calendar")]

    def on_resize(self) -> None:
        super().on_resize()
        self.show()

    def _line(self) -> Line:
        sep = (" │ ", "header--sep")
        line: Line = []
        if self._now is not None and self.tz is not None:
            local = self._now.astimezone(self.tz)
            zone = local.tzname() or ""
            line.append((local.strftime("%Y-%m-%d %H:%M:%S"), "header--time"))
            line.append((f" {zone}", "header--time"))
            key = getattr(self.tz, "key", "")
            if key and key != zone and self.size.width >= 110:
                line.append((f" {key}", "header--time"))
        else:
            line.append((_("starting…"), "header--time"))
        line.append(sep)
        if self.trouble:  # before the counts: they may be stale, and this must show
            line.append((fmt.safe(self.trouble), "header--trouble"))
            line.append(sep)
        if self.loaded:
            for band in fmt.BAND_ORDER:
                n = self.counts.get(band, 0)
                cls = f"header--{band}" if n else "header--zero"
                line.append((f"{fmt.band_tag(band)} {n}", cls))
                line.append((" ", ""))
            line.pop()
        else:
            line.append((_("loading…"), "header--zero"))
        line.append(sep)
        line.append(
            (
                _("alerts {n}").format(n=self.unacked),
                "header--alerts" if self.unacked else "header--zero",
            )
        )
        line.append(sep)
        user = fmt.safe(self.user)
        if self.read_only:
            user = _("{user} (read-only)").format(user=user)
        line.append((user, "header--readonly" if self.read_only else "header--user"))
        if self.database:
            # Last and least needed: shown whole or not at all (80 columns have no room).
            db = fmt.safe(self.database)
            used = sum(cell_width(text) for text, _cls in line)
            if not self.size.width or used + cell_width(sep[0] + db) <= self.size.width:
                line.append(sep)
                line.append((db, "header--db"))
        return line

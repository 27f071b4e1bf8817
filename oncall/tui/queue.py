"""The queue: every open fault, by its next breach, with a countdown that ticks.

A Line API widget rather than a ``DataTable``: ``DataTable.update_cell`` repaints
the whole table (and drops every cached cell) on each update, so a table whose
countdowns tick every second rewrites all its rows to the terminal once a second.
Here a tick repaints only the countdown cells whose text changed, a reload
repaints only the rows that changed, and the cursor follows the fault (its
ref), not the row number, when rows move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..i18n import N_, _
from ..text import cell_width, fit
from ..vocabulary import short_fault_ref as short_ref
from . import actions, fmt
from .lines import ComponentStyles


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str  # msgid
    min: int
    ideal: int
    drop: int  # 0: never dropped; higher numbers go first when space is short


# A column is never narrower than its header (translated): a header is a whole word.
COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("band", N_("Band"), 4, 4, 0),
    ColumnSpec("left", N_("Left"), 8, 8, 0),
    # First to go: beside the detail pane (from 120 columns) the pane names the clock.
    ColumnSpec("clock", N_("Clock"), 8, 8, 5),
    ColumnSpec("level", N_("Lv"), 2, 2, 0),
    # The fault's number in its year (``short_ref``): what the engineer reads out.
    ColumnSpec("ref", N_("Fault"), 5, 5, 2),
    ColumnSpec("customer", N_("Customer"), 12, 24, 0),
    ColumnSpec("title", N_("Title"), 12, 60, 0),
    ColumnSpec("assignee", N_("Assignee"), 8, 10, 4),
    # A fault waiting on the customer shows how long it has waited here (``paused_cell``).
    ColumnSpec("status", N_("Status"), 11, 11, 3),  # "in progress" whole
)
# Which columns get the room left over, in order, up to their ideal width
# (the title first up to 30 cells; at the end it takes whatever is left).
_GROW = ("title", "customer", "status", "assignee", "title")
_TITLE_FIRST = 30


@dataclass
class Column:
    key: str
    label: str
    x: int
    width: int


def layout_columns(width: int, mins: dict[str, int] | None = None) -> list[Column]:
    """Columns that fit ``width`` cells: drop the least needed, then share what is left.

    No column is narrower than its translated header, nor than ``mins`` says (the
    widest fault number shown), so headers and numbers are never cut."""
    least = {c.key: max(c.min, cell_width(_(c.label)), (mins or {}).get(c.key, 0)) for c in COLUMNS}
    specs = [replace(c, min=least[c.key], ideal=max(c.ideal, least[c.key])) for c in COLUMNS]

    def needed(cols: list[ColumnSpec]) -> int:
        return 1 + sum(c.min for c in cols) + (len(cols) - 1)

    while needed(specs) > width and any(c.drop for c in specs):
        worst = max(specs, key=lambda c: c.drop)
        specs.remove(worst)
    widths = {c.key: c.min for c in specs}
    spare = max(width - needed(specs), 0)
    by_key = {c.key: c for c in specs}
    for n, key in enumerate(_GROW):
        if key not in by_key or spare <= 0:
            continue
        if key == "title":
            last = n == len(_GROW) - 1
            grow = spare if last else min(max(_TITLE_FIRST - widths[key], 0), spare)
        else:
            grow = min(by_key[key].ideal - widths[key], spare)
        widths[key] += grow
        spare -= grow
    columns, x = [], 1
    for spec in specs:
        columns.append(Column(spec.key, spec.label, x, widths[spec.key]))
        x += widths[spec.key] + 1
    return columns


# The ref of the line that stands for the folded long-breached faults (no fault has it).
FOLD = "\x00fold"


def is_fault(ref: str | None) -> bool:
    return ref is not None and ref != FOLD


@dataclass
class Row:
    ref: str
    item: object  # QueueItem
    band: str
    paused: bool
    cells: dict[str, str] = field(default_factory=dict)
    version: int = 0


def paused_cell(item, now: datetime) -> str:
    """A waiting fault's status cell: paused, and for how long (``||2h05m``; 8 cells at
    most). Its clocks say how late it is: a breach stays one while paused."""
    since = item.paused_since
    if since is None:
        return _("||")
    return _("||{time}").format(time=fmt.duration(int((now - since).total_seconds())))


def row_cells(item, band: str, now: datetime, names: dict[str, str]) -> dict[str, str]:
    """The row's texts; ``band``: its band value at ``now``."""
    fault = item.fault
    assignee = fault.assignee or ""
    if getattr(item, "done", False):  # resolved or closed: no clock runs
        band, left, clock = "", "-", "-"
    else:
        band = fmt.band_tag(band)
        left = fmt.row_countdown(item.left(now))
        clock = fmt.clock_name(item.clocks.next_clock or fault.next_clock, short=True)
    return {
        "band": band,
        "left": left,
        "clock": clock,
        "level": f"L{fault.level}",
        "ref": fmt.safe(short_ref(fault.ref, now.year)),
        "customer": f"{fmt.safe(fault.customer)}/{fmt.safe(fault.system)}",
        "title": fmt.safe(fault.title.splitlines()[0] if fault.title else ""),
        "assignee": fmt.safe(names.get(assignee, assignee)) if assignee else "-",
        "status": paused_cell(item, now) if item.paused else fmt.status_name(fault.status),
    }


def catch_up(row: Row, now: datetime | None) -> list[str]:
    """Bring the row's countdown (and a waiting fault's time waited) to ``now``; the
    keys of the cells whose text changed."""
    if now is None or row.item is None:
        return []
    texts = {"left": fmt.row_countdown(row.item.left(now))}
    if row.paused:
        texts["status"] = paused_cell(row.item, now)
    changed = [key for key, text in texts.items() if text != row.cells.get(key)]
    if changed:
        row.cells.update(texts)
        row.version += 1
    return changed


def row_line(cells: list[tuple[Column, str]], style: Style, width: int) -> Strip:
    """One painted row: each cell fitted to its column (the countdown to the right)."""
    parts = [" "]
    for column, text in cells:
        if column.key == "left":
            pad = column.width - cell_width(text)
            parts.append(" " * max(pad, 0) + text if pad >= 0 else fit(text, column.width))
        else:
            parts.append(fit(text, column.width))
        parts.append(" ")
    line = "".join(parts)
    used = cell_width(line)
    if used < width:
        line += " " * (width - used)
    # The cells end with a separator: cut the line to the width (measured, not claimed).
    return Strip([Segment(line, style)]).crop(0, width)


@dataclass(frozen=True)
class PreparedRow:
    """A row's texts, worked out off the event loop (``prepare_rows``)."""

    ref: str
    item: object
    band: str
    paused: bool
    cells: dict[str, str]


def fold_row(hidden: int, expanded: bool) -> PreparedRow:
    """The line standing for the long-breached faults: folded (``hidden`` of them) or not."""
    if expanded:
        text = _("▾ {n} breached over a day ago (z hides them)")
    else:
        text = _("▸ {n} breached over a day ago (z shows them)")
    return PreparedRow(FOLD, None, "fold", False, {"text": text.format(n=hidden)})


def prepare_rows(items: list, now: datetime, names: dict[str, str]) -> list[PreparedRow]:
    """The rows for ``items``: the costly half of showing them, safe on any thread
    (``QueueTable.apply_rows`` is the cheap half, on the loop)."""
    rows = []
    for item in items:
        band = fmt.band_value(item.band_at(now))
        rows.append(
            PreparedRow(item.fault.ref, item, band, item.paused, row_cells(item, band, now, names))
        )
    return rows


class QueueTable(ComponentStyles, ScrollView, can_focus=True):
    """The open faults, one line each, under a fixed header line."""

    COMPONENT_CLASSES = {
        "queue--header",
        "queue--ok",
        "queue--warning",
        "queue--critical",
        "queue--breached",
        "queue--paused",
        "queue--cursor",
        "queue--cursor-blurred",
        "queue--note",
        "queue--fold",
        "queue--done",
    }

    BINDINGS = actions.bindings(actions.QUEUE)

    class Fold(Message):
        """Enter on the folded long-breached line."""

    class Chosen(Message):
        """Enter on a fault."""

        def __init__(self, ref: str) -> None:
            super().__init__()
            self.ref = ref

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.rows: list[Row] = []
        self._index: dict[str, int] = {}
        self.cursor = 0
        self.note = _("loading…")
        self._columns: list[Column] = []
        self._columns_key: tuple = ()
        self._ref_width = 0  # the widest fault number shown
        self._strips: dict[str, tuple[tuple, Strip]] = {}
        self._styles: dict[str, Style] = {}
        self._last_ref: str | None = None
        self._now: datetime | None = None  # the last tick's instant
        # Called at once when the cursor is on another fault (None: the queue is
        # empty); a call, not a message, so that what it shows lands in the same frame.
        self.on_cursor: Callable[[str | None], None] | None = None

    # -- data -------------------------------------------------------------------------
    @property
    def cursor_ref(self) -> str | None:
        """The fault under the cursor (None: none, or the folded line)."""
        ref = self._cursor_key
        return ref if is_fault(ref) else None

    @property
    def _cursor_key(self) -> str | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor].ref
        return None

    @property
    def on_fold(self) -> bool:
        return self._cursor_key == FOLD

    def row(self, ref: str) -> Row | None:
        index = self._index.get(ref)
        return None if index is None else self.rows[index]

    @property
    def refs(self) -> list[str]:
        """The faults shown, in order (not the folded line)."""
        return [r.ref for r in self.rows if r.ref != FOLD]

    def apply_rows(self, prepared: list[PreparedRow], note: str | None = None) -> None:
        """Show rows made by ``prepare_rows`` (on any thread); keep the cursor's fault.

        Compares each row's texts with the shown ones and repaints only the rows
        that changed (all of them only when the order changed).
        """
        old_ref = self._cursor_key
        old_rows = self._index
        same_order = len(prepared) == len(self.rows)
        rows: list[Row] = []
        changed: list[int] = []
        current = self.rows
        for n, p in enumerate(prepared):
            ref = p.ref
            index = old_rows.get(ref)
            if index is None:
                row = Row(ref, p.item, p.band, p.paused, dict(p.cells))
                changed.append(n)
                same_order = False
            else:
                row = current[index]
                if index != n:
                    same_order = False
                if row.band != p.band or row.paused != p.paused or row.cells != p.cells:
                    changed.append(n)
                    row.version += 1
                    row.band, row.paused, row.cells = p.band, p.paused, dict(p.cells)
                row.item = p.item
            rows.append(row)
        self.rows = rows
        self._index = {r.ref: i for i, r in enumerate(rows)}
        self._ref_width = max((cell_width(r.cells.get("ref", "")) for r in rows), default=0)
        if note is not None:
            self.note = note
        if not same_order:
            for ref in set(self._strips) - set(self._index):
                del self._strips[ref]
        # The cursor stays on its fault; a fault that left leaves the cursor where it was.
        if old_ref is not None and old_ref in self._index:
            self.cursor = self._index[old_ref]
        else:
            self.cursor = min(self.cursor, max(len(rows) - 1, 0))
        if self.virtual_size.height != len(rows) + 1:
            self.virtual_size = Size(self.size.width, len(rows) + 1)
        if not same_order:
            self.refresh()
        else:
            for index in changed:
                self._refresh_row(index)
        self._keep_cursor_visible()
        self._announce()

    def tick(self, now: datetime) -> None:
        """Update the countdowns on the screen; repaint the cells whose text changed.

        Only the rows in view: the others are brought up to date when they are
        drawn (``render_line``), so a tick costs the same with 40 faults or 1,000.
        """
        self._now = now
        top = int(self.scroll_y)
        height = self.size.height - 1
        columns = {c.key: c for c in self._layout()}
        for index in range(top, min(top + height, len(self.rows))):
            for key in catch_up(self.rows[index], self._now):
                column = columns.get(key)
                if column is not None:
                    self.refresh(Region(column.x, index - top + 1, column.width, 1))

    def set_bands(self, bands: dict[str, str]) -> None:
        """New bands for some faults ({ref: band value}), as time moved them on."""
        for ref, band in bands.items():
            index = self._index.get(ref)
            if index is None:
                continue
            row = self.rows[index]
            if row.band == band:
                continue
            row.band = band
            row.cells["band"] = fmt.band_tag(band)
            row.version += 1
            self._refresh_row(index)

    def drop(self, ref: str) -> None:
        """Take ``ref``'s row out (a resolved fault kept in view until the cursor left it)."""
        index = self._index.pop(ref, None)
        if index is None:
            return
        del self.rows[index]
        self._strips.pop(ref, None)
        self._index = {r.ref: i for i, r in enumerate(self.rows)}
        if self.cursor > index:
            self.cursor -= 1
        self.cursor = min(self.cursor, max(len(self.rows) - 1, 0))
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        self.refresh()
        self._keep_cursor_visible()

    def set_note(self, note: str) -> None:
        self.note = note
        if not self.rows:
            self.refresh()

    # -- cursor -----------------------------------------------------------------------
    def move_to(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        if index == self.cursor:
            return
        old = self.cursor
        self.cursor = index
        self._refresh_row(old)
        self._refresh_row(index)
        self._keep_cursor_visible()
        self._announce()

    def move_to_ref(self, ref: str) -> bool:
        index = self._index.get(ref)
        if index is None:
            return False
        self.move_to(index)
        return True

    def action_move(self, to: str) -> None:
        """The cursor keys (``move('down')`` …, from ``actions.QUEUE``)."""
        page = max(self.size.height - 2, 1)
        steps = {"up": -1, "down": 1, "page_up": -page, "page_down": page}
        if to in steps:
            self.move_to(self.cursor + steps[to])
        else:
            self.move_to(0 if to == "first" else len(self.rows) - 1)

    def key_enter(self, event: events.Key) -> None:
        if self.on_fold:
            event.stop()
            self.post_message(self.Fold())
            return
        ref = self.cursor_ref
        if ref is not None:
            event.stop()
            self.post_message(self.Chosen(ref))

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= index < len(self.rows):
            self.move_to(index)

    def _announce(self) -> None:
        ref = self.cursor_ref
        if ref != self._last_ref:
            self._last_ref = ref
            if self.on_cursor is not None:
                self.on_cursor(ref)

    def _keep_cursor_visible(self) -> None:
        height = max(self.size.height - 1, 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    # -- painting ---------------------------------------------------------------------
    def _layout(self) -> list[Column]:
        width = self.scrollable_content_region.width or self.size.width
        key = (width, self._ref_width)
        if key != self._columns_key:
            self._columns = layout_columns(width, {"ref": self._ref_width})
            self._columns_key = key
            self._strips.clear()
        return self._columns

    def _refresh_row(self, index: int) -> None:
        top = int(self.scroll_y)
        if top <= index < top + self.size.height - 1:
            self.refresh(Region(0, index - top + 1, self.size.width, 1))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows) + 1)
        self._keep_cursor_visible()

    @on(events.Focus)
    @on(events.Blur)
    def _focus_moved(self) -> None:
        self._refresh_row(self.cursor)  # the cursor's colour says whether the queue has focus

    def render_line(self, y: int) -> Strip:
        columns = self._layout()
        width = self.scrollable_content_region.width or self.size.width
        base = self.rich_style
        if y == 0:
            return row_line(
                [(c, _(c.label)) for c in columns], base + self._style("queue--header"), width
            )
        index = int(self.scroll_y) + y - 1
        if index >= len(self.rows):
            if not self.rows and y == 2:
                text = fit("  " + self.note, width)
                return Strip([Segment(text, base + self._style("queue--note"))], width)
            return Strip.blank(width, base)
        row = self.rows[index]
        catch_up(row, self._now)  # scrolled into view since the last tick
        is_cursor = index == self.cursor
        key = (row.version, is_cursor, is_cursor and self.has_focus, width)
        cached = self._strips.get(row.ref)
        if cached is not None and cached[0] == key:
            return cached[1]
        style = base + self._style(f"queue--{row.band}")
        if row.paused:
            style += self._style("queue--paused")
        if getattr(row.item, "done", False):
            style += self._style("queue--done")
        if is_cursor:
            style += self._style("queue--cursor" if self.has_focus else "queue--cursor-blurred")
        if row.item is None:  # the folded line: its text across the row
            text = fit(" " + row.cells.get("text", ""), width)
            strip = Strip([Segment(text + " " * (width - cell_width(text)), style)], width)
        else:
            strip = row_line([(c, row.cells.get(c.key, "")) for c in columns], style, width)
        self._strips[row.ref] = (key, strip)
        return strip

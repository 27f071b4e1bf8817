"""A few lines of styled text that repaint only the cells that changed.

Over a slow ssh link every byte counts: a clock that ticks in a header should
rewrite its eight digits, not the whole line. ``DiffLines.set_lines`` compares
the new lines with the shown ones cell by cell and refreshes just the changed
span of each line. Styles are component classes (set in the .tcss files).
``wrap`` cuts a paragraph of styled pieces into rows of a width (CJK-aware).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from ..text import cell_width, fit

# A line is a list of (text, component class or "") pieces; text is already safe.
Piece = tuple[str, str]
Line = list[Piece]


def _cells(line: Line) -> list[tuple[str, str]]:
    """One entry per terminal cell: (character or "" for a wide char's 2nd cell, class)."""
    out: list[tuple[str, str]] = []
    for text, cls in line:
        for ch in text:
            w = cell_width(ch)
            if w == 0:
                if out:
                    out[-1] = (out[-1][0] + ch, out[-1][1])
                continue
            out.append((ch, cls))
            if w == 2:
                out.append(("", cls))
    return out


def changed_span(old: Line, new: Line) -> tuple[int, int] | None:
    """(start, end) cells that differ between two lines, None when they are equal."""
    a, b = _cells(old), _cells(new)
    if a == b:
        return None
    start = 0
    limit = min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    if end_a != end_b:  # everything after the change moved: repaint to the end
        return _wide_start(a, b, start), max(end_a, end_b)
    while end_a > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    # a wide character's two cells repaint together
    while end_a < len(a) and a[end_a][0] == "":
        end_a += 1
    while end_b < len(b) and b[end_b][0] == "":
        end_b += 1
    return _wide_start(a, b, start), max(end_a, end_b)


def _wide_start(a: list, b: list, start: int) -> int:
    """A span starting on a wide character's second cell starts on its first."""
    if start > 0 and (start < len(b) and b[start][0] == "" or start < len(a) and a[start][0] == ""):
        return start - 1
    return start


def line_strip(line: Line, width: int, base: Style, style: Callable[[str], Style]) -> Strip:
    """A line of pieces as a strip of exactly ``width`` cells (cut short when longer)."""
    segments, used = [], 0
    for text, cls in line:
        if used >= width:
            break
        w = cell_width(text)
        if used + w > width:
            text = fit(text, width - used)
            w = width - used
        segments.append(Segment(text, base + style(cls)))
        used += w
    if used < width:
        segments.append(Segment(" " * (width - used), base))
    return Strip(segments, width)


class ComponentStyles:
    """A widget mixin: its component classes' styles, looked up once per style change."""

    _styles: dict[str, Style]

    def _style(self, name: str) -> Style:
        if not name:
            return Style()
        style = self._styles.get(name)
        if style is None:
            style = self.get_component_rich_style(name, partial=True)  # type: ignore[attr-defined]
            self._styles[name] = style
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()  # type: ignore[misc]
        self._styles.clear()


class DiffLines(ComponentStyles, Widget):
    """Lines of pieces; ``set_lines`` repaints only what changed."""

    COMPONENT_CLASSES: set[str] = set()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[Line] = []
        self._styles: dict[str, Style] = {}
        self._strips: dict[int, tuple[tuple, Strip]] = {}

    @property
    def lines(self) -> list[Line]:
        return self._lines

    def plain(self) -> str:
        return "\n".join("".join(t for t, _ in line) for line in self._lines)

    def set_lines(self, lines: list[Line]) -> None:
        old = self._lines
        self._lines = lines
        if len(old) != len(lines):
            self._strips.clear()
            self.refresh(layout=True)
            return
        width = self.size.width
        for y, (before, after) in enumerate(zip(old, lines, strict=True)):
            span = changed_span(before, after)
            if span is None:
                continue
            self._strips.pop(y, None)
            start, end = span
            if start < width:
                self.refresh(Region(start, y, max(min(end, width) - start, 1), 1))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(len(self._lines), 1)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max((sum(cell_width(t) for t, _ in line) for line in self._lines), default=0)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def on_resize(self) -> None:
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        line = self._lines[y]
        key = (width, id(line))
        cached = self._strips.get(y)
        if cached is not None and cached[0] == key:
            return cached[1]
        strip = line_strip(line, width, self.rich_style, self._style)
        self._strips[y] = (key, strip)
        return strip


# -- wrapping a paragraph to a width ----------------------------------------------


def _units(line: Line) -> list[tuple[bool, int, Line]]:
    """``line`` cut where it may wrap: (is space, cells, pieces) for each unbreakable unit.

    A unit is a run of spaces, a word of narrow characters (even across pieces
    of different styles), or one wide (CJK) character: text without spaces may
    wrap between any two wide characters.
    """
    units: list[tuple[bool, int, Line]] = []
    kind = ""  # "s" spaces, "w" a narrow word, "c" a wide character
    for text, cls in line:
        for ch in text:
            w = cell_width(ch)
            if w == 0:  # combining: stays with the character before
                if units:
                    space, width, pieces = units[-1]
                    last_text, last_cls = pieces[-1]
                    pieces[-1] = (last_text + ch, last_cls)
                else:
                    units.append((False, 0, [(ch, cls)]))
                continue
            this = "s" if ch == " " else "c" if w == 2 else "w"
            if this != "c" and this == kind:
                space, width, pieces = units[-1]
                last_text, last_cls = pieces[-1]
                if last_cls == cls:
                    pieces[-1] = (last_text + ch, cls)
                else:
                    pieces.append((ch, cls))
                units[-1] = (space, width + w, pieces)
            else:
                units.append((this == "s", w, [(ch, cls)]))
            kind = this
    return units


def _merge(row: Line) -> Line:
    """Adjacent pieces of the same style joined."""
    out: Line = []
    for text, cls in row:
        if not text:
            continue
        if out and out[-1][1] == cls:
            out[-1] = (out[-1][0] + text, cls)
        else:
            out.append((text, cls))
    return out


def wrap(line: Line, width: int, indent: int = 0) -> list[Line]:
    """``line`` wrapped to ``width`` cells; rows after the first start ``indent`` cells in.

    Breaks at spaces or between wide characters; a word longer than a row is
    cut. Wide characters count two cells and are never split. Spaces at a
    break are dropped; the paragraph's leading spaces are kept. An indent that
    would leave less than a third of the row becomes two cells.
    """
    if sum(cell_width(text) for text, _cls in line) <= width or width <= 0:
        return [line]
    if width - indent < width // 3:  # too little room after the hanging indent
        indent = min(2, width // 4)
    rows: list[Line] = []
    row: Line = []
    used = 0
    start = 0  # cells of the row that are indentation
    pending: Line = []  # spaces not yet placed (dropped if the row breaks there)
    pending_w = 0

    def new_row() -> None:
        nonlocal row, used, start, pending, pending_w
        rows.append(_merge(row))
        row = [(" " * indent, "")] if indent else []
        used = start = indent
        pending, pending_w = [], 0

    for space, w, pieces in _units(line):
        if space:
            if used == 0 and not rows:  # the paragraph's own indentation
                if w <= width:
                    row.extend(pieces)
                    used += w
                    start = used
                continue
            pending.extend(pieces)
            pending_w += w
            continue
        if used + pending_w + w <= width:
            row.extend(pending)
            row.extend(pieces)
            used += pending_w + w
            pending, pending_w = [], 0
            continue
        if used > start:
            new_row()
        pending, pending_w = [], 0
        if used + w <= width:
            row.extend(pieces)
            used += w
            continue
        for text, cls in pieces:  # a word wider than a row: cut it
            for ch in text:
                cw = cell_width(ch)
                if used + cw > width and used > start:
                    new_row()
                row.append((ch, cls))
                used += cw
    rows.append(_merge(row))
    return rows

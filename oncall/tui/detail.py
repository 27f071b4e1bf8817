"""The detail pane: the fault under the cursor, all its clocks, its record and timeline.

One Line API widget (a ``ScrollView`` that paints its own lines), not a column
of auto-height ``Static`` widgets: when the cursor moves to another fault the
pane's text is rebuilt and wrapped here, and the screen only repaints it. Auto-
height widgets that change height make Textual lay the whole screen out again
(two or three passes of 10-20 ms each), which made key presses lag.

The pane's text is a list of paragraphs (lines of styled pieces, see
``lines.Line``), each wrapped to the pane's width (CJK-aware, with a hanging
indent); the wrapped rows are painted as cached strips. A tick rewrites only the
clock cells whose text or band changed. Styles are component classes (set in
styles/oncall.tcss) looked up when painting, so a theme change needs no rebuild.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..i18n import N_, _
from ..text import cell_width, fit
from ..verbs import audit
from . import actions, fmt
from .lines import ComponentStyles, Line, changed_span, line_strip, wrap

if TYPE_CHECKING:
    from ..desk import EngineerInfo, EventView, FaultView, WorkEntry
    from ..sla import ClockState, FaultClocks, Policy

# The audit verbs of work entries (their timeline lines show the entry).
_WORK_VERBS = tuple(audit(n) for n in ("work", "work-edit", "work-end", "sign-off"))

RECORD_FIELDS = (
    ("symptom", N_("Symptom")),
    ("diagnosis", N_("Diagnosis process")),
    ("handling", N_("Handling process")),
    ("losses", N_("Losses")),
    ("changes", N_("Changes made")),
)

# The clock table's columns: name, deadline, left (right-aligned), used; then the band.
CLOCK_WIDTHS = (11, 11, 8, 4)
CLOCK_BAND_AT = sum(CLOCK_WIDTHS) + len(CLOCK_WIDTHS)  # where the band column starts

SECTIONS = ("title", "next", "head", "clocks", "record", "timeline")


# -- the clock table -----------------------------------------------------------------


def _clock_row(name: str, deadline: str, left: str, used: str, band: str, right: bool) -> str:
    widths = CLOCK_WIDTHS
    pad = widths[2] - cell_width(left)
    left = " " * pad + left if right and pad >= 0 else fit(left, widths[2])
    cells = (fit(name, widths[0]), fit(deadline, widths[1]), left, fit(used, widths[3]))
    return " ".join(cells) + " " + band


def clock_cell(clock: str) -> str:
    """The clock's name in the table's first column: whole words, the queue's short
    name where the full one is too wide (``arrive``, not ``on-site ar…``)."""
    name = fmt.clock_name(clock)
    return name if cell_width(name) <= CLOCK_WIDTHS[0] else fmt.clock_name(clock, short=True)


def clock_lines(clocks: FaultClocks, now: datetime, tz: tzinfo | None) -> list[Line]:
    """The clock table: a header line, then one line per clock, styled by its band at ``now``;
    under a clock past its deadline (running, paused or stopped late), by how much."""
    head = _clock_row(_("Clock"), _("Deadline"), _("Left"), _("Used"), _("Band"), False)
    lines: list[Line] = [[(head, "clocks--header")]]
    for c in clocks.clocks:
        lines.append(_clock_line(c, now, tz))
        late = c.late(now)
        if late > 0:
            text = _("breached by {time}").format(time=fmt.countdown(late))
            lines.append([(" " * (CLOCK_WIDTHS[0] + 1) + text, "clocks--breached")])
    return lines


def _clock_line(c: ClockState, now: datetime, tz: tzinfo | None) -> Line:
    """One clock's row: deadline, time left (or met, missed, paused), share used, band."""
    name = clock_cell(c.name)
    deadline = fmt.short_when(c.deadline, tz)
    used = fmt.percent(c.share)
    state = c.state  # one order of checks with the CLI (oncall/sla/clocks.py says why)
    if state in ("met", "missed"):
        text = _clock_row(name, deadline, _("met") if c.met else _("missed"), used, "", False)
        cls = "clocks--stopped" if c.met else "clocks--breached"
    elif state == "pending":
        text = _clock_row(name, deadline, _("pending"), used, _("if no response in time"), False)
        cls = "clocks--stopped"
    elif state == "paused":  # breached before the pause: still breached
        band = fmt.band_value(c.band)
        text = _clock_row(name, deadline, _("paused"), used, fmt.band_tag(band), False)
        cls = "clocks--breached" if band == "breached" else "clocks--paused"
    else:
        band = fmt.band_value(c.band_at(now))
        left = fmt.countdown(c.left(now))
        text = _clock_row(name, deadline, left, used, fmt.band_tag(band), True)
        cls = f"clocks--{band}"
    return [(text.rstrip(), cls)]


# -- the pane ------------------------------------------------------------------------


class DetailPane(ComponentStyles, ScrollView, can_focus=True):
    """Shows one ``FaultView``; ``tick`` keeps its clocks live.

    ``lines`` are the rows as painted (wrapped to the pane's width), ``plain()``
    their text; ``section(name)`` is the unwrapped text of one section (one of
    ``SECTIONS``).
    """

    COMPONENT_CLASSES = {
        "detail--label",
        "detail--value",
        "detail--heading",
        "detail--section",
        "detail--muted",
        "detail--title",
        "detail--warn",
        "detail--next",
        "detail--next-late",
        "clocks--header",
        "clocks--ok",
        "clocks--warning",
        "clocks--critical",
        "clocks--breached",
        "clocks--stopped",
        "clocks--paused",
    }

    # Enter on the fault shown does its next step (space does it anywhere).
    BINDINGS = actions.bindings(actions.DETAIL)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: FaultView | None = None
        self.tz: tzinfo | None = None
        self.policy: Policy | None = None
        self.names: dict[str, str] = {}
        # The key of each action (as shown), for the next step's line; the roster
        # names whom to escalate to (None: not loaded).
        self.keys: dict[str, str] = {}
        self.engineers: list[EngineerInfo] | None = None
        self._next_line: Line = []
        self._shown_key: tuple | None = None
        # paragraphs: (pieces, hanging indent, section); wrapped: rows per paragraph
        self._paras: list[tuple[Line, int, str]] = []
        self._wrapped: list[list[Line]] = []
        self._rows: list[Line] = []
        self._wrap_width = 0
        self._clocks_at = -1  # index of the clock table's first paragraph (its header)
        self._clocks_n = 0  # its paragraphs: the header and one per clock
        self._strips: dict[int, tuple[Line, Strip]] = {}
        self._styles: dict[str, Style] = {}

    # -- what the tests and other modules read -----------------------------------------
    @property
    def lines(self) -> list[Line]:
        """The rows as painted: the paragraphs wrapped to the pane's width."""
        return self._rows

    def plain(self) -> str:
        return "\n".join("".join(text for text, _cls in row) for row in self._rows)

    def section(self, name: str) -> str:
        """The text of one section (``SECTIONS``), unwrapped, one paragraph a line."""
        return "\n".join(
            "".join(text for text, _cls in line)
            for line, _indent, sec in self._paras
            if sec == name
        )

    # -- showing -------------------------------------------------------------------------
    def show(self, view: FaultView | None, now: datetime) -> None:
        """Show ``view`` (None: nothing selected); rebuilds only when the fault changed."""
        old = self.view
        self.view = view
        if view is None:
            self._shown_key = None
            self._set_paras([([(_("No fault selected."), "detail--title")], 0, "title")], top=True)
            return
        key = (view.fault.ref, view.fault.version, len(view.events), self.tz, id(self.policy))
        if key == self._shown_key:
            self.tick(now)
            return
        self._shown_key = key
        other = old is None or old.fault.ref != view.fault.ref
        self._set_paras(self._build(view, now), top=other)

    def tick(self, now: datetime) -> None:
        """Update the clocks' time left and band; repaint only the cells that changed."""
        view = self.view
        if view is None or self._clocks_at < 0:
            return
        if self._next_moved(view, now):  # a deadline passed: another step (seldom)
            self._set_paras(self._build(view, now), top=False)
            return
        new = clock_lines(view.clocks, now, self.tz)
        at = self._clocks_at
        if len(new) != self._clocks_n:  # another set of clocks: build the text again
            self._set_paras(self._build(view, now), top=False)
            return
        changed = False
        for n, line in enumerate(new):
            old_line, indent, sec = self._paras[at + n]
            if line != old_line:
                self._paras[at + n] = (line, indent, sec)
                changed = True
        if not changed:
            return
        width = self._wrap_width
        if width <= 0:  # hidden: nothing to repaint
            self._rewrap()
            return
        offset = sum(len(rows) for rows in self._wrapped[:at])
        top = self.scroll_offset.y
        height = self.size.height
        for n in range(len(new)):
            index = at + n
            before = self._wrapped[index]
            line, indent, _sec = self._paras[index]
            after = wrap(line, width, indent)
            if len(after) != len(before):  # the table's rows wrap differently: lay out again
                self._rewrap()
                return
            self._wrapped[index] = after
            for k, (old_row, new_row) in enumerate(zip(before, after, strict=True)):
                y = offset + k
                self._rows[y] = new_row
                span = changed_span(old_row, new_row)
                if span is not None and top <= y < top + height:
                    start, end = span
                    if start < self._text_width:
                        end = min(end, self._text_width)
                        self.refresh(Region(start, y - top, max(end - start, 1), 1))
            offset += len(after)

    # -- layout of the text, not of the screen -------------------------------------------
    @property
    def _text_width(self) -> int:
        """Cells a row may take: the pane less its border, padding and scrollbar gutter."""
        return max(self.scrollable_content_region.width, 0)

    def _set_paras(self, paras: list[tuple[Line, int, str]], *, top: bool) -> None:
        self._paras = paras
        self._clocks_at = next((i for i, p in enumerate(paras) if p[2] == "clocks"), -1)
        self._clocks_n = sum(1 for p in paras if p[2] == "clocks")
        if top and self.scroll_y:
            self.scroll_to(y=0, animate=False, immediate=True)
        self._rewrap()

    def _rewrap(self) -> None:
        """Wrap every paragraph to the pane's width; repaint the rows that changed."""
        width = self._text_width
        self._wrap_width = width
        if width <= 0:  # hidden (80x24 before Enter): wrapped when it is shown (on_resize)
            self._wrapped = [[line] for line, _indent, _sec in self._paras]
            self._rows = [line for line, _indent, _sec in self._paras]
            self._strips.clear()
            return
        self._wrapped = [wrap(line, width, indent) for line, indent, _sec in self._paras]
        old = self._rows
        self._rows = [row for rows in self._wrapped for row in rows]
        self._set_height(len(self._rows))
        top = self.scroll_offset.y
        rows = self._rows
        for y in range(self.size.height):
            index = top + y
            before = old[index] if index < len(old) else None
            after = rows[index] if index < len(rows) else None
            if before != after:
                self.refresh(Region(0, y, width, 1))

    def _set_height(self, rows: int) -> None:
        """Set the scrollable height without a layout of the screen.

        Assigning ``virtual_size`` makes Textual lay the whole screen out (and a
        scrollbar that comes or goes does too). The pane's scrollbar is always
        there (``overflow-y: scroll``) and the scrollable height is at least the
        pane's (a text that fits leaves the scrollbar's track empty), so only the
        scrollbar needs telling.
        """
        window = self.container_size.height - self.scrollbar_size_horizontal
        size = Size(self._text_width, max(rows, window))
        if size == self.virtual_size:
            return
        if window <= 0 or not self.show_vertical_scrollbar:  # not laid out yet
            self.virtual_size = size
            return
        self.set_reactive(ScrollView.virtual_size, size)
        scrollbar = self.vertical_scrollbar
        scrollbar.window_virtual_size = size.height
        scrollbar.window_size = window
        if self.scroll_y > self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        if self._text_width != self._wrap_width:
            self._strips.clear()
            self._rewrap()
            self.refresh()
        else:
            self._set_height(len(self._rows))

    # -- painting ------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self._text_width
        index = self.scroll_offset.y + y
        if index >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        row = self._rows[index]
        cached = self._strips.get(index)
        if cached is not None and cached[0] is row and cached[1].cell_length == width:
            return cached[1]
        strip = line_strip(row, width, self.rich_style, self._style)
        self._strips[index] = (row, strip)
        return strip

    # -- the text ------------------------------------------------------------------------
    def _build(self, view: FaultView, now: datetime) -> list[tuple[Line, int, str]]:
        f = view.fault
        paras: list[tuple[Line, int, str]] = []
        title = f"{fmt.safe(f.ref)}  {fmt.safe(f.title)}"
        paras.append(([(title, "detail--title")], 0, "title"))
        self._next_line = self._next_step(view, now)
        if self._next_line:
            paras.append((self._next_line, 2, "next"))
        paras.extend((line, indent, "head") for line, indent in self._head(view))

        def heading(text: str, name: str) -> None:
            paras.append(([], 0, name))
            paras.append(([(text, "detail--section")], 0, name))

        heading(_("Clocks"), "clocks-heading")
        paras.extend(
            (line, CLOCK_BAND_AT, "clocks") for line in clock_lines(view.clocks, now, self.tz)
        )
        heading(_("Fault record"), "record-heading")
        paras.extend((line, 2, "record") for line in self._record(view))
        heading(_("Timeline (newest first)"), "timeline-heading")
        paras.extend((line, 2, "timeline") for line in self._timeline(view))
        return paras

    # -- the next step -------------------------------------------------------------------
    def _next_step(self, view: FaultView, now: datetime) -> Line:
        """The contract's next step as one line: what, why, by when, and its key."""
        if self.policy is None:
            return []
        from ..desk.next_step import next_step as step_of
        from .next_step import next_line, words

        step = step_of(view, self.policy, self.engineers, now)
        return next_line(step, now, words(self.tz, self._who), self.keys)

    def _next_moved(self, view: FaultView, now: datetime) -> bool:
        """Whether the next step's line reads otherwise at ``now`` than as shown."""
        if not self._next_line:
            return False
        return self._next_step(view, now) != self._next_line

    def _level(self, level: int) -> str:
        name = ""
        if self.policy is not None:
            try:
                name = self.policy.level(level).name
            except ValueError:
                name = ""
        return f"L{level} {fmt.level_name(name)}".rstrip()

    def _who(self, user: str | None) -> str:
        if not user:
            return _("(nobody)")
        name = self.names.get(user)
        return fmt.safe(f"{name} ({user})" if name and name != user else user)

    def _head(self, view: FaultView) -> list[tuple[Line, int]]:
        f = view.fault
        system = fmt.safe(f.system)
        product = " ".join(p for p in (view.system_product, view.system_model) if p)
        if product:
            system += f" ({fmt.safe(product)})"
        status = fmt.status_name(f.status)
        if view.clocks.paused_wall_seconds:
            status += "  " + _("paused {time} in all").format(
                time=fmt.duration(view.clocks.paused_wall_seconds)
            )
        pairs = [
            (_("Level"), self._level(f.level)),
            (_("Channel"), fmt.channel_name(f.channel)),
            (_("Customer"), fmt.safe(f.customer)),
            *(
                [(_("Warranty"), _("out of warranty (logged after it ended)"))]
                * view.out_of_warranty
            ),  # fmt: skip
            (_("System"), system),
            (_("Contact"), fmt.safe(f.contact) or "-"),
            (_("Assignee"), self._who(f.assignee)),
            (_("Status"), status),
            (_("Reported"), f"{fmt.when(f.reported_at, self.tz)}  {self._who(f.reported_by)}"),
        ]
        if f.responded_at:
            pairs.append((_("Responded"), fmt.when(f.responded_at, self.tz)))
        if f.resolved_at:
            pairs.append((_("Resolved"), fmt.when(f.resolved_at, self.tz)))
        width = max(cell_width(label) for label, _value in pairs)
        return [
            ([(fit(label, width) + "  ", "detail--label"), (value, "detail--value")], width + 2)
            for label, value in pairs
        ]

    def _record(self, view: FaultView) -> list[Line]:
        lines: list[Line] = []
        for attr, label in RECORD_FIELDS:
            value = (getattr(view.record, attr, "") or "").strip()
            lines.append([(_(label), "detail--label")])
            if value:
                lines.extend(
                    [("  " + fmt.safe(line), "detail--value")] for line in value.splitlines()
                )
            else:
                lines.append([("  -", "detail--muted")])
        return lines

    def _timeline(self, view: FaultView) -> list[Line]:
        work = {w.id: w for w in view.work}
        lines: list[Line] = []
        for event in view.events:
            lines.append(
                [
                    (fmt.short_when(event.at, self.tz) + " ", "detail--muted"),
                    (fmt.safe(event.user) + " ", "detail--label"),
                    (fmt.verb_name(event.verb), "detail--heading"),
                ]
            )
            lines.extend(
                [("  " + text, "detail--value")] for text in self._event_detail(event, work)
            )
        if not lines:
            lines.append([("-", "detail--muted")])
        return lines

    def _event_detail(self, event: EventView, work: dict[int, WorkEntry]) -> list[str]:
        data = event.data or {}
        verb = event.verb
        lines: list[str] = []
        if verb in _WORK_VERBS:
            entry = work.get(data.get("entry"))
            if entry is not None and verb == audit("work"):
                span = f"{fmt.short_when(entry.start, self.tz)}–" + (
                    fmt.short_when(entry.end, self.tz) if entry.end else _("ongoing")
                )
                lines.append(f"{fmt.mode_name(entry.mode)} {span} {self._who(entry.engineer)}")
                if entry.done:
                    lines.append(_("done: {text}").format(text=fmt.safe(entry.done)))
                if entry.result:
                    lines.append(_("result: {text}").format(text=fmt.safe(entry.result)))
                if entry.mode == "onsite":
                    if entry.customer_signoff_name:
                        lines.append(
                            _("signed off by {rep} and {engineer}").format(
                                rep=fmt.safe(entry.customer_signoff_name),
                                engineer=self._who(entry.engineer_signoff),
                            )
                        )
                    else:
                        lines.append(_("not signed off by the customer yet"))
            elif verb == audit("sign-off"):
                lines.append(
                    _("customer representative: {rep}").format(
                        rep=fmt.safe(str(data.get("customer_rep", "")))
                    )
                )
                if data.get("ended"):  # the end the sign-off gave the work
                    lines.append(
                        _("work ended {at}").format(
                            at=fmt.short_when(datetime.fromisoformat(data["ended"]), self.tz)
                        )
                    )
            elif data.get("result"):
                lines.append(_("result: {text}").format(text=fmt.safe(str(data["result"]))))
        elif verb == "log":
            level = self._level(int(data.get("level", 0)))
            lines.append(f"{level} {fmt.channel_name(str(data.get('channel', '')))}")
        elif verb == audit("respond"):
            lines.append(fmt.how_name(str(data.get("how", ""))))
        elif verb in (audit("assign"), audit("escalate")):
            lines.append(f"{self._who(data.get('from'))} → {self._who(data.get('to'))}")
        elif verb == audit("level"):
            lines.append(f"L{data.get('from')} → L{data.get('to')}")
        elif verb == audit("record"):
            fields = data.get("fields") or []
            labels = dict(RECORD_FIELDS)
            lines.append(", ".join(_(labels.get(f, f)) for f in fields))
        for key in ("text", "reason", "summary", "note"):
            value = data.get(key)
            if value:
                lines.append(fmt.safe(str(value)))
        return [line for line in lines if line]

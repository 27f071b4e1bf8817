"""The detail pane: the fault under the cursor, all its clocks, its record and timeline."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..i18n import N_, _
from ..text import cell_width, fit
from . import fmt
from .lines import DiffLines, Line

RECORD_FIELDS = (
    ("symptom", N_("Symptom")),
    ("diagnosis", N_("Diagnosis process")),
    ("handling", N_("Handling process")),
    ("losses", N_("Losses")),
    ("changes", N_("Changes made")),
)


class ClockLines(DiffLines):
    """Every clock of the fault: deadline, time left, share used, band; ticks in place."""

    COMPONENT_CLASSES = {
        "clocks--header",
        "clocks--ok",
        "clocks--warning",
        "clocks--critical",
        "clocks--breached",
        "clocks--stopped",
        "clocks--paused",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clocks: Any = None  # FaultClocks
        self.tz: tzinfo | None = None

    def show(self, clocks: Any, now: datetime) -> None:
        self.clocks = clocks
        self.tick(now)

    def tick(self, now: datetime) -> None:
        if self.clocks is None:
            self.set_lines([])
            return
        widths = (11, 11, 8, 4)

        def row(name: str, deadline: str, left: str, used: str, band: str, right: bool) -> str:
            pad = widths[2] - cell_width(left)
            left = " " * max(pad, 0) + left if right and pad >= 0 else fit(left, widths[2])
            cells = (fit(name, widths[0]), fit(deadline, widths[1]), left, fit(used, widths[3]))
            return " ".join(cells) + " " + band

        head = row(_("Clock"), _("Deadline"), _("Left"), _("Used"), _("Band"), False)
        lines: list[Line] = [[(head, "clocks--header")]]
        for c in self.clocks.clocks:
            band = fmt.band_value(c.band)
            name = fmt.clock_name(c.name)
            deadline = fmt.short_when(c.deadline, self.tz)
            used = fmt.percent(c.share)
            if c.stopped_at is not None:
                text = row(name, deadline, _("met") if c.met else _("missed"), used, "", False)
                cls = "clocks--stopped" if c.met else "clocks--breached"
            elif c.pending:
                text = row(name, deadline, _("pending"), used, _("if no response in time"), False)
                cls = "clocks--stopped"
            elif c.paused:
                text = row(name, deadline, _("paused"), used, fmt.band_tag(band), False)
                cls = "clocks--paused"
            else:
                left = fmt.countdown(c.left(now))
                text = row(name, deadline, left, used, fmt.band_tag(band), True)
                cls = f"clocks--{band}"
            lines.append([(text, cls)])
        self.set_lines(lines)


class DetailPane(VerticalScroll, can_focus=True):
    """Shows one ``FaultView``; ``tick`` keeps its clocks live."""

    COMPONENT_CLASSES = {
        "detail--label",
        "detail--value",
        "detail--heading",
        "detail--muted",
        "detail--title",
        "detail--warn",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: Any = None
        self.tz: tzinfo | None = None
        self.policy: Any = None
        self.names: dict[str, str] = {}
        self._shown_key: tuple | None = None

    def _parts(self):
        yield Static(_("No fault selected."), id="detail-title")
        yield Static("", id="detail-head")
        yield Static(_("Clocks"), classes="detail-section")
        yield ClockLines(id="detail-clocks")
        yield Static(_("Fault record"), classes="detail-section")
        yield Static("", id="detail-record")
        yield Static(_("Timeline (newest first)"), classes="detail-section")
        yield Static("", id="detail-timeline")

    def _s(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self.view is not None and self.is_mounted:
            self._shown_key = None
            self.call_later(self._redraw)

    def _redraw(self) -> None:
        if self.view is not None:
            self.show(self.view, self.view.now)

    def _ensure_parts(self) -> None:
        """The pane's parts are mounted on first use, not in the console's first frame."""
        if not self.children:
            self.mount(*self._parts())

    def show(self, view: Any | None, now: datetime) -> None:
        """Show ``view`` (None: nothing selected); repaints only when the fault changed."""
        self._ensure_parts()
        self.view = view
        clocks = self.query_one(ClockLines)
        clocks.tz = self.tz
        if view is None:
            self._shown_key = None
            self.query_one("#detail-title", Static).update(_("No fault selected."))
            for wid in ("#detail-head", "#detail-record", "#detail-timeline"):
                self.query_one(wid, Static).update("")
            clocks.show(None, now)
            self.set_class(True, "-empty")
            return
        self.set_class(False, "-empty")
        key = (view.fault.ref, view.fault.version, len(view.events), self.tz, id(self.policy))
        clocks.show(view.clocks, now)
        if key == self._shown_key:
            return
        self._shown_key = key
        self.query_one("#detail-title", Static).update(self._title(view))
        self.query_one("#detail-head", Static).update(self._head(view))
        self.query_one("#detail-record", Static).update(self._record(view))
        self.query_one("#detail-timeline", Static).update(self._timeline(view))

    def tick(self, now: datetime) -> None:
        if self.view is not None and self.children:
            self.query_one(ClockLines).tick(now)

    # -- sections ---------------------------------------------------------------------
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

    def _title(self, view: Any) -> Text:
        f = view.fault
        text = Text()
        text.append(fmt.safe(f.ref), self._s("detail--title"))
        text.append("  ")
        text.append(fmt.safe(f.title), self._s("detail--title"))
        return text

    def _pairs(self, pairs: list[tuple[str, str]]) -> Text:
        width = max((cell_width(k) for k, _v in pairs), default=0)
        text = Text()
        for i, (label, value) in enumerate(pairs):
            if i:
                text.append("\n")
            text.append(fit(label, width) + "  ", self._s("detail--label"))
            text.append(value, self._s("detail--value"))
        return text

    def _head(self, view: Any) -> Text:
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
        return self._pairs(pairs)

    def _record(self, view: Any) -> Text:
        text = Text()
        for i, (attr, label) in enumerate(RECORD_FIELDS):
            value = getattr(view.record, attr, "") or ""
            if i:
                text.append("\n")
            text.append(_(label), self._s("detail--label"))
            text.append("\n")
            if value.strip():
                for n, line in enumerate(value.strip().splitlines()):
                    if n:
                        text.append("\n")
                    text.append("  " + fmt.safe(line), self._s("detail--value"))
            else:
                text.append("  -", self._s("detail--muted"))
        return text

    def _timeline(self, view: Any) -> Text:
        work = {w.id: w for w in view.work}
        text = Text()
        first = True
        for event in view.events:
            if not first:
                text.append("\n")
            first = False
            text.append(fmt.short_when(event.at, self.tz) + " ", self._s("detail--muted"))
            text.append(fmt.safe(event.user) + " ", self._s("detail--label"))
            text.append(fmt.verb_name(event.verb), self._s("detail--heading"))
            detail = self._event_detail(event, work)
            if detail:
                text.append("\n")
                text.append(detail, self._s("detail--value"))
        if first:
            text.append("-", self._s("detail--muted"))
        return text

    def _event_detail(self, event: Any, work: dict[int, Any]) -> str:
        data = event.data or {}
        verb = event.verb
        lines: list[str] = []
        if verb in ("work_add", "work_edit", "work_end", "sign_off"):
            entry = work.get(data.get("entry"))
            if entry is not None and verb == "work_add":
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
            elif verb == "sign_off":
                lines.append(
                    _("customer representative: {rep}").format(
                        rep=fmt.safe(str(data.get("customer_rep", "")))
                    )
                )
            elif data.get("result"):
                lines.append(_("result: {text}").format(text=fmt.safe(str(data["result"]))))
        elif verb == "log":
            level = self._level(int(data.get("level", 0)))
            lines.append(f"{level} {fmt.channel_name(str(data.get('channel', '')))}")
        elif verb == "respond":
            lines.append(fmt.how_name(str(data.get("how", ""))))
        elif verb in ("assign", "escalate"):
            lines.append(f"{self._who(data.get('from'))} → {self._who(data.get('to'))}")
        elif verb == "change_level":
            lines.append(f"L{data.get('from')} → L{data.get('to')}")
        elif verb == "record":
            fields = data.get("fields") or []
            labels = dict(RECORD_FIELDS)
            lines.append(", ".join(_(labels.get(f, f)) for f in fields))
        for key in ("text", "reason", "summary", "note"):
            value = data.get(key)
            if value:
                lines.append(fmt.safe(str(value)))
        return "\n".join("  " + line for line in lines if line)

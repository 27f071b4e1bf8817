"""The footer: the screen's keys that work now, whole ones only, as many as fit.

Textual's ``Footer`` lays every key out in a row and lets the row overflow: at
120 columns the console's two dozen keys were cut mid-word, and a cell of the
hidden rest showed after the command palette's key. Here keys go in by
priority (what a night on the desk needs most first) and a key that does not
fit whole is left out; ``?`` (every key) always stays, last. One line-painted
widget instead of a widget per key: rebuilding it costs a line's diff.
"""

from __future__ import annotations

from textual.binding import Binding

from ..i18n import _
from ..text import cell_width
from .lines import DiffLines, Line

# Actions in the order they earn a place in the footer; the rest after them.
PRIORITY = (
    "new_fault",
    "respond",
    "resolve",
    "work",
    "assign",
    "take",
    "escalate",
    "pause_resume",
    "solution",
    "fold",
    "alerts",
    "filter",
    "clear_filter",
    "record",
    "sign_off",
    "close",
    "reopen",
    "end_work",
    "level",
    "cycle_list",
    "focus_detail",
    "back",
    "toggle_theme",
    "quit",
)
HELP = "help"  # always shown, last: it lists every key
GAP = "  "


def key_items(bindings: list[tuple[str, str]], width: int) -> list[tuple[str, str]]:
    """(key shown, description) pairs, in ``PRIORITY`` order, that fit ``width`` whole,
    keeping room for the help key (the last pair of ``bindings`` when its action is help)."""
    *keys, last = bindings or [("", "")]
    room = width - 1 - cell_width(f"{last[0]} {last[1]}")  # one cell of margin on the left
    out = []
    for key, desc in keys:
        w = cell_width(f"{key} {desc}") + len(GAP)
        if w <= room:
            out.append((key, desc))
            room -= w
    return [*out, last] if bindings else []


class KeyBar(DiffLines):
    """One line of ``key description`` pairs (``n New  r Respond … ? Help``)."""

    COMPONENT_CLASSES = {"keybar--key", "keybar--description"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._bindings: list[tuple[str, str]] = []

    def show_keys(self, bindings: list[Binding], key_display) -> None:
        """Show ``bindings`` (those that work now), ranked by ``PRIORITY``, help last."""
        rank = {action: n for n, action in enumerate(PRIORITY)}
        ordered = sorted(
            (b for b in bindings if b.action != HELP), key=lambda b: rank.get(b.action, len(rank))
        )
        helps = [b for b in bindings if b.action == HELP]
        self._bindings = [(key_display(b), _(b.description)) for b in [*ordered, *helps]]
        self._paint()

    def on_resize(self) -> None:
        super().on_resize()
        self._paint()

    def _paint(self) -> None:
        line: Line = [(" ", "")]
        for n, (key, desc) in enumerate(key_items(self._bindings, self.size.width)):
            if n:
                line.append((GAP, ""))
            line += [(key, "keybar--key"), (" " + desc, "keybar--description")]
        self.set_lines([line])

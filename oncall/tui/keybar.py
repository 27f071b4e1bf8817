"""The footer: the screen's keys that work now, whole ones only, as many as fit.

Textual's ``Footer`` lays every key out in a row and lets the row overflow: at
120 columns the console's two dozen keys were cut mid-word, and a cell of the
hidden rest showed after the command palette's key. Here keys go in by
priority (what a night on the desk needs most first) and a key that does not
fit whole is left out; ``?`` (every key) always stays, last. The keys, their
order and labels come from the action table (``actions.py``), rebound keys
included. One line-painted widget instead of a widget per key: rebuilding it
costs a line's diff.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..i18n import _
from ..text import cell_width
from . import actions
from .lines import DiffLines, Line

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

GAP = "  "
Item = tuple[str, str]  # (key shown, label)


def footer_keys(screen: Screen, name: str) -> tuple[list[Item], Item | None]:
    """The footer of ``screen`` (``name`` in the action table): the keys that work now,
    in their footer order, and the pinned one (the help) apart."""
    app = screen.app
    keymap = getattr(app, "keymap", {})
    items: list[Item] = []
    pinned: Item | None = None
    ranked = sorted(
        (a for a in actions.on_screen(name) if a.footer is not None or a.pinned),
        key=lambda a: (a.pinned, a.footer or 0),
    )
    for action in ranked:
        target = app if actions.APP in action.screens else screen
        if not target.check_action(*action.call):
            continue
        item = (actions.shown_keys(action, keymap, app.get_key_display)[0], _(action.label))
        if action.pinned:
            pinned = item
        else:
            items.append(item)
    return items, pinned


def key_state(screen: Screen, name: str) -> tuple[bool | None, ...]:
    """Which of ``screen``'s actions work now: the footer changes when, and only when, this does."""
    app = screen.app
    return tuple(
        (app if actions.APP in a.screens else screen).check_action(*a.call)
        for a in actions.on_screen(name)
    )


def first_keys(app: App, name: str) -> dict[str, str]:
    """Each action of screen ``name``: its first key, as shown (``Next [x]`` in the detail)."""
    keymap = getattr(app, "keymap", {})
    return {
        a.verb: actions.shown_keys(a, keymap, app.get_key_display)[0]
        for a in actions.on_screen(name)
    }


def key_items(items: list[Item], pinned: Item | None, width: int) -> list[Item]:
    """The ``items`` that fit ``width`` whole, in order, keeping room for ``pinned`` (last)."""
    room = width - 1  # one cell of margin on the left
    if pinned is not None:
        room -= cell_width(f"{pinned[0]} {pinned[1]}")
    out = []
    for key, desc in items:
        w = cell_width(f"{key} {desc}") + len(GAP)
        if w <= room:
            out.append((key, desc))
            room -= w
    return [*out, pinned] if pinned is not None else out


class KeyBar(DiffLines):
    """One line of ``key label`` pairs (``n New  r Respond … ? Help``)."""

    COMPONENT_CLASSES = {"keybar--key", "keybar--description"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: list[Item] = []
        self._pinned: Item | None = None

    def show_keys(self, screen: Screen, name: str) -> None:
        """Show the keys of ``screen`` that work now (see ``footer_keys``)."""
        self._items, self._pinned = footer_keys(screen, name)
        self._paint()

    def on_resize(self) -> None:
        super().on_resize()
        self._paint()

    def _paint(self) -> None:
        line: Line = [(" ", "")]
        for n, (key, desc) in enumerate(key_items(self._items, self._pinned, self.size.width)):
            if n:
                line.append((GAP, ""))
            line += [(key, "keybar--key"), (" " + desc, "keybar--description")]
        self.set_lines([line])

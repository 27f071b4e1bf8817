"""The command palette (ctrl+p): the actions that work on the current screen, by name.

A Textual ``Provider`` over the action table (``actions.py``), as the ``posting``
app does it: each hit reads ``Respond (r)`` (label and key in the console's
language, the key as rebound), its help line the action's description, and
runs the action on the screen the palette was opened from. An action that does
not work now (read-only, no fault under the cursor) is not offered.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..i18n import _
from . import actions


class ActionsProvider(Provider):
    def commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """(title, help, run) of each action that works now on the calling screen."""
        screen, app = self.screen, self.app
        name = getattr(screen, "KEYS_SCREEN", None)
        if name is None:
            return []
        keymap = getattr(app, "keymap", {})
        out = []
        for action in actions.on_screen(name):
            target = app if actions.APP in action.screens else screen
            if action.action == "command_palette" or target.check_action(*action.call) is not True:
                continue
            key = actions.shown_keys(action, keymap, app.get_key_display)[0]
            title = f"{_(action.label)} ({key})"
            run = partial(app.run_action, action.action, target)
            out.append((title, actions.description(action), run))
        return out

    async def discover(self) -> Hits:
        for title, help_text, run in self.commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self.commands():
            if (score := matcher.match(title)) > 0:
                yield Hit(score, matcher.highlight(title), run, text=title, help=help_text)

"""Where the console's toasts go, and the key that dismisses them all.

Textual docks its toast rack at the bottom right of the screen, 60 cells wide.
At 120 columns that laid alerts over the detail pane's clocks, and over a form's
time fields once a form was open. Here:

- on the main screen the rack spans exactly the queue pane's columns, toasts
  left-aligned and as wide as the pane (``styles/oncall.tcss``), so they never
  reach the detail pane. Their left and right edges fall on the pane's own
  edges, never inside a row's text: a toast edge in the middle of a wide
  (CJK) character made Textual's partial repaint write half of it as a space,
  and the terminal then blanked the whole character (see ``fit_toasts``);
- where the detail pane fills the screen (80 columns, detail shown) and over a
  form (any modal screen), toasts are not shown: alerts still count in the
  header and ring the bell, and their toasts show again, for the time they
  have left, once the queue is back;
- ``DISMISS_KEY`` (bound on the app, so in every screen) dismisses every toast.
"""

from __future__ import annotations

from typing import Any

from textual.widgets._toast import ToastRack

DISMISS_KEY = "ctrl+t"
DISMISS_KEY_DISPLAY = "^t"


def fit_toasts(screen: Any, pane: Any) -> None:
    """Make ``screen``'s toast rack exactly as wide as ``pane`` (docked left, bottom).

    Textual repaints the cells a toast covered when it goes, from its left edge
    to its right edge. Were an edge inside a wide character, the repaint would
    start or end with half of it, written as a space, and the terminal blanks
    the whole character ("数据中心" read "数据  心"). The pane's edges are the
    edges of its widgets' regions, which no character crosses.
    """
    if not pane.display or not pane.size.width:
        return  # hidden (80 columns, detail shown): its toasts are hidden too
    width = pane.outer_size.width
    for rack in screen.query(ToastRack):
        if rack.styles.width is None or rack.styles.width.value != width:
            rack.styles.width = width

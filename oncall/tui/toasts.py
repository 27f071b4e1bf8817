"""Where the console's toasts go, and the key that dismisses them all.

Textual docks its toast rack at the bottom right of the screen, 60 cells wide.
At 120 columns that laid alerts over the detail pane's clocks, and over a form's
time fields once a form was open. Here:

- on the main screen the rack spans exactly the queue pane's columns, toasts
  left-aligned and as wide as the pane (``styles/oncall.tcss``), so they never
  reach the detail pane. Textual's compositor cuts every screen line at each
  widget's edges and blanks a wide (CJK) character that a cut splits, the
  toast's own text included (Textualize/textual#6357, open): a toast across
  the pane divider read "海川银行数据  心". Over the queue pane only, no widget
  edge falls inside a toast's text;
- where the detail pane fills the screen (80 columns, detail shown), over a
  form (any modal screen) and over the alerts list (it shows them all), toasts
  are not shown: alerts still count in the
  header and ring the bell, and their toasts show again, for the time they
  have left, once the queue is back;
- ``DISMISS_KEY`` (bound on the app, so in every screen; ``dismiss-toasts`` in the
  action table) dismisses every toast.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets._toast import ToastRack

from .actions import BY_ID

DISMISS_KEY = BY_ID["dismiss-toasts"].keys  # its default (a desk's [keymap] may rebind it)


def fit_toasts(screen: Screen, pane: Widget) -> None:
    """Make ``screen``'s toast rack exactly as wide as ``pane`` (docked left, bottom).

    Under the pane there is one widget edge only, its scrollbar's, which meets the
    toast's right padding: no cut falls inside a toast's text (see the module).
    """
    if not pane.display or not pane.size.width:
        return  # hidden (80 columns, detail shown): its toasts are hidden too
    width = pane.outer_size.width
    for rack in screen.query(ToastRack):
        if rack.styles.width is None or rack.styles.width.value != width:
            rack.styles.width = width

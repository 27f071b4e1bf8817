"""The next step in the console: the detail pane's "Next" line and the form it opens.

What the next step is comes from the desk (``oncall.desk.next_step``); here it
is worded in the console's language, and its form gets its defaults (which form:
``verbs.STEP_FORMS``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from ..i18n import _
from ..verbs import console_action
from . import fmt
from .lines import Line

if TYPE_CHECKING:
    from ..desk.next_step import NextStep, Wording


def words(tz: tzinfo | None, who: Callable[[str], str] = fmt.safe) -> Wording:
    """How the console words a step: desk times to the minute, no countdown (the
    clock table below has it, and the line then changes only when the step does)."""
    from ..desk.next_step import Wording
    from .detail import RECORD_FIELDS

    labels = dict(RECORD_FIELDS)
    return Wording(
        when=lambda at: fmt.short_when(at, tz),
        who=who,
        field=lambda name: _(labels.get(name, name)),
        translate=_,
    )


def next_line(step: NextStep, now: datetime, wording: Wording, keys: dict[str, str]) -> Line:
    """The step as the detail pane's line: "Next [key]: what, why, by when"."""
    from ..desk.next_step import describe

    # The key right after the label, so that it never wraps apart from it.
    # The key that runs the step's verb (``resume``: the pause key, which resumes too).
    key = keys.get(console_action(step.action) or "") if step.action else None
    label = _("Next [{key}]:").format(key=key) if key else _("Next:")
    style = "detail--next-late" if step.overdue(now) else "detail--next"
    return [
        (label if label.endswith("：") else label + " ", "detail--label"),  # a CJK colon
        (describe(step, now, wording), style),
    ]


def form_defaults(step: NextStep, tz: tzinfo | None) -> dict[str, str]:
    """What the step's form starts with: the work's mode, the entry, whom to escalate to."""
    defaults: dict[str, str] = {}
    if step.mode:
        defaults["mode"] = step.mode
    if step.entry is not None:
        defaults["entry"] = str(step.entry)
    if step.action == "escalate":
        defaults["to"] = step.to or ""
        defaults["reason"] = _("On-site work since {since} not cleared by {due}.").format(
            since=fmt.short_when(step.since, tz), due=fmt.short_when(step.due, tz)
        )
    return defaults

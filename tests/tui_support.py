"""What the console's tests share: an app on a temporary database with a fixed clock.

The databases come from conftest.py: ``demo_desk`` (a copy of the demo data,
built once per session) or the small ``desk``.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from textual.widgets import Checkbox, Input, Select, TextArea

from oncall.tui.forms.base import FormScreen

HANG = 120.0  # seconds: a guard against a hang, never what a test checks


def make_app(desk, clock, *, language="en", user=None, tick=False, theme="textual-dark"):
    from oncall.tui.app import OncallApp

    return OncallApp(
        lambda: desk,
        clock,
        None,
        user=user or desk.user,
        language=language,
        theme=theme,
        database="sqlite:oncall.sqlite3",
        tick=tick,
    )


def console_refs(items: list, now: datetime, expanded: bool = False) -> list[str]:
    """The refs of ``items`` in the console's order (``group_queue``), as the queue shows them."""
    from oncall.desk.queue import group_queue

    return [i.fault.ref for i in group_queue(items, now).ordered(expanded)]


def count_repaints(queue) -> dict[str, list]:
    """Spy on the queue: the rows it repaints one by one, and its whole repaints."""
    seen: dict[str, list] = {"rows": [], "full": []}
    refresh_row, refresh = queue._refresh_row, queue.refresh

    def _refresh_row(index: int) -> None:
        seen["rows"].append(index)
        refresh_row(index)

    def _refresh(*regions, **kwargs):
        if not regions:
            seen["full"].append(kwargs)
        return refresh(*regions, **kwargs)

    queue._refresh_row = _refresh_row
    queue.refresh = _refresh
    return seen


async def until(pilot, condition) -> None:
    """Let the console run until ``condition`` holds (bounded by ``HANG`` only)."""
    async with asyncio.timeout(HANG):
        while not condition():
            await pilot.pause(0.02)


async def settle(pilot, rounds: int = 3) -> None:
    """Wait until the desk is open and every pending read or verb has been shown.

    Always ``rounds`` rounds: a check for "nothing left" (no message queued, no worker)
    between them missed a message being handled at that moment (a resize on its way
    from the app to the screen), and a test read the layout before it."""
    app = pilot.app
    await app.ready.wait()
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


def fill(form: FormScreen, **values) -> None:
    for key, value in values.items():
        widget = form.query_one(f"#f-{key}")
        if isinstance(widget, TextArea):
            widget.text = value
        elif isinstance(widget, (Input, Select, Checkbox)):
            widget.value = value
        else:  # pragma: no cover
            raise AssertionError(f"cannot fill {key}")


async def press_and_fill(pilot, key: str, **values) -> FormScreen:
    await pilot.press(key)
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, FormScreen), f"{key} opened {form!r}"
    fill(form, **values)
    await pilot.pause()
    return form


async def save(pilot) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


def spy_refresh(widget) -> list[tuple]:
    """Record the widget's refresh calls: (regions, keywords) each."""
    calls: list[tuple] = []
    original = widget.refresh

    def refresh(*regions, **kw):
        calls.append((regions, kw))
        return original(*regions, **kw)

    widget.refresh = refresh
    return calls

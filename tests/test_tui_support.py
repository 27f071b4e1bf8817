"""What the console's tests share: an app on a temporary database with a fixed clock.

``demo_db`` is built once per session (the demo data through the desk's verbs)
and copied for each test that wants it. Other tests use the small ``desk``
fixture from conftest.py.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest

from oncall.clock import FixedClock
from oncall.desk import Desk
from oncall.store import make_engine, upgrade

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # conftest's NOW: Tuesday 10:00 in Shanghai


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


async def settle(pilot, rounds: int = 3) -> None:
    """Wait until the desk is open and every pending read or verb has been shown."""
    app = pilot.app
    await app.ready.wait()
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, policy):
    """An SQLite file with the demo data at NOW (built once)."""
    from oncall.desk.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    load_demo(Desk(engine, policy, FixedClock(NOW), "duty"), closed_faults=30)
    engine.dispose()
    return path


@pytest.fixture
def demo_desk(demo_template, tmp_path, policy):
    """A desk as ``duty`` over a fresh copy of the demo database, clock fixed at NOW."""
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, path)
    engine = make_engine(f"sqlite:///{path}")
    desk = Desk(engine, policy, FixedClock(NOW), "duty")
    yield desk
    engine.dispose()


def test_support_builds_the_demo(demo_desk):
    queue = demo_desk.open_queue()
    assert len(queue) == 40
    assert demo_desk.me().user == "duty"

"""The console shows the queue read straight from the SQLite file (``oncall.desk.peek``)
before the desk is open; the desk's queue then replaces it without repainting a row,
and only then do the write keys, the detail pane and the roster check come alive."""

from __future__ import annotations

import asyncio
import threading

from tui_support import (  # noqa: F401
    HANG,
    console_refs,
    count_repaints,
    settle,
    until,
)

from oncall.desk import Desk
from oncall.desk.peek import peek_open_queue


class GatedOpener:
    """Like the console's opener: ``peek`` reads the file, calling it opens the desk,
    which here waits until the test opens the gate."""

    def __init__(self, desk, *, fail_peek: bool = False, fail_open: bool = False) -> None:
        self.desk = desk
        self.gate = threading.Event()
        self.fail_peek = fail_peek
        self.fail_open = fail_open
        self.peeked = None

    def __call__(self):
        assert self.gate.wait(HANG), "the test never let the desk open"
        if self.fail_open:
            raise RuntimeError("the database refused: disk I/O error")
        return self.desk

    def peek(self):
        if self.fail_peek:
            raise OSError("cannot read that")
        url = self.desk.engine.url.render_as_string(hide_password=False)
        self.peeked = peek_open_queue(url, self.desk.policy, self.desk.clock.now())
        return self.peeked


def make_app(opener, user: str = "duty"):
    from oncall.tui.app import OncallApp

    return OncallApp(opener, opener.desk.clock, None, user=user, language="en", tick=False)


def quick_shown(app) -> bool:
    return app.main is not None and app.main.is_mounted and app.main.header.loaded


async def test_the_quick_queue_comes_first_and_the_desk_repaints_nothing(demo_desk):
    opener = GatedOpener(demo_desk)
    app = make_app(opener)
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            await until(pilot, lambda: quick_shown(app))
            main = app.main
            queue = main.queue
            assert main.backend.desk is None and not app.ready.is_set()
            expected = demo_desk.reads.open_queue()
            assert queue.refs == console_refs(expected, demo_desk.clock.now())
            header = main.header.plain()
            assert header.startswith("2026-03-10 10:00:00 CST Asia/Shanghai")
            counts = {b: 0 for b in ("breached", "critical", "warning", "ok")}
            for item in expected:
                counts[item.band.value] += 1
            assert f"BRCH {counts['breached']} CRIT {counts['critical']}" in header
            # (too long a path to show whole at 120 columns: the header leaves it out)
            assert main.header.database == f"sqlite:{demo_desk.engine.url.database}"
            assignees = {r.cells.get("assignee") for r in queue.rows}
            assert assignees & {"王芳", "李伟"}  # names, not users
            # Until the desk is open: no writing, but the cursor moves.
            for action in ("new", "respond", "take", "resolve", "pause"):
                assert main.check_action("verb", (action,)) is None, action
            await pilot.press("j")
            await pilot.press("j")
            assert queue.cursor == 2
            shown = [(r.ref, dict(r.cells), r.version) for r in queue.rows]
            seen = count_repaints(queue)
        finally:
            opener.gate.set()
        await settle(pilot)
        assert app.ready.is_set() and main.backend.desk is demo_desk
        assert seen == {"rows": [], "full": []}  # the desk's queue is the same: no repaint
        assert [(r.ref, r.cells, r.version) for r in queue.rows] == shown
        assert main.header.plain() == header  # same counts, same database label
        assert queue.cursor == 2
        assert main.check_action("verb", ("respond",)) is True
        assert main.view is not None and main.view.fault.ref == queue.cursor_ref
        assert main.detail.view is main.view  # the detail pane shows it


async def test_a_failed_peek_opens_the_desk_as_before(demo_desk):
    opener = GatedOpener(demo_desk, fail_peek=True)
    opener.gate.set()
    app = make_app(opener)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.main.queue.refs == console_refs(
            demo_desk.reads.open_queue(), demo_desk.clock.now()
        )
        assert app.main.check_action("verb", ("respond",)) is True
        assert app.main.view is not None


async def test_the_roster_check_waits_for_the_desk(demo_desk):
    opener = GatedOpener(demo_desk.as_user("stranger"))
    app = make_app(opener, user="stranger")
    async with app.run_test(size=(80, 24)) as pilot:
        try:
            await until(pilot, lambda: quick_shown(app))
            assert "read-only" not in app.main.header.plain()
            assert app.main.queue.refs == console_refs(
                demo_desk.reads.open_queue(), demo_desk.clock.now()
            )
        finally:
            opener.gate.set()
        await settle(pilot)
        main = app.main
        assert main.read_only and "stranger (read-only)" in main.header.plain()
        assert "oncall engineer add stranger" in str(main.query_one("#banner").render())
        assert main.check_action("verb", ("respond",)) is None


async def test_an_empty_database_still_offers_the_demo_data(engine, policy, clock):
    from oncall.tui.confirm import ConfirmScreen

    opener = GatedOpener(Desk(engine, policy, clock, "duty"))
    app = make_app(opener)
    async with app.run_test(size=(80, 24)) as pilot:
        try:
            await until(pilot, lambda: quick_shown(app))
            assert opener.peeked is not None and opener.peeked.queue == []
            assert app.main.queue.rows == []
        finally:
            opener.gate.set()
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)


async def test_a_desk_that_will_not_open_takes_the_quick_rows_away(demo_desk):
    opener = GatedOpener(demo_desk, fail_open=True)
    app = make_app(opener)
    async with app.run_test(size=(80, 24)) as pilot:
        try:
            await until(pilot, lambda: quick_shown(app))
            assert app.main.queue.refs == console_refs(
                demo_desk.reads.open_queue(), demo_desk.clock.now()
            )
        finally:
            opener.gate.set()
        await asyncio.wait_for(app.ready.wait(), HANG)
        await pilot.pause()
        main = app.main
        assert main.queue.rows == [] and "Cannot open the desk" in main.queue.note
        assert main.backend.desk is None and main.check_action("verb", ("respond",)) is None

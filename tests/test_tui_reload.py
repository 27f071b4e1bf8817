"""A reload costs the event loop little: rows are worked out on the backend thread and
only the changed ones are repainted; the footer is rebuilt only when a key turns on or off."""

from __future__ import annotations

import threading

from tui_support import console_refs, count_repaints, make_app, settle

from oncall.tui import sync
from oncall.tui.filters import QueueFilter, queue_view
from oncall.tui.queue import prepare_rows


async def test_a_reload_repaints_only_the_rows_that_changed(demo_desk, monkeypatch):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.main
        threads = []
        prepare = sync.reload_and_prepare

        def on_thread(*args):
            threads.append(threading.current_thread())
            return prepare(*args)

        monkeypatch.setattr(sync, "reload_and_prepare", on_thread)
        seen = count_repaints(main.queue)
        await main.sync.reload()
        assert threads and threads[0] is not threading.main_thread()
        assert seen == {"rows": [], "full": []}  # nothing changed: nothing repainted
        # Another engineer assigns a fault further down: its row alone is repainted.
        index = 5
        ref = main.queue.rows[index].ref
        other = demo_desk.as_user("duty")
        other.faults.assign(ref, "duty", version=other.reads.fault(ref).version)
        await main.sync.reload()
        await pilot.pause()
        assert seen["full"] == [] and seen["rows"] == [index]
        assert main.queue.rows[index].cells["assignee"] != "-"


async def test_prepared_rows_are_what_the_queue_shows(demo_desk):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.main
        now = demo_desk.clock.now()
        items = demo_desk.reads.open_queue()
        view = queue_view(items, [], QueueFilter(), "duty", main.sync.names, now)
        shown = [r for r in view.rows if r.item is not None]  # not the folded line
        assert [r.ref for r in shown] == console_refs(items, now)
        by_ref = {i.fault.ref: i for i in items}
        ordered = [by_ref[ref] for ref in console_refs(items, now)]
        assert [r.cells for r in shown] == [
            p.cells for p in prepare_rows(ordered, now, main.sync.names)
        ]
        assert [r.cells for r in main.queue.rows] == [r.cells for r in view.rows]
        assert sum(view.bands.counts.values()) == len(items) == view.total


async def test_moving_the_cursor_does_not_rebuild_the_footer(demo_desk):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        calls = []
        refresh_bindings = app.refresh_bindings
        app.refresh_bindings = lambda: (calls.append(1), refresh_bindings())[1]
        for _ in range(4):
            await pilot.press("j")
            await settle(pilot, 1)
        assert calls == []  # the same keys apply to every fault
        main = app.main
        main.read_only = True  # the user left the roster: the verbs turn off
        main.refresh_keys()
        assert calls == [1]
        main.refresh_keys()
        assert calls == [1]

"""An idle console costs little: bands move on from the clocks' threshold instants
without re-reading the queue, a tick formats only the rows in view, and the
database is asked for news only when something was committed."""

from __future__ import annotations

from datetime import timedelta

from tui_support import make_app, settle

from oncall.desk import Desk
from oncall.store import make_engine
from oncall.tui import fmt
from oncall.tui.bands import BandTracker


def counting(monkeypatch, desk, *names):
    """Count the calls of these read models (``desk.reads``'s)."""
    calls = {name: 0 for name in names}
    for name in names:
        method = getattr(desk.reads, name)

        def wrapper(*args, _name=name, _method=method, **kwargs):
            calls[_name] += 1
            return _method(*args, **kwargs)

        monkeypatch.setattr(desk.reads, name, wrapper)
    return calls


def test_band_tracker_agrees_with_a_fresh_read(demo_desk):
    clock = demo_desk.clock
    start = clock.now()
    tracker = BandTracker(demo_desk.reads.open_queue(), start)
    moved = 0
    for hours in (0.5, 1, 2, 3, 5, 8, 13, 24, 48):
        clock.set(start + timedelta(hours=hours))
        now = clock.now()
        changed = tracker.advance(now)
        moved += len(changed)
        fresh = {i.fault.ref: fmt.band_value(i.band) for i in demo_desk.reads.open_queue()}
        assert tracker.bands == fresh, hours
        assert +tracker.counts == +__import__("collections").Counter(fresh.values())
        assert tracker.next_at is None or tracker.next_at > now
    assert moved > 5  # the demo's faults do move through the bands over two days


async def test_bands_move_on_a_tick_without_a_read(demo_desk, monkeypatch):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.main
        first = main.sync.bands.next_at
        assert first is not None
        row_bands = {r.ref: r.band for r in main.queue.rows if r.item is not None}
        calls = counting(monkeypatch, demo_desk, "open_queue", "last_change")
        demo_desk.clock.set(first)
        main.tick_now()
        await settle(pilot)
        shown = [r for r in main.queue.rows if r.item is not None]  # not the folded line
        changed = {r.ref for r in shown if r.band != row_bands[r.ref]}
        assert changed  # a fault changed band at that instant …
        assert calls["open_queue"] == 0  # … without reading the queue again
        fresh = {i.fault.ref: fmt.band_value(i.band) for i in demo_desk.reads.open_queue()}
        assert {r.ref: r.band for r in shown} == {r.ref: fresh[r.ref] for r in shown}
        for ref in changed:
            row = main.queue.row(ref)
            assert row.cells["band"] == fmt.band_tag(row.band)
        assert main.header.counts == main.sync.bands.counts
        assert main.sync.bands.next_at > first


async def test_a_tick_asks_the_database_only_after_a_commit(demo_desk, monkeypatch, policy):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.main
        assert demo_desk.reads.change_watch() is not None  # an SQLite file
        calls = counting(monkeypatch, demo_desk, "last_change", "open_queue")
        for _ in range(5):
            main.tick_now()
            await settle(pilot, 1)
        assert calls["last_change"] <= 1  # the first tick sees the watch's first token
        asked = calls["last_change"]
        # Another engineer, another connection, resolves a fault (not the one under the
        # cursor: that one would stay in view, marked, until the cursor moves).
        ref = next(
            r.ref
            for r in main.queue.rows[1:]
            if r.item is not None and r.item.fault.status in ("responded", "in_progress")
        )
        other = Desk(make_engine(str(demo_desk.engine.url)), policy, demo_desk.clock, "duty")
        other.faults.resolve(
            ref, version=other.reads.fault(ref).version, summary="fixed from the CLI"
        )
        main.tick_now()
        await settle(pilot)
        assert calls["last_change"] > asked and calls["open_queue"] == 1
        assert ref not in main.queue.refs  # gone from the queue at the next tick
        asked = calls["last_change"]
        for _ in range(3):
            main.tick_now()
            await settle(pilot, 1)
        assert calls["last_change"] == asked  # nothing new since


async def test_a_tick_formats_only_the_rows_in_view(demo_desk, monkeypatch):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        queue = app.main.queue
        in_view = queue.size.height - 1
        assert len(queue.rows) > in_view
        demo_desk.clock.advance(3600)
        asked = []
        for row in queue.rows:
            item = row.item
            if item is None:  # the folded line: no countdown
                continue

            class Spy:
                fault = item.fault

                def left(self, now, _item=item, _ref=row.ref):
                    asked.append(_ref)
                    return _item.left(now)

                def __getattr__(self, name, _item=item):
                    return getattr(_item, name)

            row.item = Spy()
        app.main.tick_now()
        assert len(set(asked)) == in_view
        # A row scrolled into view later is brought up to date when drawn.
        last = queue.rows[-1]
        queue.action_move("last")
        await pilot.pause()
        assert last.cells["left"] == fmt.countdown(last.item.left(demo_desk.clock.now()))


async def test_a_new_alert_count_repaints_the_header_not_the_screen(demo_desk, monkeypatch):
    from textual._compositor import Compositor

    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.pause()  # the first frame: drawn (pause ends with a screen update)
        full = []
        render_full = Compositor.render_full_update

        def counted(self, *args, **kwargs):
            full.append(1)
            return render_full(self, *args, **kwargs)

        monkeypatch.setattr(Compositor, "render_full_update", counted)
        app.unacked_alerts = 3
        await pilot.pause()  # its repaint: drawn
        assert "alerts 3" in app.main.header.plain()
        assert full == []  # a whole screen over ssh for one number: no


async def test_the_console_freezes_its_settled_heap_out_of_the_collector(demo_desk, monkeypatch):
    """Full collections over a 1,000-fault heap took ~90 ms and landed on key presses."""
    from oncall.tui import app as app_module
    from oncall.tui.app import OncallApp

    frozen = []
    monkeypatch.setattr(app_module.gc, "freeze", lambda: frozen.append(app.ready.is_set()))
    for freeze, expected in ((False, []), (True, [True])):
        frozen.clear()
        app = OncallApp(
            lambda: demo_desk,
            demo_desk.clock,
            None,
            user="duty",
            language="en",
            tick=False,
            freeze_heap=freeze,
        )
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert frozen == expected  # after the desk opened, and only when asked to

"""The queue at 3 a.m.: the next breach on the first screen however many have breached,
the long-breached folded (z), the cursor on what this console just changed, a fault
resolved here kept in view until the cursor moves, and the footer's keys whole."""

from __future__ import annotations

from tui_support import console_refs, fill, make_app, press_and_fill, save, settle

from oncall.desk.queue import group_queue
from oncall.tui.queue import FOLD, short_ref


def screen_lines(queue) -> list[str]:
    """The queue's lines as on the screen now (header line first)."""
    return [queue.render_line(y).text for y in range(queue.size.height)]


def next_breach(desk):
    now = desk.clock.now()
    return min(
        (i for i in desk.reads.open_queue() if i.clocks.next_breach and i.clocks.next_breach > now),
        key=lambda i: i.clocks.next_breach,
    )


async def test_the_next_breach_is_on_the_first_screen_at_80x24(demo_desk):
    now = demo_desk.clock.now()
    items = demo_desk.reads.open_queue()
    assert sum(1 for i in items if i.clocks.next_breach and i.clocks.next_breach <= now) >= 14
    nxt = next_breach(demo_desk)
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = app.main.queue
        assert queue.cursor_ref == nxt.fault.ref  # the cursor starts on it
        first = screen_lines(queue)[1]
        countdown = queue.row(nxt.fault.ref).cells["left"]
        assert short_ref(nxt.fault.ref, now.year) in first and countdown in first
        assert not countdown.startswith("-")


async def test_z_shows_and_folds_the_long_breached(demo_desk):
    now = demo_desk.clock.now()
    groups = group_queue(demo_desk.reads.open_queue(), now)
    assert groups.long_breached  # the demo has faults breached days ago
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = app.main.queue
        old = [i.fault.ref for i in groups.long_breached]
        assert not set(old) & set(queue.refs)
        fold = queue.row(FOLD)
        n = len(old)
        assert fold.cells["text"] == f"▸ {n} breached over a day ago (z shows them)"
        queue.move_to_ref(queue.refs[3])
        held = queue.cursor_ref
        await pilot.press("z")
        await settle(pilot)
        assert queue.refs == console_refs(demo_desk.reads.open_queue(), now, expanded=True)
        assert queue.row(FOLD).cells["text"].startswith("▾")
        assert queue.cursor_ref == held
        # Enter on the folded line folds them again; no fault's actions on that line.
        queue.move_to_ref(FOLD)
        await settle(pilot)
        assert queue.cursor_ref is None and app.main.check_action("verb", ("respond",)) is None
        await pilot.press("enter")
        await settle(pilot)
        assert not set(old) & set(queue.refs)
        assert queue.on_fold


async def test_a_fault_changed_or_logged_here_stays_under_the_cursor(demo_desk):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = app.main.queue
        ref = queue.refs[0]
        at = queue.cursor
        await press_and_fill(pilot, "l", level="3", reason="customer says it can wait")
        await save(pilot)
        assert demo_desk.reads.fault(ref).level == 3
        assert queue.cursor_ref == ref and queue.refs.index(ref) != at  # it moved, we followed
        form = await press_and_fill(pilot, "n", customer="海川银行数据中心")
        await settle(pilot)  # the customer's systems come into the list
        fill(
            form,
            system="Core",
            level="3",
            channel="phone",
            contact="张工",
            title="Logged just now",
            symptom="s",
        )
        await save(pilot)
        new = next(i for i in demo_desk.reads.open_queue() if i.fault.title == "Logged just now")
        assert queue.cursor_ref == new.fault.ref
        top = int(queue.scroll_y)
        assert top <= queue.cursor < top + queue.size.height - 1  # on the screen


async def test_a_resolved_fault_stays_in_view_until_the_cursor_moves(demo_desk):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main, queue = app.main, app.main.queue
        queue.move_to(2)
        await settle(pilot)
        ref, below = queue.refs[2], queue.refs[3]
        await press_and_fill(pilot, "v", summary="board replaced")
        await save(pilot)
        assert demo_desk.reads.fault(ref).status == "resolved"
        assert ref not in [i.fault.ref for i in main.sync.items]  # out of the open queue
        assert queue.cursor_ref == ref and queue.refs[2] == ref  # but still here
        assert queue.row(ref).cells["status"] == "resolved"
        assert main.view.fault.ref == ref and main.view.fault.status == "resolved"
        assert "BRCH" not in queue.row(ref).cells["band"]
        await main.sync.reload()  # another reload while the cursor stays: it stays too
        await settle(pilot)
        assert queue.cursor_ref == ref
        await pilot.press("j")
        await settle(pilot)
        assert ref not in queue.refs
        assert queue.cursor_ref == below and queue.refs[2] == below


async def test_footer_keys_and_header_are_whole_and_help_stays(demo_desk):
    from oncall.tui.keybar import KeyBar

    for size in ((80, 24), (120, 40)):
        for language in ("en", "zh_CN"):
            app = make_app(demo_desk, demo_desk.clock, language=language)
            async with app.run_test(size=size) as pilot:
                await settle(pilot)
                bar = app.main.query_one(KeyBar)
                text = bar.render_line(0).text
                assert "…" not in text
                assert text.rstrip().endswith(("? Help", "? 帮助")), text
                new = app.main._bindings.key_to_bindings["n"][0].description
                assert f"n {new}" in text  # the first key, whole
                # The header's last part, the database, shows whole or not at all.
                header = app.main.header.render_line(0).text
                assert "…" not in header
                assert ("sqlite:oncall.sqlite3" in header) == (size[0] >= 120)


async def test_a_fault_crossing_its_deadline_moves_to_the_breaches(desk, clock, fault):
    later = desk.faults.log(
        customer="华东电网", system="SCADA", title="Later", level=3, channel="phone"
    )
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = app.main.queue
        assert queue.refs == [fault.ref, later.ref]  # due at 11:00, then later
        clock.advance(minutes=61)  # the first one's respond clock runs out
        app.main.tick_now()
        await settle(pilot)
        assert queue.refs == [later.ref, fault.ref]  # the next breach on top again
        assert queue.row(fault.ref).band == "breached"
        assert queue.cursor_ref == fault.ref  # the cursor went with it

"""A breach in the console: pausing a breached fault keeps it breached (its row, its place
in the queue, the header's count), the row says how long it has waited, and the
detail pane says by how much each clock is late.

Level 0 (7x24): resolve 4 h after the report. Now is 10:00 in Shanghai (conftest's NOW).
"""

from __future__ import annotations

from datetime import timedelta

from tui_support import make_app, press_and_fill, save, settle, spy_refresh

H = timedelta(hours=1)
M = timedelta(minutes=1)


def log(desk, title, ago, *, respond_after=10 * M, pause_ago=None):
    now = desk.clock.now()
    f = desk.faults.log(
        customer="华东电网", system="EMS", title=title, level=0, channel="phone", at=now - ago
    )
    f = desk.faults.respond(f.ref, version=f.version, how="phone", at=f.reported_at + respond_after)
    f = desk.faults.propose(f.ref, version=f.version, text="t", at=f.responded_at + 5 * M)
    if pause_ago is not None:
        f = desk.faults.pause(f.ref, version=f.version, reason="r", at=now - pause_ago)
    return f.ref


def queue_faults(desk):
    paused = log(desk, "paused 2h late", 6 * H, pause_ago=H)  # due 08:00, paused 09:00
    late = log(desk, "running 1h late", 5 * H)  # due 09:00
    to_pause = log(desk, "30 min late, paused here", 4 * H + 30 * M)  # due 09:30
    calm = log(desk, "due at 13:00", H)
    return paused, late, to_pause, calm


async def test_pausing_a_breached_fault_keeps_it_breached_in_place(desk, clock):
    paused, late, to_pause, calm = queue_faults(desk)
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue, header = app.main.queue, app.main.header
        # the next breach on top, then the breaches, latest first
        assert queue.refs == [calm, to_pause, late, paused]
        row = queue.row(paused)
        assert row.paused and row.band == "breached"
        assert (row.cells["band"], row.cells["left"], row.cells["clock"]) == (
            "BRCH",
            "-2h00m",
            "resolve",
        )
        assert row.cells["status"] == "||1h00m"  # paused, for an hour
        assert "BRCH 3 CRIT 0 WARN 0 ok 1" in header.plain()

        queue.move_to_ref(to_pause)
        await settle(pilot)
        await press_and_fill(pilot, "p", reason="customer arranging a window")
        await save(pilot)
        assert desk.reads.fault(to_pause).status == "waiting"
        assert queue.refs == [calm, to_pause, late, paused]  # not sent to the bottom
        row = queue.row(to_pause)
        assert row.paused and row.band == "breached" and row.cells["band"] == "BRCH"
        assert (row.cells["left"], row.cells["status"]) == ("-30m", "||0m")
        assert "BRCH 3 CRIT 0 WARN 0 ok 1" in header.plain()  # the count holds

        # A minute on: the countdowns and the time waited tick, those cells alone repaint.
        calls = spy_refresh(queue)
        clock.advance(minutes=1)
        app.main.tick_now()
        await pilot.pause()
        assert queue.row(to_pause).cells["status"] == "||1m"
        assert queue.row(to_pause).cells["left"] == "-31m"
        assert queue.row(paused).cells["status"] == "||1h01m"
        assert queue.row(late).cells["status"] != "||"  # a running fault says its status
        regions = [r for regions, _kw in calls for r in regions]
        columns = {c.key: c for c in queue._layout()}
        status, left = columns["status"], columns["left"]
        assert regions and {(r.x, r.width) for r in regions} <= {
            (status.x, status.width),
            (left.x, left.width),
        }
        # Resumed: still breached, still in place, the row says its status again.
        await press_and_fill(pilot, "p", note="window granted")
        await save(pilot)
        assert queue.refs == [calm, to_pause, late, paused]
        row = queue.row(to_pause)
        assert not row.paused and row.band == "breached" and row.cells["status"] == "in progress"


async def test_the_detail_says_by_how_much_each_clock_is_late(desk, clock):
    paused = log(desk, "paused 2h late", 6 * H, pause_ago=H)
    slow = log(desk, "answered 30 min late", 2 * H, respond_after=90 * M)
    for language, phrase in (("en", "breached by"), ("zh_CN", "已超时")):
        app = make_app(desk, clock, language=language)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            detail = app.main.detail
            app.main.queue.move_to_ref(paused)
            await settle(pilot)
            lines = detail.section("clocks").splitlines()
            at = next(i for i, line in enumerate(lines) if "03-10 08:00" in line)
            assert lines[at].split()[-1] in ("BRCH", "超时")  # paused after the breach
            assert lines[at + 1].strip() == f"{phrase} 2h00m"
            para = next(p for p in detail._paras if p[0] and lines[at + 1] in p[0][0][0])
            assert para[0][0][1] == "clocks--breached"

            app.main.queue.move_to_ref(slow)
            await settle(pilot)
            lines = detail.section("clocks").splitlines()
            at = next(i for i, line in enumerate(lines) if "03-10 09:00" in line)  # respond
            assert lines[at + 1].strip() == f"{phrase} 0:30:00"  # missed, by how much
            assert not any(phrase in line for line in lines[at + 2 :])  # the others met

            # A running clock's lateness grows with the tick.
            clock.advance(minutes=1)
            app.main.queue.move_to_ref(paused)
            await settle(pilot)
            detail.tick(clock.now())
            assert f"{phrase} 2h01m" in detail.section("clocks")
            clock.set(clock.now() - M)

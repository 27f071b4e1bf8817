"""The console's queue, header and detail pane on a temporary database with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui_support import console_refs, make_app, settle, until

from oncall.text import cell_width


def screen_text(app) -> str:
    """The whole screen as plain text (what a terminal would show)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def queue_lines(app) -> list[str]:
    queue = app.main.queue
    return [queue.render_line(y).text for y in range(min(len(queue.rows) + 1, queue.size.height))]


async def test_header_shows_time_zone_user_database_and_counts(demo_desk):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        header = app.main.header.plain()
        assert header.startswith("2026-03-10 10:00:00 CST Asia/Shanghai")
        counts = {b: 0 for b in ("breached", "critical", "warning", "ok")}
        for item in demo_desk.reads.open_queue():
            counts[item.band.value] += 1
        assert f"BRCH {counts['breached']} CRIT {counts['critical']}" in header
        assert f"WARN {counts['warning']} ok {counts['ok']}" in header
        assert "alerts 0" in header and "duty" in header and "sqlite:oncall.sqlite3" in header
        app.unacked_alerts = 1  # as the alert service sets it
        await pilot.pause()
        assert "alerts 1" in app.main.header.plain()
        app.unacked_alerts = 0
        await pilot.pause()
        assert "alerts 0" in app.main.header.plain()


async def test_queue_is_in_breach_order_with_band_text(demo_desk):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = app.main.queue
        now = demo_desk.clock.now()
        assert queue.refs == console_refs(demo_desk.reads.open_queue(), now)
        lefts = [r.item.left(now) for r in queue.rows if r.item is not None]
        due = [x for x in lefts if x is not None and x > 0]
        late = [x for x in lefts if x is not None and x <= 0]
        assert lefts[: len(due)] == sorted(due)  # the next breach on top
        assert late == sorted(late, reverse=True) and late  # then the latest breach first
        top = queue.rows[0]
        assert top.cells["band"] != "BRCH" and not top.cells["left"].startswith("-")
        lines = queue_lines(app)
        assert lines[0].split()[:4] == ["Band", "Left", "Lv", "Fault"]  # the pane names the clock
        # CJK customers keep the columns aligned: every line is exactly as wide
        widths = {cell_width(line) for line in lines}
        assert len(widths) == 1


async def test_countdowns_tick_and_show_seconds_only_near_the_deadline(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        row = app.main.queue.row(fault.ref)
        assert row.cells["left"] == "1h00m"  # respond clock: 2 h from 09:00, now 10:00
        clock.advance(seconds=1)
        app.main.tick_now()
        assert row.cells["left"] == "59m"
        version = row.version
        clock.advance(seconds=1)
        app.main.tick_now()
        assert row.cells["left"] == "59m" and row.version == version  # nothing to repaint
        clock.advance(minutes=59, seconds=57)  # one second to the deadline
        app.main.tick_now()
        assert row.cells["left"] == "1s"
        clock.advance(seconds=2)
        app.main.tick_now()
        await settle(pilot)  # crossing the deadline reloads: the desk says "breached"
        row = app.main.queue.row(fault.ref)
        assert row.band == "breached" and row.cells["left"] == "-1s"
        # The detail pane keeps the precise time.
        assert "-0:00:01" in app.main.detail.plain()


async def test_cursor_stays_on_its_fault_when_rows_move(desk, clock, fault):
    later = desk.faults.log(
        customer="华东电网", system="SCADA", title="Later", level=3, channel="phone"
    )
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = app.main.queue
        assert queue.refs == [fault.ref, later.ref]
        await pilot.press("j")
        await settle(pilot)
        assert queue.cursor_ref == later.ref
        # elsewhere: a level-0 fault arrives, and it goes on top
        urgent = desk.as_user("alice").faults.log(
            customer="华东电网",
            system="EMS",
            title="Down",
            level=0,
            channel="phone",
            at=clock.now() - timedelta(minutes=50),
        )
        await app.main.sync.reload()
        await settle(pilot)
        assert queue.refs[0] == urgent.ref
        assert queue.cursor_ref == later.ref
        assert queue.cursor == 2


async def test_a_fault_resolved_elsewhere_leaves_the_queue_by_itself(desk, clock, fault):
    """The console's own tick polls for commits elsewhere (the full reload is 10 min
    away, past the hang guard): no key, no reload() from the test."""
    desk.faults.respond(fault.ref, version=None, how="phone")
    app = make_app(desk, clock, tick=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        other = desk.faults.log(
            customer="华东电网", system="SCADA", title="Later", level=3, channel="phone"
        )
        await app.main.sync.reload()
        await settle(pilot)
        assert app.main.queue.refs == [fault.ref, other.ref]
        app.main.queue.move_to_ref(other.ref)  # not under the cursor: it just leaves
        desk.as_user("alice").faults.resolve(fault.ref, version=None, summary="fixed remotely")
        await until(pilot, lambda: app.main.queue.refs == [other.ref])


async def test_detail_pane_shows_every_clock_the_record_and_the_timeline(desk, clock, fault):
    desk.faults.respond(fault.ref, version=None, how="phone", note="told to wait")
    desk.work.add(
        fault.ref,
        version=None,
        mode="remote",
        start=clock.now() - timedelta(minutes=20),
        end=clock.now(),
        done="checked the link",
        result="link flaps",
    )
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        detail = app.main.detail
        assert detail.view.fault.ref == fault.ref
        clocks = detail.section("clocks")
        names = [line.split()[0] for line in clocks.splitlines()[1:]]
        assert names[:2] == ["respond", "resolve"]
        assert "solution" in names and "remote" in names
        assert "met" in clocks.splitlines()[1]
        head = detail.section("head")
        for word in ("L1", "phone", "华东电网", "EMS", "张工", "(nobody)", "in progress"):
            assert word in head
        record = detail.section("record")
        assert "RTU data stale since 09:00" in record and "Diagnosis process" in record
        timeline = detail.section("timeline").splitlines()
        assert "work logged" in timeline[0]  # newest first
        assert any("logged" in line for line in timeline[-3:])


async def test_control_characters_are_shown_escaped(desk, clock):
    f = desk.faults.log(
        customer="华东电网",
        system="EMS",
        title="evil\x1b[31mred\x07",
        level=1,
        channel="phone",
        symptom="line1\nline2\x1b]0;pwned\x07",
    )
    app = make_app(desk, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        row = app.main.queue.row(f.ref)
        assert row.cells["title"] == "evil\\e[31mred\\x07"
        record = app.main.detail.section("record")
        assert "\x1b" not in record and "\\e]0;pwned\\x07" in record
        assert "\x1b" not in app.main.detail.plain() and "\x07" not in app.main.detail.plain()
        assert "\x1b" not in screen_text(app)


async def test_read_only_when_not_on_the_roster(desk, clock, fault):
    stranger = desk.as_user("mallory")
    app = make_app(stranger, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        banner = str(app.main.query_one("#banner").render())
        assert "Read-only" in banner and "oncall engineer add mallory" in banner
        assert "(read-only)" in app.main.header.plain()
        await pilot.press("n")
        await pilot.press("r")
        await settle(pilot)
        assert app.screen is app.main
        assert desk.reads.fault(fault.ref).status == "new"


async def test_an_empty_database_offers_the_demo_data(engine, policy, clock):
    from oncall.desk import Desk

    desk = Desk(engine, policy, clock, "newbie")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"
        notes: list[str] = []
        set_note = app.main.queue.set_note

        def noted(note: str) -> None:
            notes.append(note)
            set_note(note)

        app.main.queue.set_note = noted
        await pilot.press("y")
        await until(pilot, lambda: app.main.queue.refs)
        await settle(pilot)
        assert len(app.main.sync.items) == 40
        assert app.main.queue.refs == console_refs(app.main.sync.items, app.main.clock.now())
        assert not app.main.read_only  # the demo put "newbie" on the roster
    # what the queue said while it loaded: a note per stage of the demo
    assert notes == [
        "loading the demo data…",
        "loading the demo data: the roster and the customers…",
        "loading the demo data: the faults, their work and their clocks…",
        "loading the demo data: writing them to the database…",
        "loading the demo data: counting what was written…",
    ]


async def test_eighty_by_twenty_four_switches_panes(demo_desk):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = queue_lines(app)
        assert all(cell_width(line) == cell_width(lines[0]) for line in lines)
        assert app.main.queue.region.width == 80
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.detail.region.width == 80


async def test_the_header_warns_of_a_calendar_year_not_known(demo_desk, monkeypatch):
    """Worked out when the desk opens and again when the desk's date changes."""
    from oncall.sla.policy import Policy, UnknownYear

    asked = []

    def unknown_years(self, now):
        asked.append(now)
        return [UnknownYear("CN", 2027)] if now.month == 12 else []

    monkeypatch.setattr(Policy, "unknown_years", unknown_years)
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        header = app.main.header
        assert len(asked) == 1 and len(header.lines) == 1
        app.main.tick_now()  # the same day: not asked again
        await settle(pilot)
        assert len(asked) == 1
        demo_desk.clock.set(datetime(2026, 12, 7, 2, tzinfo=UTC))
        app.main.tick_now()
        await settle(pilot)
        assert len(asked) == 2
        assert (
            header.plain()
            .splitlines()[1]
            .startswith(
                "⚠ 2027 workdays unknown (CN), deadlines may be off: oncall calendar set 2027"
            )
        )

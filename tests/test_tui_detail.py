"""The detail pane: one line-painted widget that wraps, scrolls and ticks without a layout."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from tui_support import make_app, settle, spy_refresh

from oncall.text import cell_width
from oncall.tui.detail import CLOCK_BAND_AT, CLOCK_WIDTHS, wrap


def texts(rows) -> list[str]:
    return ["".join(text for text, _cls in row) for row in rows]


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def count_layouts(app) -> list:
    """Every layout of the current screen from now on (one entry each)."""
    seen: list = []
    app.screen.screen_layout_refresh_signal.subscribe(app.screen, seen.append)
    return seen


# -- wrapping ------------------------------------------------------------------------


def test_a_long_cjk_line_wraps_at_the_width_without_splitting_a_character():
    text = "前置机通信中断，调度台看不到遥测数据，已经持续了二十分钟 since 09:00 RTU stale"
    rows = wrap([("  " + text, "detail--value")], 20, 2)
    assert texts(rows) == [
        "  前置机通信中断，调",  # the paragraph's own indent kept; 2 + 9 x 2 cells
        "  度台看不到遥测数据",  # then the hanging indent
        "  ，已经持续了二十分",
        "  钟 since 09:00 RTU",
        "  stale",
    ]
    assert {cls for row in rows for _t, cls in row} <= {"detail--value", ""}
    # an odd width: a wide character that would take the last cell goes to the next row
    shown = texts(wrap([("  " + text, "detail--value")], 21, 2))
    assert all(cell_width(row) <= 21 for row in shown)
    assert [cell_width(row) for row in shown[:3]] == [20, 20, 20]
    assert "".join(row.strip() for row in shown).replace(" ", "") == text.replace(" ", "")


def test_words_wrap_at_spaces_and_keep_their_styles():
    value = "2026-03-03 12:00  王芳 (wangfang)"
    line = [("Reported   ", "detail--label"), (value, "detail--value")]
    rows = wrap(line, 30, 11)
    assert texts(rows) == ["Reported   2026-03-03 12:00", "           王芳 (wangfang)"]
    assert rows[0] == [("Reported   ", "detail--label"), ("2026-03-03 12:00", "detail--value")]
    assert rows[1][0] == (" " * 11, "")
    # a word longer than a row is cut, not lost
    rows = wrap([("x" * 25, "a")], 10)
    assert texts(rows) == ["x" * 10, "x" * 10, "x" * 5]
    # a line that fits comes back as it is
    line = [("short", "a")]
    assert wrap(line, 10, 2) == [line]


# -- in the console ------------------------------------------------------------------


async def test_showing_another_fault_repaints_without_a_layout(demo_desk):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        detail = app.main.detail
        region, size = detail.region, detail.size
        layouts = count_layouts(app)
        seen = set()
        for key in ("j", "j", "j", "k", "j", "j"):
            await pilot.press(key)
            await settle(pilot)
            ref = app.main.queue.cursor_ref
            assert detail.view.fault.ref == ref
            assert detail.plain().startswith(ref)
            assert any(line.startswith(f"▏ {ref}", 74) for line in screen_lines(app))
            seen.add(ref)
            assert detail.max_scroll_y == max(len(detail.lines) - detail.size.height, 0)
        assert len(seen) >= 4
        assert layouts == []
        assert (detail.region, detail.size) == (region, size)


async def test_text_wraps_to_the_pane_and_again_on_resize(desk, clock):
    symptom = "调度台所有遥测数据停止刷新，前置机日志显示通道反复断开重连" * 3
    f = desk.faults.log(
        customer="华东电网",
        system="EMS",
        title="遥测中断",
        level=1,
        channel="phone",
        symptom=symptom,
    )
    app = make_app(desk, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        detail = app.main.detail
        assert detail.view.fault.ref == f.ref
        width = detail.scrollable_content_region.width
        assert width == 42
        rows = texts(detail.lines)
        assert all(cell_width(row) <= width for row in rows)
        start = next(i for i, row in enumerate(rows) if row.startswith("  调度台"))
        part = rows[start : rows.index("Diagnosis process")]
        assert len(part) == 5  # 87 wide characters, 20 a row after the indent
        assert all(cell_width(row) == width for row in part[:-1])  # filled, CJK-aware
        assert all(row.startswith("  ") for row in part)  # the value's indent, kept
        assert "".join(row.strip() for row in part) == symptom
        assert symptom in detail.section("record")
        await pilot.resize_terminal(200, 40)
        await settle(pilot)
        wider = detail.scrollable_content_region.width
        assert wider > width
        rows = texts(detail.lines)
        assert all(cell_width(row) <= wider for row in rows)
        start = next(i for i, row in enumerate(rows) if row.startswith("  调度台"))
        part = rows[start : rows.index("Diagnosis process")]
        assert len(part) == 3 and max(cell_width(row) for row in part) > width
        assert "".join(row.strip() for row in part) == symptom


async def test_the_focused_pane_scrolls_with_the_keys(demo_desk):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.main.detail
        assert app.focused is detail
        assert len(detail.lines) > detail.size.height  # more than a screenful
        queue_ref = app.main.queue.cursor_ref

        def top_line() -> str:
            """The pane's first line as the terminal shows it (less the padding)."""
            area = detail.scrollable_content_region
            strip = app.screen._compositor.render_strips()[area.y]
            return strip.crop(area.x, area.right).text.rstrip()

        def row(n: int) -> str:
            return texts([detail.lines[n]])[0].rstrip()

        assert detail.scroll_y == 0 and top_line() == row(0)
        for key, expect in (("j", 1), ("down", 2), ("j", 3), ("k", 2), ("up", 1), ("k", 0)):
            await pilot.press(key)
            await settle(pilot)
            assert detail.scroll_y == expect, key
            assert top_line() == row(expect)
        await pilot.press("end")
        await settle(pilot)
        assert detail.scroll_y == detail.max_scroll_y > 0
        assert top_line() == row(int(detail.scroll_y))
        await pilot.press("home")
        await settle(pilot)
        assert detail.scroll_y == 0
        await pilot.press("pagedown")
        await settle(pilot)
        assert detail.scroll_y > 5
        assert top_line() == row(int(detail.scroll_y))
        await pilot.press("pageup")
        await settle(pilot)
        assert detail.scroll_y == 0
        assert app.main.queue.cursor_ref == queue_ref  # the keys scrolled, not moved the cursor
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is app.main.queue


async def test_narrow_terminal_shows_the_wrapped_pane_on_enter(demo_desk):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        detail = app.main.detail
        assert not detail.display
        ref = app.main.queue.cursor_ref
        await pilot.press("enter")
        await settle(pilot)
        width = detail.scrollable_content_region.width
        assert width == 80 - 3  # less padding and the scrollbar
        assert all(cell_width(row) <= width for row in texts(detail.lines))
        assert screen_lines(app)[1].startswith(f" {ref}  ")
        assert detail.max_scroll_y == len(detail.lines) - detail.size.height > 0
        await pilot.press("escape")
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert screen_lines(app)[1].startswith(f" {app.main.queue.cursor_ref}  ")


async def test_a_tick_repaints_only_the_changed_clock_cells(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        detail = app.main.detail
        clocks = detail.section("clocks").splitlines()
        assert clocks[1].split()[:2] == ["respond", "03-10"] and "1h00m" in clocks[1]
        assert clocks[1].endswith(" ok")
        first = next(i for i, r in enumerate(texts(detail.lines)) if r.startswith("respond"))
        assert detail.lines[first] == [(clocks[1], "clocks--ok")]
        calls = spy_refresh(detail)
        detail.tick(clock.now())  # nothing changed: nothing repainted, nothing sent
        assert calls == []
        # 10:31: the respond clock has used 76 % of its time: its band moves on to warning
        # (from the clocks' threshold instants; nothing was read again)
        clock.advance(minutes=31)
        detail.tick(clock.now())
        row = detail.lines[first]
        assert row[0][1] == "clocks--warning" and row[0][0].endswith(" WARN")
        assert "0:29:00" in row[0][0]
        left = (CLOCK_WIDTHS[0] + CLOCK_WIDTHS[1] + 2, CLOCK_BAND_AT - CLOCK_WIDTHS[3] - 2)
        regions = [regions for regions, kw in calls]
        assert all(len(r) == 1 and r[0].height == 1 for r in regions)
        # the band's row repaints whole (its colour changed), the others their countdowns
        assert regions[0] == (Region(0, first, cell_width(row[0][0]), 1),)
        assert regions[1:] and all(left[0] <= r.x and r.right <= left[1] for (r,) in regions[1:])
        calls.clear()
        clock.advance(seconds=1)
        detail.tick(clock.now())
        assert "0:28:59" in texts([detail.lines[first]])[0]
        assert calls, "the countdown's cells are repainted"
        for regions, kw in calls:
            assert kw == {} and len(regions) == 1
            (r,) = regions
            assert r.height == 1 and left[0] <= r.x and r.right <= left[1]
        respond = [r for (r,), _kw in calls if r.y == first]
        assert len(respond) == 1 and respond[0].width == 4  # "29:00" -> "28:59": 4 cells
        await pilot.pause()
        assert "0:28:59" in screen_lines(app)[1 + first]


async def test_a_theme_change_recolours_the_pane_and_no_fault_says_so(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        detail = app.main.detail
        before = detail.render_line(0)
        title_style = before._segments[0].style
        await pilot.press("t")
        await settle(pilot)
        after = detail.render_line(0)
        assert after.text == before.text
        assert after._segments[0].style != title_style  # the light theme's colours
        detail.show(None, clock.now())
        assert detail.plain() == "No fault selected."
        assert detail.max_scroll_y == 0
        await pilot.pause()
        assert "No fault selected." in screen_lines(app)[1]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_clock_table_names_each_clock_in_whole_words(language):
    """ "on-site arrival" is wider than the column: the table says "arrive" (the queue's
    short name), never "on-site ar…", in either language."""
    from oncall import i18n
    from oncall.tui.detail import CLOCK_WIDTHS, clock_cell
    from oncall.vocabulary import CLOCKS

    i18n.set_language(language)
    try:
        for clock in CLOCKS:
            name = clock_cell(clock)
            assert "…" not in name and cell_width(name) <= CLOCK_WIDTHS[0], (clock, name)
        assert clock_cell("respond") == i18n._("respond")  # a name that fits stays whole
    finally:
        i18n.set_language("en")


async def test_a_page_key_jumps_in_one_frame(demo_desk, monkeypatch):
    """No smooth scrolling: over a slow ssh link every frame of it is bytes and waiting.
    The pane's offset goes straight to the next page, no values in between."""
    monkeypatch.delenv("TEXTUAL_ANIMATIONS", raising=False)
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.main.detail
        seen: list[float] = []
        detail.watch(detail, "scroll_y", lambda y: seen.append(y), init=False)
        await pilot.press("pagedown")
        await settle(pilot)
        await pilot.wait_for_scheduled_animations()
        assert app.animation_level == "none"
        assert seen == [detail.scroll_y] and detail.scroll_y > 5

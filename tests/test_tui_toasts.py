"""Toasts: never over a form or the detail pane (its clocks), one key dismisses them all,
and their edges never split a wide (CJK) character of the queue."""

from __future__ import annotations

import pytest
from textual.widgets._toast import Toast
from tui_support import make_app, settle

from oncall.tui.toasts import DISMISS_KEY

SIZES = [(80, 24), (120, 40)]
LONG = "Respond: 0:05:00 left, due 03-10 10:05\n海川银行 · 数据中心: 前置机无法连接 " * 2


def toasts_shown(app) -> list[Toast]:
    """The toasts on the current screen that take cells on it."""
    return [t for t in app.screen.query(Toast) if t.region.area]


async def toast(pilot, n: int = 3) -> None:
    for i in range(n):
        pilot.app.notify(LONG, title=f"Breach · F-{i}", severity="error", timeout=600)
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
async def test_toasts_stay_over_the_queue_never_over_the_detail_pane(desk, clock, fault, size):
    app = make_app(desk, clock)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await toast(pilot)
        shown = toasts_shown(app)
        assert len(shown) == 3
        queue_pane = app.screen.query_one("#queue-pane").region
        detail = app.screen.detail.region
        for t in shown:
            assert not t.region.overlaps(detail), (t.region, detail)
            # as wide as the queue pane, from its left edge: no edge inside a row's text
            assert (t.region.x, t.region.right) == (queue_pane.x, queue_pane.right)
        if size[0] < 120:  # the detail pane fills the screen: toasts wait
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen.detail.region.area
            assert toasts_shown(app) == []
            await pilot.press("escape")
            await pilot.pause()
            assert len(toasts_shown(app)) == 3


@pytest.mark.parametrize("size", SIZES)
async def test_no_toast_over_an_open_form_and_they_come_back_after(desk, clock, fault, size):
    app = make_app(desk, clock)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await toast(pilot, 2)
        await pilot.press("r")
        await pilot.pause()
        form = app.screen.query_one(".form")
        await toast(pilot, 1)  # an alert while the form is open: the header counts it
        assert toasts_shown(app) == []
        assert all(not t.region.overlaps(form.region) for t in app.screen.query(Toast))
        # nor under the form (a toast, or the rack that holds it, not displayed)
        assert not [
            t for t in app.main.query(Toast) if all(n.display for n in t.ancestors_with_self)
        ]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert len(toasts_shown(app)) == 3


@pytest.mark.parametrize("size", SIZES)
async def test_one_key_dismisses_every_toast_and_the_footer_shows_it(desk, clock, fault, size):
    app = make_app(desk, clock)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)

        def in_footer() -> bool:
            return (
                any(
                    b.binding.action == "dismiss_toasts"
                    for b in app.screen.active_bindings.values()
                )
                and app.check_action("dismiss_toasts", ()) is True
            )

        assert not in_footer()
        await toast(pilot)
        assert in_footer()
        await pilot.press(DISMISS_KEY)
        await pilot.pause()
        await pilot.pause()
        assert toasts_shown(app) == [] and not app._notifications
        assert not in_footer()


async def test_the_dismiss_key_works_in_a_form_without_touching_its_fields(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await toast(pilot)
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#f-title").focus()
        await pilot.press("a", "b", DISMISS_KEY, "c")
        await pilot.pause()
        assert not app._notifications
        assert app.screen.query_one("#f-title").value == "abc"


@pytest.mark.parametrize("size", SIZES)
async def test_a_toasts_chinese_text_is_whole_on_the_screen(desk, clock, fault, size):
    """Textual cuts each screen line at every widget's edge and blanks a wide character
    that a cut splits (Textualize/textual#6357): a toast across the pane divider read
    "海川银行数据  心". Over the queue pane only, no cut falls inside a toast's text."""
    app = make_app(desk, clock)
    message = "海川银行数据中心前置机通信中断" * 4
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        for n in (0, 1):  # text starting on an even and on an odd column
            app.notify(("x" * n) + message, title="海川银行数据中心", timeout=600, markup=False)
        await pilot.pause()
        await pilot.pause()
        strips = app.screen._compositor.render_strips()
        shown = toasts_shown(app)
        assert len(shown) == 2
        for t in shown:
            r = t.region
            lines = (strips[y].crop(r.x + 1, r.right).text for y in range(r.y, r.bottom))
            text = "".join(lines)  # without the border (its first cell)
            assert message in "".join(text.split()), text

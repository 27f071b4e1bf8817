"""Enter in a form moves to the next field, lists and check boxes included; space opens a list."""

from __future__ import annotations

from textual.widgets import Checkbox, Select
from tui_support import make_app, settle

from oncall.tui.forms.base import FormScreen


async def test_enter_on_a_list_moves_on_and_space_opens_it(desk, clock):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        ids = []
        for _ in range(4):  # customer, system, level, channel: lists, one after the other
            assert isinstance(app.focused, Select) and not app.focused.expanded
            ids.append(app.focused.id)
            await pilot.press("enter")
            await pilot.pause()
        assert ids == ["f-customer", "f-system", "f-level", "f-channel"]
        assert app.focused.id == "f-contact"
        await pilot.press("shift+tab")
        await pilot.press("space")
        await pilot.pause()
        assert app.screen.query_one("#f-channel", Select).expanded
        await pilot.press("down", "enter")  # in the open list, Enter picks
        await pilot.pause()
        channel = app.screen.query_one("#f-channel", Select)
        assert not channel.expanded and channel.value == "electronic"
        assert app.screen is form  # nothing saved, nothing closed


async def test_enter_on_a_check_box_moves_on_and_space_ticks_it(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f")  # the filter form: "only mine" is a check box
        await settle(pilot)
        box = app.screen.query_one("#f-mine", Checkbox)
        box.focus()
        await pilot.pause()
        before = box.value
        await pilot.press("enter")
        await pilot.pause()
        assert box.value == before and app.focused is not box
        box.focus()
        await pilot.press("space")
        await pilot.pause()
        assert box.value != before

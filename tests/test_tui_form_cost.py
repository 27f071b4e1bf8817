"""What opening a form costs, counted in widgets styled (not timed: see bench/)."""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet
from tui_support import make_app, settle


async def test_opening_a_form_styles_its_widgets_about_once(desk, clock, fault, monkeypatch):
    """The focus goes straight to the first field: the scrolling body taking the focus
    and giving it up restyled every widget of the form twice more (half of opening it)."""
    restyled: list[int] = []
    update_nodes = Stylesheet.update_nodes

    def counting(self, nodes, animate=False):
        nodes = list(nodes)
        restyled.append(len(nodes))
        return update_nodes(self, nodes, animate)

    monkeypatch.setattr(Stylesheet, "update_nodes", counting)
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        restyled.clear()
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        widgets = len(list(form.walk_children(with_self=True)))
        assert app.focused is form.query_one("#f-customer")
        # Textual restyles a screen once as it comes to the front; the rest is the
        # fields' own small updates (their focus, the customer's systems).
        assert sum(restyled) < 2 * widgets, (sum(restyled), widgets)

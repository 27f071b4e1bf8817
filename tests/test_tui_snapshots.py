"""Snapshots of whole screens, frozen clock, at 80x24 and 120x40 (one snapshot per test).

Update after an intended change: pytest tests/test_tui_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_support import make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def _still(pilot) -> None:
    """Cursors drawn, not blinking, whatever phase of the blink the form was in.

    On a busy machine the cursor may have blinked off before this runs: an input's
    queued blink is undone here, and a TextArea's cached lines are dropped (its line
    cache keys the cursor only while it blinks, so a line cached in the blink's off
    phase would be shown again without its cursor)."""
    app = pilot.app
    for widget in app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()
    for widget in app.screen.query("Input"):
        widget._cursor_visible = True
    for widget in app.screen.query("TextArea"):
        widget._line_cache.clear()
        widget.refresh()


def _first(desk, status: str) -> str:
    return next(i.fault.ref for i in desk.reads.open_queue() if i.fault.status == status)


def runner(*keys: str, ref=None, lists: int = 0, then=None):
    async def run_before(pilot) -> None:
        await settle(pilot)
        app = pilot.app
        for _ in range(lists):
            await pilot.press("d")
            await settle(pilot)
        if ref is not None:
            app.main.queue.move_to_ref(ref(app.main.backend.desk))
            await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if then is not None:
            await then(pilot)
            await settle(pilot)
        await _still(pilot)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_queue(snap_compare, demo_desk, size):
    assert snap_compare(
        make_app(demo_desk, demo_desk.clock), terminal_size=size, run_before=runner()
    )


@pytest.mark.parametrize("size", SIZES)
def test_detail(snap_compare, demo_desk, size):
    app = make_app(demo_desk, demo_desk.clock)
    assert snap_compare(app, terminal_size=size, run_before=runner("j", "j", "enter"))


@pytest.mark.parametrize("size", SIZES)
def test_breached(snap_compare, demo_desk, size):
    async def run_before(pilot):
        await settle(pilot)
        from oncall.tui.filters import QueueFilter

        pilot.app.main.sync.set_filter(QueueFilter(band="breached"))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    app = make_app(demo_desk, demo_desk.clock)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, demo_desk, size):
    app = make_app(demo_desk, demo_desk.clock)
    assert snap_compare(app, terminal_size=size, run_before=runner("question_mark"))


async def _onsite(pilot) -> None:
    """On-site mode (the sign-off field appears), then save with nothing done: inline errors."""
    form = pilot.app.screen
    form.query_one("#f-mode").value = "onsite"
    await pilot.pause()
    form.query_one("#f-end").value = "yesterday"
    await pilot.press("ctrl+s")


FORMS = {
    "intake": runner("n"),
    "respond": runner("r", ref=lambda d: _first(d, "new")),
    "solution": runner("s", ref=lambda d: _first(d, "responded")),
    "assign": runner("a"),
    "work": runner("w", ref=lambda d: _first(d, "in_progress")),
    "work_onsite_invalid": runner("w", ref=lambda d: _first(d, "in_progress"), then=_onsite),
    "escalate": runner("x"),
    "pause": runner("p", ref=lambda d: _first(d, "in_progress")),
    "resume": runner("p", ref=lambda d: _first(d, "waiting")),
    "level": runner("l"),
    "record": runner("e"),
    "resolve": runner("v"),
    "sign_off": runner("o", lists=1),
    "close": runner("c", lists=1),
    "reopen": runner("u", lists=2),
    "filter": runner("f"),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("form", list(FORMS))
def test_form(snap_compare, demo_desk, form, size):
    app = make_app(demo_desk, demo_desk.clock)
    assert snap_compare(app, terminal_size=size, run_before=FORMS[form])


async def _system_taken(pilot) -> None:
    """A name the customer has already, saved: the desk's refusal, what was typed kept."""
    form = pilot.app.screen
    customer = form.query_one("#f-customer").value
    taken = next(c for c in form.ctx.customers if c.name == customer).systems[0].name
    form.query_one("#f-name").value = taken
    form.query_one("#f-product").value = "D5000"
    form.query_one("#f-model").value = "v4"
    await pilot.press("ctrl+s")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_system_form(snap_compare, demo_desk, size, language):
    """S: a system more for the customer of the fault under the cursor; a name taken."""
    app = make_app(demo_desk, demo_desk.clock, language=language)
    assert snap_compare(app, terminal_size=size, run_before=runner("S", then=_system_taken))


def test_queue_in_chinese(snap_compare, demo_desk):
    app = make_app(demo_desk, demo_desk.clock, language="zh_CN")
    assert snap_compare(app, terminal_size=(120, 40), run_before=runner())


def test_queue_in_english(snap_compare, demo_desk):
    app = make_app(demo_desk, demo_desk.clock, language="en")
    assert snap_compare(app, terminal_size=(120, 40), run_before=runner("j"))


def test_light_theme(snap_compare, demo_desk):
    app = make_app(demo_desk, demo_desk.clock, theme="textual-light")
    assert snap_compare(app, terminal_size=(120, 40), run_before=runner())


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_calendar_year_not_known(snap_compare, demo_desk, size, language, monkeypatch):
    """A second header line while a calendar year ahead is not known."""
    from oncall.sla.policy import Policy, UnknownYear

    monkeypatch.setattr(Policy, "unknown_years", lambda self, now: [UnknownYear("CN", 2027)])
    app = make_app(demo_desk, demo_desk.clock, language=language)
    assert snap_compare(app, terminal_size=size, run_before=runner())


def test_every_snapshot_file_has_its_test(request):
    """syrupy fails a run on a snapshot no test uses, but only in a serial run: under
    pytest-xdist (the suite's command) it cannot tell. So this test does: one .svg
    per snapshot test of this module, whatever ``-k`` selected, and nothing else."""
    module = request.node.parent
    tests = {item.name for item in module.collect() if "snap_compare" in item.fixturenames}
    folder = Path(__file__).parent / "__snapshots__" / Path(__file__).stem
    assert {path.stem for path in folder.glob("*.svg")} == tests


async def _toasts(pilot) -> None:
    """A catch-up summary and one alert with Chinese text, as the alert bridge shows them."""
    from oncall.i18n import _

    app = pilot.app
    app.notify(
        _("{count} alerts ({parts}). Press ! to list them.").format(count=14, parts="9, 5"),
        title=_("Alerts"),
        severity="error",
        timeout=3600,
        markup=False,
    )
    app.notify(
        "海川银行数据中心 · 核心系统: 前置机通信中断",
        title="F-2026-00046",
        timeout=3600,
        markup=False,
    )
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_toasts_over_the_queue(snap_compare, demo_desk, size, language):
    """Toasts over the queue only (never the detail pane's clocks); the footer shows ^t."""
    app = make_app(demo_desk, demo_desk.clock, language=language)
    assert snap_compare(app, terminal_size=size, run_before=runner(then=_toasts))


@pytest.mark.parametrize("size", SIZES)
def test_no_toast_over_a_form(snap_compare, demo_desk, size):
    async def run_before(pilot) -> None:
        await runner(then=_toasts)(pilot)
        await pilot.press("n")
        await settle(pilot)
        await _still(pilot)

    app = make_app(demo_desk, demo_desk.clock)
    assert snap_compare(app, terminal_size=size, run_before=run_before)

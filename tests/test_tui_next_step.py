"""The console puts the contract's next step in front of the engineer.

The detail pane's "Next:" line (translated, with its key), ``space`` (or Enter
on the detail pane) opening the next step's form pre-filled, who is on duty in
the assign and escalate lists, and the sign-off asking for the work's end.
"""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input, Select
from tui_support import fill, make_app, save, settle

from oncall.tui.forms.base import FormScreen
from oncall.tui.forms.verbs import AssignForm, EscalateForm, ResolveForm
from oncall.tui.forms.work import SignOffForm, WorkForm

M = timedelta(minutes=1)
H = timedelta(hours=1)


def level0(desk, clock, *, ago=3 * H):
    """A level-0 fault (7x24: deadlines are plain arithmetic), assigned to alice, responded
    and with a solution proposed."""
    now = clock.now()
    f = desk.faults.log(
        customer="华东电网", system="EMS", title="EMS down", level=0, channel="phone", at=now - ago
    )
    desk.faults.assign(f.ref, "alice", version=None, at=now - ago)
    desk.faults.respond(f.ref, version=None, how="phone", at=now - ago + 5 * M)
    desk.faults.propose(f.ref, version=None, text="restart", at=now - ago + 10 * M)
    return f


def on_site(desk, clock, since):
    f = level0(desk, clock)
    desk.work.add(f.ref, version=None, mode="onsite", start=clock.now() - since, done="on site")
    return f


async def open_next(pilot, key: str = "space") -> FormScreen:
    await pilot.press(key)
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, FormScreen), f"{key} opened {form!r}"
    return form


# -- the detail pane ---------------------------------------------------------------------


async def test_the_detail_pane_says_the_next_step_and_its_key(desk, clock):
    f = on_site(desk, clock, since=150 * M)  # the 2 h escalation window ran out 30 min ago
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        detail = app.main.detail
        assert detail.view.fault.ref == f.ref
        assert detail.section("next") == (
            "Next [x]: escalate to a senior engineer on duty (Bob Li (bob)): on-site work "
            "started 03-10 07:30 and was not cleared by 03-10 09:30"
        )
        text = detail.plain()
        assert text.index("Next [x]:") < text.index("Level") < text.index("Clocks")
        assert {cls for _t, cls in detail._paras[1][0]} >= {"detail--next-late"}


async def test_the_next_step_in_chinese(desk, clock):
    on_site(desk, clock, since=150 * M)
    app = make_app(desk, clock, language="zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.main.detail.section("next") == (
            "下一步 [x]：升级给值班的高级工程师（Bob Li (bob)）：现场服务 03-10 07:30 开始，"
            "至 03-10 09:30 仍未排除"
        )


async def test_the_next_step_moves_on_when_a_deadline_passes(desk, clock):
    f = level0(desk, clock)
    desk.work.add(f.ref, version=None, mode="remote", start=clock.now() - 100 * M, done="ssh")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        detail = app.main.detail
        assert detail.section("next") == (
            "Next [v]: remote fix: resolve before the window ends, else go on site "
            "(due 03-10 10:20)"
        )
        clock.advance(minutes=20)  # the remote-fix window runs out at 10:20
        app.main.tick_now()
        await pilot.pause()
        assert detail.section("next") == (
            "Next [w]: go on site: the remote-fix window ran out at 03-10 10:20"
        )


# -- space opens the next step's form, pre-filled ------------------------------------------


async def test_space_opens_the_escalation_to_the_senior_on_duty(desk, clock):
    f = on_site(desk, clock, since=150 * M)
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_next(pilot)
        assert isinstance(form, EscalateForm)
        assert form.raw("to") == "bob"
        assert form.raw("reason") == "On-site work since 03-10 07:30 not cleared by 03-10 09:30."
        await save(pilot)
        assert desk.reads.fault(f.ref).assignee == "bob"


async def test_enter_on_the_detail_pane_opens_it_too(desk, clock):
    f = level0(desk, clock)
    desk.work.add(f.ref, version=None, mode="remote", start=clock.now() - 150 * M, done="ssh")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the queue's Enter shows the detail
        await settle(pilot)
        assert app.main.detail.has_focus
        form = await open_next(pilot, "enter")
        # the remote-fix window ran out: on-site work, the sign-off field with it
        assert isinstance(form, WorkForm)
        assert form.raw("mode") == "onsite"
        assert form.query_one("#field-customer_rep").display


async def test_w_logs_work_in_the_mode_the_next_step_asks_for(desk, clock):
    f = level0(desk, clock)
    desk.work.add(f.ref, version=None, mode="remote", start=clock.now() - 150 * M, done="ssh")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_next(pilot, "w")
        assert isinstance(form, WorkForm) and form.raw("mode") == "onsite"


async def test_space_opens_the_sign_off_of_the_entry_due(desk, clock):
    f = level0(desk, clock)
    early = desk.work.add(f.ref, version=None, mode="onsite", start=clock.now() - 2 * H)
    desk.work.add(f.ref, version=None, mode="onsite", start=clock.now() - H, end=clock.now())
    desk.faults.resolve(f.ref, version=None, summary="fixed")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.main.action_cycle_list()  # the resolved list
        await settle(pilot)
        assert "customer sign-off of on-site work #1" in app.main.detail.section("next")
        form = await open_next(pilot)
        assert isinstance(form, SignOffForm)
        assert form.raw("entry") == str(early.id)  # the first unsigned, not the last
        assert form.raw("end") == "2026-03-10 10:00"  # still going on: now


async def test_a_closed_fault_has_no_next_form(desk, clock):
    f = level0(desk, clock)
    desk.faults.record(
        f.ref, version=None, symptom="s", diagnosis="d", handling="h", losses="l", changes="c"
    )
    desk.faults.resolve(f.ref, version=None, summary="fixed")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.main.action_cycle_list()  # the resolved list
        await settle(pilot)
        assert app.main.detail.section("next") == "Next [c]: close the fault"
        await open_next(pilot)
        await save(pilot)
        assert desk.reads.fault(f.ref).status == "closed"
        app.main.action_cycle_list()  # the closed list
        await settle(pilot)
        assert app.main.detail.view.fault.ref == f.ref
        assert app.main.detail.section("next") == "Next: nothing: the fault is closed"
        await pilot.press("space")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)


async def test_space_on_a_fault_being_fixed_opens_resolve(desk, clock):
    f = level0(desk, clock)
    desk.work.add(f.ref, version=None, mode="onsite", start=clock.now() - 30 * M)
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.main.detail.section("next").startswith(
            "Next [v]: fix it on site and resolve, else escalate at 03-10 11:30"
        )
        assert isinstance(await open_next(pilot), ResolveForm)


# -- who is on duty --------------------------------------------------------------------------


def labels(form: FormScreen, key: str) -> list[tuple[str, str]]:
    return [(str(label), value) for label, value in form.query_one(f"#f-{key}", Select)._options]


async def test_the_assign_list_shows_who_is_on_duty_on_duty_first(desk, clock, fault):
    desk.roster.set_on_duty("alice", False)
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        desk.roster.set_on_duty("carol", True)  # meanwhile, from the shell: the form reads it again
        form = await open_next(pilot)  # nobody owns it: assign
        assert isinstance(form, AssignForm)
        assert labels(form, "engineer") == [
            ("Duty Officer (duty) engineer ● on duty (me)", "duty"),
            ("Bob Li (bob) senior ● on duty", "bob"),
            ("Carol Zhang (carol) expert ● on duty", "carol"),
            ("Alice Wang (alice) engineer ○ off duty", "alice"),
        ]


async def test_the_escalate_list_holds_the_more_senior_on_duty_first(desk, clock):
    f = level0(desk, clock)
    desk.roster.set_on_duty("bob", False)
    desk.roster.add("dave", "Dave Sun", "expert", on_duty=True)
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EscalateForm)
        assert labels(form, "to") == [
            ("Dave Sun (dave) expert ● on duty", "dave"),
            ("Bob Li (bob) senior ○ off duty", "bob"),
            ("Carol Zhang (carol) expert ○ off duty", "carol"),
        ]
        assert form.raw("to") == "dave"
        fill(form, reason="stuck")
        await save(pilot)
        assert desk.reads.fault(f.ref).assignee == "dave"


# -- the sign-off asks for the work's end ------------------------------------------------------


async def test_o_asks_for_the_end_of_work_going_on_and_stores_it(desk, clock, fault):
    desk.faults.respond(fault.ref, version=None, how="phone")
    start = clock.now() - 50 * M
    desk.work.add(fault.ref, version=None, mode="onsite", start=start, done="x")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SignOffForm)
        assert form.raw("end") == "2026-03-10 10:00"  # going on: now
        fill(form, customer_rep="李主任", end="2026-03-10 09:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "before it started (2026-03-10 09:10)" in str(form.query_one("#e-end").render())
        assert desk.reads.fault_view(fault.ref).work[0].customer_signoff_at is None
        fill(form, end="2026-03-10 09:40")
        await save(pilot)
        (entry,) = desk.reads.fault_view(fault.ref).work
        assert entry.signed and entry.end == clock.now() - 20 * M
        timeline = app.main.detail.section("timeline").splitlines()
        assert timeline[:3] == [
            "03-10 10:00 duty signed off",
            "  customer representative: 李主任",
            "  work ended 03-10 09:40",
        ]


async def test_o_offers_the_entrys_own_end(desk, clock, fault):
    desk.faults.respond(fault.ref, version=None, how="phone")
    end = clock.now() - 15 * M - timedelta(seconds=7)
    desk.work.add(fault.ref, version=None, mode="onsite", start=end - 30 * M, end=end, done="x")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        assert form.raw("end") == "2026-03-10 09:44"
        fill(form, customer_rep="李主任")
        await save(pilot)
        (entry,) = desk.reads.fault_view(fault.ref).work
        assert entry.end == end  # kept to the second


async def test_w_with_a_sign_off_asks_for_the_works_end(desk, clock, fault):
    desk.faults.respond(fault.ref, version=None, how="phone")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        form = app.screen
        fill(form, mode="onsite")
        await pilot.pause()
        fill(form, done="replaced the board", customer_rep="张工", end="")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "give its end" in str(form.query_one("#e-end").render())
        assert desk.reads.fault_view(fault.ref).work == ()
        assert isinstance(form.query_one("#f-end"), Input)

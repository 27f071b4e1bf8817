"""Every key of the console, on a temporary database with a fixed clock: the stored result."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input, TextArea
from tui_support import fill, make_app, press_and_fill, save, settle, until

from oncall.tui.forms.base import FormScreen
from oncall.tui.palette import ActionsProvider


async def test_n_logs_a_fault_from_the_intake_form(desk, clock):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.main.queue.refs == []
        await press_and_fill(
            pilot,
            "n",
            customer="华东电网",
            system="SCADA",
            level="0",
            channel="electronic",
            contact="张工 13800000000",
            title="SCADA 全站失去通信",
            symptom="all RTUs offline",
        )
        await save(pilot)
        assert not isinstance(app.screen, FormScreen)
        faults = desk.reads.faults()
        assert len(faults) == 1
        f = faults[0]
        assert (f.customer, f.system, f.level, f.channel) == ("华东电网", "SCADA", 0, "electronic")
        assert f.title == "SCADA 全站失去通信"
        assert f.reported_at == clock.now()
        assert app.main.queue.cursor_ref == f.ref


async def test_intake_validates_inline_and_keeps_what_was_typed(desk, clock):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await press_and_fill(pilot, "n", title="", symptom="typed symptom", at="tomorrow")
        await save(pilot)
        assert app.screen is form
        assert "Required" in str(form.query_one("#e-title").render())
        assert "Cannot read this time" in str(form.query_one("#e-at").render())
        assert form.query_one("#f-symptom", TextArea).text == "typed symptom"
        future = (clock.now() + timedelta(hours=2)).astimezone(desk.policy.timezone)
        fill(form, title="ok now", at=future.strftime("%Y-%m-%d %H:%M"))
        await save(pilot)
        assert "future" in str(form.query_one("#e-at").render())
        assert desk.reads.faults() == []


async def test_r_responds(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_and_fill(pilot, "r", how="phone", note="called back")
        await save(pilot)
        assert desk.reads.fault(fault.ref).responded_at == clock.now()
        assert desk.reads.fault(fault.ref).status == "responded"


async def test_s_proposes_a_solution(desk, clock, fault):
    desk.faults.respond(fault.ref, version=None, how="phone")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_and_fill(pilot, "s", text="restart the front end")
        await save(pilot)
        assert desk.reads.fault(fault.ref).solution_at == clock.now()


async def test_a_assigns_to_someone_and_m_takes_it(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_and_fill(pilot, "a", engineer="alice", note="EMS expert")
        await save(pilot)
        assert desk.reads.fault(fault.ref).assignee == "alice"
        await pilot.press("m")
        await settle(pilot)
        assert desk.reads.fault(fault.ref).assignee == "duty"


async def test_w_logs_remote_work(desk, clock, fault):
    desk.faults.respond(fault.ref, version=None, how="phone")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await press_and_fill(
            pilot, "w", mode="remote", done="restarted the collector", result="data flowing"
        )
        assert not form.query_one("#field-customer_rep").display
        await save(pilot)
        view = desk.reads.fault_view(fault.ref)
        (entry,) = view.work
        assert (entry.mode, entry.engineer, entry.result) == ("remote", "duty", "data flowing")
        assert entry.end == clock.now()
        assert entry.start == clock.now() - timedelta(minutes=30)
        assert view.fault.status == "in_progress"


async def test_w_logs_onsite_work_with_the_customer_sign_off(desk, clock, fault):
    desk.faults.respond(fault.ref, version=None, how="phone")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await press_and_fill(pilot, "w", mode="onsite")
        assert form.query_one("#field-customer_rep").display
        fill(form, done="replaced the comms board", customer_rep="张工")
        await save(pilot)
        (entry,) = desk.reads.fault_view(fault.ref).work
        assert entry.mode == "onsite"
        assert entry.customer_signoff_name == "张工"
        assert entry.engineer_signoff == "duty"
        assert entry.signed


async def test_o_signs_off_onsite_work(desk, clock, fault):
    desk.faults.respond(fault.ref, version=None, how="phone")
    start = clock.now() - timedelta(minutes=20)
    desk.work.add(fault.ref, version=None, mode="onsite", start=start, end=clock.now(), done="x")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_and_fill(pilot, "o", customer_rep="李主任")
        await save(pilot)
        (entry,) = desk.reads.fault_view(fault.ref).work
        assert entry.customer_signoff_name == "李主任"
        assert entry.signed


async def test_x_escalates(desk, clock, fault):
    desk.faults.assign(fault.ref, "alice", version=None)
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_and_fill(pilot, "x", reason="on-site staff cannot clear it")
        await save(pilot)
        assert desk.reads.fault(fault.ref).assignee == "bob"  # the next seniority step up
        assert desk.reads.events(fault.ref)[0].verb == "escalate"


async def test_p_pauses_and_resumes(desk, clock, fault):
    desk.faults.respond(fault.ref, version=None, how="phone")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_and_fill(pilot, "p", reason="customer arranging a maintenance window")
        await save(pilot)
        assert desk.reads.fault(fault.ref).status == "waiting"
        row = app.main.queue.row(fault.ref)
        assert row.paused and row.cells["status"] == "||0m"  # paused, for how long
        clock.advance(minutes=5)
        await press_and_fill(pilot, "p", note="window granted")
        await save(pilot)
        assert desk.reads.fault(fault.ref).status == "in_progress"


async def test_l_changes_the_level(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await press_and_fill(pilot, "l", reason="whole EMS is down")
        await save(pilot)  # still level 1: refused inline
        assert app.screen is form
        assert "already" in str(form.query_one("#e-level").render())
        fill(form, level="0")
        await save(pilot)
        assert desk.reads.fault(fault.ref).level == 0


async def test_e_edits_the_fault_record(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await press_and_fill(pilot, "e", diagnosis="comms board failed", changes="none")
        assert form.query_one("#f-symptom", TextArea).text == "RTU data stale since 09:00"
        await save(pilot)
        record = desk.reads.fault_view(fault.ref).record
        assert record.diagnosis == "comms board failed"
        assert record.changes == "none"
        assert record.symptom == "RTU data stale since 09:00"


async def test_v_resolves_then_c_closes_then_u_reopens(desk, clock, fault):
    desk.faults.respond(fault.ref, version=None, how="phone")
    # a level-1 fault closes with its record whole (the policy's record_required)
    desk.faults.record(fault.ref, version=None, diagnosis="d", handling="h", losses="l",
                       changes="c")  # fmt: skip
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_and_fill(pilot, "v", summary="board replaced")
        await save(pilot)
        assert desk.reads.fault(fault.ref).status == "resolved"
        # out of the open queue, but kept under the cursor until it moves (test_tui_queue)
        assert app.main.queue.refs == [fault.ref]
        assert app.main.queue.row(fault.ref).cells["status"] == "resolved"
        await pilot.press("d")  # the resolved list
        await settle(pilot)
        assert app.main.queue.refs == [fault.ref]
        clock.advance(minutes=10)
        await press_and_fill(pilot, "c", note="customer confirmed")
        await save(pilot)
        assert desk.reads.fault(fault.ref).status == "closed"
        await pilot.press("d")  # the closed list
        await settle(pilot)
        assert app.main.queue.refs == [fault.ref]
        clock.advance(minutes=10)
        await press_and_fill(pilot, "u", reason="it came back")
        await save(pilot)
        assert desk.reads.fault(fault.ref).status == "in_progress"


async def test_f_filters_and_F_clears(desk, clock, fault):
    other = desk.faults.log(
        customer="华东电网", system="SCADA", title="Alarm storm", level=2, channel="phone"
    )
    desk.faults.assign(other.ref, "duty", version=None)
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert set(app.main.queue.refs) == {fault.ref, other.ref}
        await press_and_fill(pilot, "f", mine=True)
        await save(pilot)
        assert app.main.queue.refs == [other.ref]
        await press_and_fill(pilot, "f", mine=False, level="1")
        await save(pilot)
        assert app.main.queue.refs == [fault.ref]
        await press_and_fill(pilot, "f", level="", text="alarm")
        await save(pilot)
        assert app.main.queue.refs == [other.ref]
        await press_and_fill(pilot, "f", text="", band="breached")
        await save(pilot)
        assert app.main.queue.refs == []
        await pilot.press("F")
        await settle(pilot)
        assert set(app.main.queue.refs) == {fault.ref, other.ref}


async def test_moving_enter_escape_help_and_quit(desk, clock, fault):
    second = desk.faults.log(
        customer="华东电网", system="SCADA", title="Second", level=3, channel="phone"
    )
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = app.main.queue
        assert queue.refs == [fault.ref, second.ref]
        await pilot.press("j")
        await settle(pilot)
        assert queue.cursor_ref == second.ref
        assert app.main.view.fault.ref == second.ref
        await pilot.press("k")
        await pilot.press("down")
        await pilot.press("up")
        await settle(pilot)
        assert queue.cursor_ref == fault.ref
        # 80x24: one pane at a time
        assert not app.main.detail.display
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.detail.display and not app.main.query_one("#queue-pane").display
        assert app.focused is app.main.detail
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is queue
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main
        await pilot.press("q")
        await pilot.pause()
    assert app.return_value == 0


async def test_a_refused_verb_keeps_the_form_and_takes_the_new_version(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await press_and_fill(pilot, "a", engineer="bob", note="needs a senior")
        seen = form.fault.version
        desk.as_user("alice").faults.assign(
            fault.ref, "alice", version=None
        )  # meanwhile, elsewhere
        await save(pilot)
        assert app.screen is form  # refused: still open, nothing typed lost
        assert form.query_one("#f-note", Input).value == "needs a senior"
        assert "alice" in str(form.query_one("#form-error").render())
        assert form.fault.version > seen
        assert desk.reads.fault(fault.ref).assignee == "alice"
        await save(pilot)  # again, on the version now stored
        assert app.screen is app.main
        assert desk.reads.fault(fault.ref).assignee == "bob"


async def test_a_bad_state_is_refused_with_a_message(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await press_and_fill(pilot, "c", note="too early")
        await save(pilot)
        assert app.screen is form
        assert str(form.query_one("#form-error").render()).startswith("Not saved")
        assert desk.reads.fault(fault.ref).status == "new"


async def test_t_switches_between_the_dark_and_the_light_theme(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await pilot.press("t")
        await pilot.pause()
        assert app.theme == "textual-light"


def palette_shows_first(app, title: str) -> bool:
    """The command palette's search is over and ``title`` is its highlighted first hit."""
    from textual.command import CommandList

    if any(worker.is_running for worker in app.workers):
        return False
    hits = app.screen.query(CommandList)
    if not hits or hits.first().option_count == 0 or hits.first().highlighted != 0:
        return False
    return str(hits.first().get_option_at_index(0).hit.text) == title


async def test_every_action_is_in_the_command_palette(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [title for title, _help, _run in ActionsProvider(app.main).commands()]
        for words in (
            "New (n)",
            "Respond (r)",
            "Work (w)",
            "Sign off (o)",
            "Filter (f)",
            "Help (?)",
        ):
            assert words in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Respond (r)")
        await until(pilot, lambda: palette_shows_first(app, "Respond (r)"))
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "RespondForm"


async def test_W_ends_work_that_goes_on(desk, clock, fault):
    desk.faults.respond(fault.ref, version=None, how="phone")
    start = clock.now() - timedelta(minutes=40)
    desk.work.add(fault.ref, version=None, mode="remote", start=start, done="watching the link")
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_and_fill(pilot, "W", result="link stable")
        await save(pilot)
        (entry,) = desk.reads.fault_view(fault.ref).work
        assert entry.end == clock.now() and entry.result == "link stable"


async def test_after_a_refused_save_the_focused_field_stands_out(desk, clock):
    """Every wrong field is red; the one the focus went to is marked apart (reversed label)."""
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await press_and_fill(pilot, "n", customer="华东电网", system="SCADA", title="")
        await save(pilot)
        assert app.screen is form  # refused: the form stays
        invalid = [f for f in form.query(".field") if f.has_class("-invalid")]
        assert len(invalid) >= 2  # title and symptom at least
        focused = [f for f in invalid if f.has_class("-focused")]
        assert len(focused) == 1 and app.focused in focused[0].query("*")
        label = focused[0].query_one(".field-label")
        assert label.styles.text_style.reverse
        for other in invalid:
            if other is not focused[0]:
                assert not other.query_one(".field-label").styles.text_style.reverse


async def test_a_time_left_as_shown_means_now_even_within_the_minute_of_a_change(
    desk, clock, fault
):
    """Forms show times to the minute. Left as shown, "now" is now to the second: not
    hh:mm:00, which falls before a change made earlier in the same minute (refused)."""
    clock.advance(seconds=30)  # 10:00:30
    desk.faults.respond(fault.ref, version=None, how="phone")  # its last change: 10:00:30
    clock.advance(seconds=15)  # 10:00:45, the same minute
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await press_and_fill(pilot, "v", summary="board replaced")
        assert form.raw("at") == "2026-03-10 10:00"
        await save(pilot)
        assert not isinstance(app.screen, FormScreen), app.screen.query_one("#form-error")
        resolved = desk.reads.fault(fault.ref)
        assert resolved.status == "resolved" and resolved.resolved_at == clock.now()


async def test_work_started_as_the_form_says_in_the_minute_of_the_report(desk, clock):
    """The work form's start defaults to the fault's report (half an hour back, no
    earlier): left as shown (hh:mm) it is that instant, not hh:mm:00, which would fall
    before a report logged at hh:mm:40 and be refused."""
    clock.advance(seconds=40)
    fault = desk.faults.log(
        customer="华东电网", system="EMS", title="Down", level=0, channel="phone"
    )
    clock.advance(seconds=10)  # the same minute
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await press_and_fill(pilot, "w", done="Checked the logs remotely")
        await save(pilot)
        assert not isinstance(pilot.app.screen, FormScreen), form.query_one("#f-start")
        (entry,) = desk.reads.fault_view(fault.ref).work
        assert entry.start == fault.reported_at

"""The new-system form (``S``): a system more for a known customer, from the console."""

from __future__ import annotations

from textual.widgets import Input, Select
from tui_support import fill, make_app, press_and_fill, save, settle

from oncall.desk import SystemInfo
from oncall.tui.forms.base import FormScreen
from oncall.tui.forms.intake import IntakeForm
from oncall.tui.forms.system import SystemForm
from oncall.tui.palette import ActionsProvider


def system_names(desk, customer="华东电网") -> list[str]:
    return [s.name for s in desk.customers.get(customer).systems]


def form_error(form: FormScreen) -> str:
    return str(form.query_one("#form-error").render())


async def test_s_adds_a_system_that_the_intake_form_offers_at_once(desk, clock):
    desk.customers.add("Acme", systems=[SystemInfo("CRM")])
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await press_and_fill(pilot, "S")
        assert isinstance(form, SystemForm)
        assert form.query_one("#f-customer", Select).value == "Acme"  # no fault: the first
        fill(form, customer="华东电网", name=" DMS ", product="OPEN3200", model="v2")
        await save(pilot)
        assert app.screen is app.main
        assert [(s.name, s.product, s.model) for s in desk.customers.get("华东电网").systems] == [
            ("DMS", "OPEN3200", "v2"),
            ("EMS", "D5000", "v3.2"),
            ("SCADA", "OPEN-3200", "R5"),
        ]
        intake = await press_and_fill(pilot, "n", customer="华东电网")
        assert isinstance(intake, IntakeForm)
        offered = [value for _label, value in intake.query_one("#f-system", Select)._options]
        assert "DMS" in offered
        fill(intake, system="DMS", title="DMS 拓扑错误", symptom="topology wrong", contact="张工")
        await save(pilot)
        (logged,) = desk.reads.faults()
        assert (logged.customer, logged.system) == ("华东电网", "DMS")


async def test_the_form_starts_on_the_customer_of_the_fault_under_the_cursor(desk, clock, fault):
    desk.customers.add("Acme", systems=[SystemInfo("CRM")])  # first by name
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await press_and_fill(pilot, "S")
        assert form.query_one("#f-customer", Select).value == "华东电网"
        assert not form.query(".form-fault")  # it acts on a customer, not on the fault


async def test_a_customer_added_by_the_cli_meanwhile_is_offered(desk, clock):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        desk.customers.add("Acme")  # the console opened before
        form = await press_and_fill(pilot, "S", customer="Acme", name="CRM")
        assert form.query_one("#f-customer", Select).value == "Acme"
        await save(pilot)
        assert system_names(desk, "Acme") == ["CRM"]


async def test_refusals_show_in_the_form_and_keep_what_was_typed(desk, clock):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        trail = len(desk.reads.events(limit=1000))
        form = await press_and_fill(pilot, "S", name="   ", product="D5000")
        await save(pilot)  # empty: the form's own check, under the field
        assert app.screen is form
        assert "Required" in str(form.query_one("#e-name").render())
        for name, where, refusal in (
            ("bad\x00name", "#e-name", "Contains a NUL character"),
            ("EMS", "#form-error", "already has a system 'EMS'"),  # the desk's, in one line
            ("x" * 201, "#form-error", "system name is 201 characters, over the limit of 200"),
        ):
            fill(form, name=name, product="D5000", model="v9")
            await save(pilot)
            assert app.screen is form, name
            assert refusal in str(form.query_one(where).render()), name
            assert form.query_one("#f-name", Input).value == name  # kept as typed
            assert form.query_one("#f-model", Input).value == "v9"
        assert "Your input is kept. Correct it and save again" in form_error(form)
        assert system_names(desk) == ["EMS", "SCADA"]
        assert len(desk.reads.events(limit=1000)) == trail  # nothing written


async def test_control_characters_are_stored_and_shown_escaped(desk, clock):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_and_fill(pilot, "S", name="RTU\x1b[2J")
        await save(pilot)
        assert "RTU\x1b[2J" in system_names(desk)  # the desk keeps any text but NUL
        intake = await press_and_fill(pilot, "n")
        labels = [str(label) for label, _v in intake.query_one("#f-system", Select)._options]
        assert not any("\x1b" in label for label in labels)


async def test_a_read_only_console_has_no_add_system_key(desk, clock, fault):
    app = make_app(desk.as_user("mallory"), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert app.screen is app.main
        titles = [t for t, _h, _r in ActionsProvider(app.main).commands()]
        assert not any(t.startswith("Add system") for t in titles)
        assert system_names(desk) == ["EMS", "SCADA"]


async def test_the_palette_offers_it_without_a_fault(desk, clock):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        commands = {t: run for t, _h, run in ActionsProvider(app.main).commands()}
        assert "Add system (S)" in commands
        await commands["Add system (S)"]()
        await settle(pilot)
        assert isinstance(app.screen, SystemForm)


async def test_the_intake_form_offers_a_customer_added_by_the_cli_meanwhile(desk, clock):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        desk.customers.add("Acme", systems=[SystemInfo("CRM")])  # the console opened before
        form = await press_and_fill(pilot, "n")
        options = [value for _label, value in form.query_one("#f-customer", Select)._options]
        assert "Acme" in options

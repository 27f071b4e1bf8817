"""A past call logged with its response in one go: the desk, ``oncall fault new``, the
intake form (console ``n``). The fault and its response are one transaction, so no
respond alert can see the fault unanswered in between."""

# ruff: noqa: F811  (the fixtures are imported)

from __future__ import annotations

from datetime import timedelta

import pytest
from cli_support import cli, isolated, new_fault, templates  # noqa: F401  (fixtures)
from tui_support import fill, make_app, press_and_fill, save, settle

from oncall.desk import DeskError
from oncall.tui.forms.base import FormScreen

H = timedelta(hours=1)


def _log(desk, clock, **extra):
    return desk.faults.log(
        customer="华东电网",
        system="EMS",
        title="logged after the call",
        level=1,
        channel="electronic",
        at=clock.now() - 2 * H,
        **extra,
    )


def test_the_desk_logs_a_past_call_and_its_response_in_one_transaction(desk, clock):
    fault = _log(desk, clock, responded_at=clock.now() - H, response_note="called back")
    assert fault.status == "responded" and fault.version == 2
    assert fault.responded_at == clock.now() - H
    events = [e for e in desk.reads.events(fault.ref)]
    assert sorted(e.verb for e in events) == ["log", "respond"]
    (respond,) = [e for e in events if e.verb == "respond"]
    # the response went by the report's channel unless said otherwise
    assert respond.data == {"how": "electronic", "note": "called back"}
    assert respond.at == clock.now() - H


def test_a_refused_response_logs_no_fault_either(desk, clock):
    before = desk.reads.last_change()
    for bad in (
        {"responded_at": clock.now() - 3 * H},  # before the report
        {"responded_at": clock.now() + H},  # in the future
        {"responded_at": clock.now(), "responded_via": "fax"},
        {"responded_via": "phone"},  # a channel without a time
    ):
        with pytest.raises(DeskError):
            _log(desk, clock, **bad)
    assert desk.reads.faults(include_closed=True) == []
    assert desk.reads.last_change() == before


def test_oncall_fault_new_takes_the_response(cli):
    made = new_fault(cli, "--responded-at", "2026-11-23T10:00", "--responded-via", "phone")
    assert made["status"] == "responded"
    assert made["responded_at"] == "2026-11-23T10:00:00+08:00"
    shown = cli.json("fault", "show", made["id"])
    respond = [c for c in shown["clocks"] if c["name"] == "respond"][0]
    assert respond["stopped_at"] == "2026-11-23T10:00:00+08:00"
    text = cli.ok(
        "fault",
        "new",
        "--customer",
        "华东电网",
        "--system",
        "EMS",
        "--level",
        "1",
        "--channel",
        "phone",
        "--title",
        "t",
        "--reported-at",
        "2026-11-23T09:30",
        "--responded-at",
        "2026-11-23T09:40",
    )
    assert "Responded 2026-11-23 09:40" in text


def test_oncall_fault_new_refuses_a_bad_response_and_writes_nothing(cli):
    before = cli.events()
    err = cli.refused(
        "fault",
        "new",
        "--customer",
        "华东电网",
        "--system",
        "EMS",
        "--level",
        "1",
        "--channel",
        "phone",
        "--title",
        "t",
        "--reported-at",
        "2026-11-23T09:30",
        "--responded-at",
        "2026-11-23T09:00",
    )
    assert "before" in err and "reported" in err
    err = cli.refused(
        "fault",
        "new",
        "--customer",
        "华东电网",
        "--system",
        "EMS",
        "--level",
        "1",
        "--channel",
        "phone",
        "--title",
        "t",
        "--responded-via",
        "phone",
    )
    assert err == "oncall: --responded-via and --response-note need --responded-at\n"
    assert cli.events() == before


def _ago(desk, clock, delta) -> str:
    return (clock.now() - delta).astimezone(desk.policy.timezone).strftime("%Y-%m-%d %H:%M")


async def test_the_intake_form_offers_the_response_for_a_past_call(desk, clock):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await press_and_fill(pilot, "n", title="logged after the call", symptom="s")
        shown = lambda: form.query_one("#field-responded_at").display  # noqa: E731
        assert not shown()  # a call taken now: nothing more to ask
        fill(form, at=_ago(desk, clock, 2 * H))
        await pilot.pause()
        assert shown() and form.query_one("#field-responded_via").display
        fill(form, channel="electronic")
        await pilot.pause()
        assert form.raw("responded_via") == "electronic"  # follows the channel
        fill(form, responded_at=_ago(desk, clock, 3 * H))  # before the report
        await save(pilot)
        assert app.screen is form
        assert "Before the report time" in str(form.query_one("#e-responded_at").render())
        fill(form, responded_at=_ago(desk, clock, H), responded_via="phone")
        await save(pilot)
        assert not isinstance(app.screen, FormScreen)
        (f,) = desk.reads.faults()
        assert f.status == "responded" and f.responded_at == clock.now() - H
        assert f.reported_at == clock.now() - 2 * H
        (respond,) = [e for e in desk.reads.events(f.ref) if e.verb == "respond"]
        assert respond.data["how"] == "phone"


async def test_the_intake_form_logs_a_past_call_unanswered_when_left_empty(desk, clock):
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_and_fill(
            pilot, "n", title="not answered yet", symptom="s", at=_ago(desk, clock, 2 * H)
        )
        await save(pilot)
        (f,) = desk.reads.faults()
        assert f.status == "new" and f.responded_at is None

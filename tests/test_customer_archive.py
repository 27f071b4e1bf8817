"""The customer archive: ``oncall customer show/edit`` (audited), the service history's
clock results against faults worked out by hand, and intake out of warranty."""

from __future__ import annotations

from datetime import date

import pytest
from cli_support import blank, cli, isolated, new_fault, templates  # noqa: F401
from report_support import REPORT_NOW, known_fault
from tui_support import make_app

from oncall.clock import FixedClock
from oncall.desk import ValidationError


@pytest.fixture
def clock():
    return FixedClock(REPORT_NOW)


def test_the_archive_holds_the_history_with_each_clocks_result(desk):
    ref = known_fault(desk)  # tests/report_support.py: figures worked out by hand
    archive = desk.customers.archive("华东电网")
    assert archive.customer.tier == "gold" and archive.customer.warranty_end == date(2028, 5, 31)
    (line,) = archive.faults
    assert line.ref == ref and not line.out_of_warranty
    got = {o.clock: (o.result, o.late_seconds) for o in line.clocks}
    assert got["solution"] == ("breached", 1800) and got["remote_fix"] == ("breached", 1200)
    assert got["respond"] == got["resolve"] == got["onsite_escalation"] == ("met", 0)
    (visit,) = archive.visits
    assert (visit.fault_ref, visit.customer_signed_by, visit.vendor_signed_by) == (
        ref,
        "张工",
        "duty",
    )


def test_edit_is_audited_and_refuses_nothing_to_change(desk):
    before = len(desk.reads.events(limit=1000))
    info = desk.customers.edit("华东电网", requirements="7x24 热线", usage_notes="调度中心在用")
    assert (info.requirements, info.usage_notes) == ("7x24 热线", "调度中心在用")
    (event,) = desk.reads.events(limit=1)
    assert event.verb == "customer_edit" and event.user == "duty"
    assert event.data == {
        "customer": "华东电网",
        "changed": {"requirements": ["", "7x24 热线"], "usage_notes": ["", "调度中心在用"]},
    }
    with pytest.raises(ValidationError, match="nothing to change"):
        desk.customers.edit("华东电网", requirements="7x24 热线")
    with pytest.raises(ValidationError, match="before its start"):
        desk.customers.edit("华东电网", warranty_end=date(2020, 1, 1))
    with pytest.raises(ValidationError, match="over the limit"):
        desk.customers.edit("华东电网", usage_notes="x" * 70_000)
    assert len(desk.reads.events(limit=1000)) == before + 1


def test_a_fault_after_the_warranty_is_logged_marked(desk):
    desk.customers.edit("华东电网", warranty_end=date(2026, 3, 9))  # ended the day before
    f = desk.faults.log(customer="华东电网", system="EMS", title="t", level=2, channel="phone")
    view = desk.reads.fault_view(f.ref)
    assert view.out_of_warranty
    assert desk.reads.events(f.ref)[-1].data["out_of_warranty"] is True
    desk.customers.edit("华东电网", warranty_end=date(2026, 3, 10))  # its last day: still in
    g = desk.faults.log(customer="华东电网", system="EMS", title="t", level=2, channel="phone")
    assert not desk.reads.fault_view(g.ref).out_of_warranty
    assert [x.out_of_warranty for x in desk.customers.archive("华东电网").faults] == [False, True]
    from oncall.report import render
    from oncall.report.fault import fault_report

    assert "- **Warranty**: out of warranty" in render(fault_report(desk, f.ref), "md")
    assert "Warranty" not in render(fault_report(desk, g.ref), "md")


def test_cli_show_edit_and_intake_warning(cli):  # noqa: F811
    ref = new_fault(cli)["ref"]  # level 1, 09:30; now 16:30, not responded
    out = cli.ok(
        "customer", "edit", "华东电网", "--requirements", "要求\x1b[31m", "--tier", "gold+"
    )
    assert out == "Customer 华东电网 changed\n"
    shown = cli.ok("customer", "show", "华东电网")
    assert "gold+" in shown and "要求\\e[31m" in shown and "\x1b" not in shown
    assert "2026-01-01 .. 2028-12-31 (in warranty)" in shown
    assert f"{ref}" in shown and "respond overdue by 5:00:00" in shown
    data = cli.json("customer", "show", "华东电网")
    assert data["customer"]["requirements"] == "要求\x1b[31m"
    assert data["faults"][0]["clocks"][0] == {
        "clock": "respond",
        "deadline": "2026-11-23T11:30:00+08:00",
        "result": "overdue",
        "late_seconds": 18000,
    }
    cli.ok("customer", "edit", "华东电网", "--warranty-end", "2026-11-01")
    out = cli.ok("fault", "new", "--customer", "华东电网", "--system", "EMS", "--level", "2",
                 "--channel", "phone", "--title", "after")  # fmt: skip
    assert "Warning: 华东电网's warranty ended 2026-11-01: the fault is logged" in out
    new = next(w for w in out.split() if w.startswith("F-")).rstrip(":")
    assert "out of warranty" in cli.ok("fault", "show", new)
    assert cli.json("fault", "show", new)["out_of_warranty"] is True


@pytest.mark.parametrize(
    "argv, says",
    [
        (["show", "nobody"], "no customer 'nobody'"),
        (["edit", "nobody", "--tier", "x"], "no customer 'nobody'"),
        (["edit", "华东电网", "--warranty-end", "soon"], "cannot read 'soon' as a date"),
        (["edit", "华东电网", "--usage-notes", "x" * 70_000], "over the limit of 64 KiB"),
        (["edit", "华东电网", "--tier", "gold"], "nothing to change"),
    ],
)
def test_cli_bad_input_is_one_line_and_writes_nothing(cli, argv, says):  # noqa: F811
    before = cli.events()
    assert says in cli.refused("customer", *argv)
    assert cli.events() == before


async def test_the_console_warns_at_intake_and_the_detail_says_it(desk, clock):
    from tui_support import press_and_fill, save, settle

    from oncall.tui.detail import DetailPane  # noqa: F401  (the pane under test)

    desk.customers.edit("华东电网", warranty_end=date(2026, 3, 9))
    app = make_app(desk, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        form = await press_and_fill(pilot, "n", title="after the warranty", symptom="s")
        await save(pilot)
        assert app.screen is not form
        await app.workers.wait_for_complete()
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert "Fault logged, out of warranty: the warranty of 华东电网 ended 2026-03-09." in said
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        assert any("Warranty  out of warranty" in x for x in lines)
    (f,) = desk.reads.faults()
    assert desk.reads.fault_view(f.ref).out_of_warranty

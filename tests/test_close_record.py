"""Closing needs the fault record's fields the policy requires (data/sla.toml
``[record_required]``; default all five for levels 0 and 1): the policy file, the CLI's
one line and exit 2, and the console's close form keeping what was typed."""

from __future__ import annotations

import pytest
from cli_support import blank, cli, isolated, new_fault, templates  # noqa: F401
from tui_support import make_app, press_and_fill, save, settle

from oncall.i18n import set_language
from oncall.resources import data_path
from oncall.sla.policy import PolicyError, load_policy
from oncall.vocabulary import RECORD_FIELDS

SHIPPED = data_path("sla.toml").read_text(encoding="utf-8")


def _policy(tmp_path, table: str):
    head, _sep, _tail = SHIPPED.partition("[record_required]")
    overrides = data_path("calendar-overrides.toml")
    head = head.replace('"calendar-overrides.toml"', f'"{overrides}"')
    path = tmp_path / "sla.toml"
    path.write_text(head + table, encoding="utf-8")
    return load_policy(path)


def test_the_policy_says_which_fields_per_level(policy, tmp_path):
    assert policy.required_record(0) == policy.required_record(1) == RECORD_FIELDS
    assert policy.required_record(2) == policy.required_record(3) == ()
    # without the table: the default, the same
    assert _policy(tmp_path, "").record_required == policy.record_required
    own = _policy(tmp_path, '[record_required]\n3 = ["losses", "symptom"]\n')
    assert own.record_required == {3: ("symptom", "losses")}  # in the record's order
    assert _policy(tmp_path, "[record_required]\n").record_required == {}


@pytest.mark.parametrize(
    "table, says",
    [
        ('7 = ["losses"]', "record_required.7: no level '7'"),
        ('1 = ["cost"]', "record_required.1: 'cost' is not a record field"),
        ('1 = "losses"', "record_required.1: expected a list of record fields"),
    ],
)
def test_a_bad_table_is_refused_naming_the_key(tmp_path, table, says):
    with pytest.raises(PolicyError, match=says):
        _policy(tmp_path, "[record_required]\n" + table + "\n")


def test_the_cli_refuses_in_one_line_naming_the_missing_fields(cli):  # noqa: F811
    ref = new_fault(cli)["ref"]  # level 1, symptom given
    cli.ok("fault", "respond", ref, "--via", "phone")
    cli.ok("fault", "resolve", ref, "--summary", "ok")
    cli.ok("fault", "record", ref, "--diagnosis", "网卡", "--changes", "eth1")
    before = cli.events()
    err = cli.refused("fault", "close", ref)
    assert err == (
        f"oncall: {ref} cannot be closed: its fault record lacks handling process, losses "
        "(the policy requires them)\n"
    )
    assert cli.events() == before
    cli.ok("fault", "record", ref, "--handling", "换网卡", "--losses", "无")
    assert cli.json("fault", "close", ref)["status"] == "closed"


async def test_the_console_form_says_it_and_keeps_the_note(desk, clock, fault):
    f = desk.faults.respond(fault.ref, version=fault.version, how="phone")
    desk.faults.resolve(f.ref, version=f.version, summary="ok")
    app = make_app(desk, clock, language="zh_CN")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("d")  # the resolved list
            await settle(pilot)
            form = await press_and_fill(pilot, "c", note="用户确认")
            await save(pilot)
            assert app.screen is form
            said = str(form.query_one("#form-error").render())
            lacks = "故障记录缺少诊断过程、处理过程、造成的损失、修改的参数和执行的操作"
            assert lacks in said, said
            assert form.query_one("#f-note").value == "用户确认"
    finally:
        set_language("en")
    assert desk.reads.fault(fault.ref).status == "resolved"

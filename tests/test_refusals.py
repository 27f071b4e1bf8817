"""Each refusal the desk raises has a code and parameters: English for the CLI,
translated in the console (zh_CN), and the form says it in the console's language."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from tui_support import make_app, press_and_fill, save

from oncall.desk import DeskError, InvalidTransition, StaleVersion
from oncall.desk.refusals import REFUSALS, WORD_PARAMS
from oncall.i18n import set_language
from oncall.tui import fmt

DESK = Path(__file__).parent.parent / "oncall" / "desk"
SAMPLE = {
    "status": "in progress",
    "what": "the time",
    "action": "escalate",
    "mode": "remote",
    "seniority": "senior",
    "current_seniority": "engineer",
    "verb": "assign",
    "fields": "diagnosis process, losses",
}


def fields(template: str) -> set[str]:
    return {name for _t, name, _s, _c in string.Formatter().parse(template) if name}


def sample(code: str) -> DeskError:
    params = {k: SAMPLE.get(k, f"<{k}>") for k in fields(REFUSALS[code])}
    return InvalidTransition.of(code, **params)


def test_every_code_raised_by_the_desk_is_known_and_every_known_code_is_raised():
    source = "".join(p.read_text(encoding="utf-8") for p in DESK.glob("*.py"))
    raised = set(re.findall(r'\.of\(\s*"([a-z_]+)"', source))
    raised |= set(re.findall(r'self\.code = "([a-z_]+)"', source))
    assert raised == set(REFUSALS)
    assert set(WORD_PARAMS) <= set(SAMPLE)


@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_every_refusal_reads_in_english_and_in_chinese(code):
    error = sample(code)
    assert error.code == code
    set_language("en")
    if "verb" not in error.params:  # a history verb reads as the timeline says it
        assert fmt.refusal(error) == str(error)  # the console in English: the CLI's words
    set_language("zh_CN")
    try:
        chinese = fmt.refusal(error)
    finally:
        set_language("en")
    assert chinese != str(error)
    assert re.search(r"[\u4e00-\u9fff]", chinese), chinese
    for key, value in error.params.items():
        if key not in SAMPLE:
            assert str(value) in chinese  # ids, times, names: as given
        else:
            assert str(value) not in chinese  # words: translated


def test_a_stale_version_says_who_and_what_in_both_languages():
    error = StaleVersion(
        "F-1", seen=1, current=2, changed_by="alice", changed_at=None, verb="assign", when="10:05"
    )
    assert str(error).startswith("F-1 was changed by alice at 10:05 (assign) since you read it")
    set_language("zh_CN")
    try:
        assert "alice" in fmt.refusal(error) and "指派" in fmt.refusal(error)
    finally:
        set_language("en")


def test_a_refusal_without_a_code_is_shown_as_it_is():
    assert fmt.refusal(DeskError("customer 'x' already exists")) == "customer 'x' already exists"


async def test_the_chinese_console_says_why_a_save_was_refused_in_chinese(desk, clock, fault):
    app = make_app(desk, clock, language="zh_CN")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            from tui_support import settle

            await settle(pilot)
            form = await press_and_fill(pilot, "c", note="too early")
            await save(pilot)
            assert app.screen is form
            said = str(form.query_one("#form-error").render())
            assert said.startswith("未保存：" + fault.ref + " 尚未解决：请先解决"), said
            assert "resolve" not in said
    finally:
        set_language("en")
    assert desk.reads.fault(fault.ref).status == "new"

"""Every string of the console goes through gettext; English and Simplified Chinese ship."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from tui_support import make_app, settle

from oncall import i18n

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "oncall" / "locale"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.mark.parametrize(
    ("configured", "env", "expected"),
    [
        (None, {"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        (None, {"LANG": "en_US.UTF-8"}, "en"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {}, "en"),
        (None, {"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh_CN"),
        (None, {"LANGUAGE": "zh_CN:en", "LANG": "C"}, "zh_CN"),
        ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
        ("zh_CN", {"LANG": "en_US.UTF-8"}, "zh_CN"),
        ("zh-Hans", {}, "zh_CN"),
    ],
)
def test_language_from_config_then_locale(configured, env, expected):
    assert i18n.choose_language(configured, env) == expected


def _extracted() -> list[str]:
    from babel.messages.extract import extract_from_dir, extract_from_file

    found = []
    keywords = {"_": None, "N_": None}
    # What the console shows: its own strings, the desk's refusals, the vocabulary's words.
    messages = []
    for folder in ("tui", "desk", "report"):
        found_in = extract_from_dir(str(ROOT / "oncall" / folder), keywords=keywords)
        messages += [m for _f, _l, m, _c, _x in found_in]
    vocabulary = str(ROOT / "oncall" / "vocabulary.py")
    messages += [m for _l, m, _c, _x in extract_from_file("python", vocabulary, keywords=keywords)]
    for message in messages:
        if message and message not in found:
            found.append(message)
    return found


def _po(lang: str):
    from babel.messages.pofile import read_po

    with open(LOCALE / lang / "LC_MESSAGES" / "oncall.po", "rb") as f:
        return read_po(f)


def test_every_string_has_a_chinese_translation_with_the_same_placeholders():
    catalog = _po("zh_CN")
    missing, bad = [], []
    for msgid in _extracted():
        message = catalog.get(msgid)
        if message is None or not message.string:
            missing.append(msgid)
        elif set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(message.string)):
            bad.append(msgid)
    assert not missing, f"add to oncall/locale/zh_CN/LC_MESSAGES/oncall.po: {missing}"
    assert not bad, f"placeholders differ: {bad}"


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_shipped_mo_files_match_their_po(lang):
    po = _po(lang)
    with open(LOCALE / lang / "LC_MESSAGES" / "oncall.mo", "rb") as f:
        mo = gettext.GNUTranslations(f)
    for message in po:
        if message.id and message.string:
            assert mo.gettext(message.id) == message.string, (
                f"recompile: pybabel compile -d oncall/locale -D oncall ({message.id!r})"
            )


async def test_the_console_speaks_chinese_from_the_locale(desk, clock, fault, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    app = make_app(desk, clock, language=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "告警 0" in app.main.header.plain()
        assert app.main.queue.row(fault.ref).cells["status"] == "新建"
        descriptions = {b.description for _k, b in app.main._bindings}
        assert {"新建", "响应", "退出"} <= descriptions

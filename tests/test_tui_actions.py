"""The action table (``oncall/tui/actions.py``): one entry per key, feeding the screens'
bindings, the footer, the help and the command palette; the config's ``[keymap]``."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.app import App
from textual.widgets import Static
from tui_support import settle, until

from oncall.cli import build_parser
from oncall.config import Config, ConfigError, load_config
from oncall.i18n import set_language
from oncall.tui import actions
from oncall.tui.actions import ACTIONS, check_keymap
from oncall.tui.alerts_screen import AlertsScreen
from oncall.tui.app import OncallApp
from oncall.tui.archive_screen import ArchiveScreen, CustomersScreen
from oncall.tui.confirm import ConfirmScreen
from oncall.tui.detail import DetailPane
from oncall.tui.forms.base import FormCheckbox, FormScreen, FormSelect
from oncall.tui.help import HelpScreen, help_rows
from oncall.tui.keybar import KeyBar
from oncall.tui.main_screen import MainScreen
from oncall.tui.palette import ActionsProvider
from oncall.tui.queue import QueueTable
from oncall.tui.report_screen import ReportScreen
from oncall.verbs import VERBS


def make_app(desk, clock, keymap=None, language="en"):
    config = Config(path=None, values={"keymap": keymap} if keymap else {})
    return OncallApp(
        lambda: desk,
        clock,
        config,
        user=desk.user,
        language=language,
        theme="textual-dark",
        database="sqlite:oncall.sqlite3",
        tick=False,
    )


def footer(screen) -> str:
    return screen.query_one(KeyBar).render_line(0).text


def palette_titles(screen) -> list[str]:
    return [title for title, _help, _run in ActionsProvider(screen).commands()]


def help_text(help_screen: HelpScreen) -> str:
    """The help's key table as text, as it is drawn."""
    table = help_screen.query_one("#help-keys", Static).content
    out = io.StringIO()
    Console(file=out, width=120, color_system=None).print(table)
    return out.getvalue()


# -- the table ---------------------------------------------------------------------------------
OWNERS = {
    actions.APP: OncallApp,
    actions.MAIN: MainScreen,
    actions.QUEUE: QueueTable,
    actions.DETAIL: DetailPane,
    actions.ALERTS: AlertsScreen,
    actions.FORM: FormScreen,
    actions.SELECT: FormSelect,
    actions.CHECKBOX: FormCheckbox,
    actions.HELP: HelpScreen,
    actions.CONFIRM: ConfirmScreen,
    actions.REPORT: ReportScreen,
    actions.ARCHIVE: ArchiveScreen,
    actions.CUSTOMERS: CustomersScreen,
}


def test_each_binding_id_is_once_and_each_action_has_its_method():
    ids = [a.id for a in ACTIONS]
    assert len(ids) == len(set(ids))
    for action in ACTIONS:
        namespace, _dot, name = action.action.split("(")[0].rpartition(".")
        for screen in action.screens:
            owner = {"screen": MainScreen, "app": App}.get(namespace, OWNERS[screen])
            assert hasattr(owner, f"action_{name}"), (action.id, screen)
            # and the class binds it from the table, under its id
            ids = {b.id for b in owner.BINDINGS if not isinstance(b, tuple)}
            assert namespace or action.id in ids or owner is OncallApp


def test_no_key_is_taken_twice_on_one_screen_or_widget_by_default():
    for screen in OWNERS:
        keys = [k for a in ACTIONS if screen in a.screens for k in a.keys.split(",")]
        assert len(keys) == len(set(keys)), screen
    app_keys = {k for a in ACTIONS if actions.APP in a.screens for k in a.keys.split(",")}
    others = {k for a in ACTIONS if actions.APP not in a.screens for k in a.keys.split(",")}
    assert not app_keys & others


def test_a_desk_verb_has_one_description_for_the_cli_and_the_console():
    parser = build_parser()
    fault = parser._subparsers._group_actions[0].choices["fault"]
    verbs = fault._subparsers._group_actions[0].choices
    for verb in VERBS:
        assert verbs[verb.name].description == verb.help
    set_language("en")
    respond = actions.BY_ID["respond"]
    assert actions.description(respond) == "Record the first response to the customer"
    set_language("zh_CN")
    try:
        assert actions.description(respond) == "记录对客户的首次响应"
    finally:
        set_language("en")


# -- the keymap -------------------------------------------------------------------------------
def test_a_keymap_rebinds_and_says_in_one_line_each_what_it_cannot_use():
    set_language("en")
    keymap, problems = check_keymap(
        {
            "respond": "R",
            "new": "f2, n",
            "help": "?",  # its default: nothing to rebind
            "respnd": "x",
            "take": "ctrl+",
            "level": "bogus",
            "filter": "",
            "work": "n",  # new's
        }
    )
    assert keymap == {"respond": "R", "new": "f2,n"}
    assert problems == [
        "keymap: respnd is not a key of the console (ignored)",
        'keymap: take = "ctrl+": not a key (ignored)',
        'keymap: level = "bogus": not a key (ignored)',
        'keymap: filter = "": not a key (ignored)',
        'keymap: work = "n": n is taken by "Log a new fault (the intake form)" (ignored)',
    ]


@pytest.mark.parametrize(
    "keymap, kept, dropped",
    [
        ({"respond": "n", "new": "r"}, {"respond", "new"}, set()),  # a swap
        ({"respond": "R", "take": "R"}, {"respond"}, {"take"}),  # the later entry goes
        ({"respond": "j"}, set(), {"respond"}),  # the queue's j comes first
        ({"respond": "ctrl+t"}, set(), {"respond"}),  # the app's key, in every screen
        ({"respond": "A"}, {"respond"}, set()),  # A is the alerts screen's: another screen
        ({"escalate": "f5,ctrl+e", "quit": "ctrl+q"}, {"escalate", "quit"}, set()),
    ],
)
def test_a_key_taken_by_two_actions_on_one_screen_is_refused(keymap, kept, dropped):
    used, problems = check_keymap(keymap)
    assert set(used) == kept
    assert len(problems) == len(dropped)
    assert all(any(f"keymap: {d} =" in p for p in problems) for d in dropped)


def test_the_config_file_takes_a_keymap_table_of_strings(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\nrespond = "R"\nnew = "f2,n"\n', encoding="utf-8")
    assert load_config(path).get("keymap") == {"respond": "R", "new": "f2,n"}
    path.write_text("[keymap]\nrespond = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="keymap: each entry is a string of keys"):
        load_config(path)


async def test_a_rebound_key_works_and_the_footer_help_and_palette_show_it(desk, clock, fault):
    app = make_app(desk, clock, {"respond": "R"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.keymap_problems == []
        assert "R Respond" in footer(app.main) and "r Respond" not in footer(app.main)
        assert "Respond (R)" in palette_titles(app.main)
        await pilot.press("r")  # no longer respond's
        await settle(pilot)
        assert app.screen is app.main
        await pilot.press("question_mark")
        await settle(pilot)
        shown = help_text(app.screen)
        assert "\nR          Record the first response to the customer" in shown
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert type(app.screen).__name__ == "RespondForm"


async def test_a_bad_keymap_is_one_toast_and_the_console_works_with_the_rest(desk, clock, fault):
    app = make_app(desk, clock, {"nope": "x", "take": "n", "respond": "R"})
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        (toast,) = [n for n in app._notifications if n.title == "Keys not rebound"]
        assert toast.message.splitlines() == [
            "keymap: nope is not a key of the console (ignored)",
            'keymap: take = "n": n is taken by "Log a new fault (the intake form)" (ignored)',
        ]
        assert "m Take" in footer(app.main)  # its default kept
        await pilot.press("R")
        await settle(pilot)
        assert type(app.screen).__name__ == "RespondForm"


# -- footer, help, palette from the table ------------------------------------------------------
async def test_the_footer_follows_the_table(desk, clock, fault, monkeypatch):
    quit_first = [
        a if a.id != "quit" else actions.Action(**{**a.__dict__, "footer": 0}) for a in ACTIONS
    ]
    monkeypatch.setattr(actions, "ACTIONS", tuple(quit_first))
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert footer(app.main).startswith(" q Quit  n New  r Respond  v Resolve")
        assert footer(app.main).rstrip().endswith("? Help")


async def test_the_help_lists_the_table_in_the_console_language(desk, clock, fault):
    app = make_app(desk, clock, language="zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        shown = help_text(app.screen)
        for _key, text in help_rows(app):
            assert text in shown.replace("\n", "")
        assert "记录对客户的首次响应" in shown
        assert "Focus Next" not in shown  # Textual's own (English) rows are gone


async def test_the_fold_key_shows_only_with_faults_breached_long_ago(desk, clock, fault):
    app = make_app(desk, clock)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        assert "Old breaches" not in footer(app.main)
        assert not any(t.startswith("Old breaches") for t in palette_titles(app.main))
        clock.advance(hours=30)  # the respond clock ran out over a day ago
        await app.main.sync.reload()
        await settle(pilot)
        assert "z Old breaches" in footer(app.main)
        assert "Old breaches (z)" in palette_titles(app.main)


async def test_the_palette_runs_the_current_screens_actions_translated(desk, clock, fault):
    from textual.command import CommandList

    app = make_app(desk, clock, language="zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "响应 (r)" in palette_titles(app.main)
        await pilot.press("ctrl+p")
        await pilot.pause()
        from textual.command import CommandInput

        assert app.screen.query_one(CommandInput).placeholder == "搜索命令…"
        await pilot.press(*"响应")

        def first_hit() -> str:
            hits = app.screen.query(CommandList)
            if not hits or not hits.first().option_count or hits.first().highlighted != 0:
                return ""
            return str(hits.first().get_option_at_index(0).hit.text)

        await until(pilot, lambda: first_hit() == "响应 (r)")
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "RespondForm"


async def test_the_alerts_screen_has_the_keybar_of_its_actions(desk, clock, fault):
    app = make_app(desk, clock, {"alerts-resend": "f5"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(AlertsScreen(None))
        await settle(pilot)
        assert footer(app.screen).strip() == (
            "a Acknowledge  A Acknowledge all  f5 Resend  esc Back"
        )
        assert palette_titles(app.screen)[:2] == ["Acknowledge (a)", "Acknowledge all (A)"]

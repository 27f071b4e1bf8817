"""One verb, one name, one description: every layer takes a desk verb's name and help
from ``oncall/verbs.py``, and no other module of ``oncall/`` spells them out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import oncall
from oncall.cli import build_parser
from oncall.desk import history as h
from oncall.i18n import _, set_language
from oncall.tui import actions, fmt
from oncall.verbs import BY_NAME, FORMERLY, VERBS, console_action

ONCALL = Path(oncall.__file__).parent
# Names verbs went by before the table (desk methods, console actions, audit spellings
# other than the stored ones): none may come back outside the table.
OLD_NAMES = {"propose_solution", "change_level", "pause_resume", "new_fault", "end-work"}
# The next step's kinds (``desk.next_step.STEPS``, printed as the JSON's ``step``) keep
# two of the former spellings: they are kinds of step, not verbs.
STEP_KINDS = {"signoff", "end_work"}
# "solution", the proposal's former console id, is also the solution clock's name.
FORMER = set(FORMERLY) - {"solution"}
# Console actions that run more than one verb.
SHARED = {v.action for v in VERBS if v.action not in (v.name, None)}


def _fault_subcommands():
    parser = build_parser()
    fault = parser._subparsers._group_actions[0].choices["fault"]
    return fault._subparsers._group_actions[0].choices


def test_every_verb_has_its_desk_method_cli_subcommand_console_action_and_help(desk):
    subcommands = _fault_subcommands()
    from oncall.tui.commands import KEYS

    for verb in VERBS:
        group, method = verb.desk.split(".")
        assert callable(getattr(getattr(desk, group), method)), verb.name
        # The CLI: the subcommand by its name, its help the table's, the former names too.
        assert subcommands[verb.name].description == verb.help
        for old in verb.formerly:
            assert subcommands[old] is subcommands[verb.name]
        # The console: the action and binding id by the verb's name (resume: p resumes).
        if verb.action is None:
            continue
        action = actions.BY_ID[verb.action]
        assert action.call == ("verb", (verb.action,)) and verb.action in KEYS
        if verb.action not in SHARED:  # p pauses or resumes: a description of its own
            assert action.description == verb.help
        # Help and the timeline's word in both languages.
        set_language("zh_CN")
        try:
            assert _(verb.help) != verb.help and _(verb.done) != verb.done, verb.name
            assert fmt.verb_name(verb.audit) == _(verb.done)
        finally:
            set_language("en")


def test_the_desk_methods_are_the_names_and_the_audit_verbs_are_stored_ones():
    for verb in VERBS:
        group, method = verb.desk.split(".")
        snake = verb.name.replace("-", "_")
        # ``desk.faults.<name>``; ``desk.work.<what>`` for work entries (work is ``add``).
        assert method == snake or (group == "work" and method in (snake[5:], "add")), verb
    stored = {v.audit for v in VERBS}
    assert {"propose_solution", "change_level", "work_add", "sign_off"} <= stored
    assert set(h.HISTORY_VERBS) - {h.LOG} <= stored


def test_every_console_verb_key_and_next_step_names_a_verb_or_a_console_command():
    from oncall.tui.commands import KEYS, STEP_FORMS

    verb_actions = {
        a.id: a for a in actions.ACTIONS if a.call[0] == "verb" and actions.MAIN in a.screens
    }
    for binding_id, action in verb_actions.items():
        assert action.verb == binding_id  # the binding id is the command's name
    assert set(KEYS) == set(verb_actions)
    assert set(STEP_FORMS) <= set(BY_NAME)
    for name in STEP_FORMS:
        assert console_action(name) in KEYS
    for call in _calls(ONCALL / "desk" / "next_step.py", "NextStep"):
        action = call.args[2] if len(call.args) > 2 else None
        if isinstance(action, ast.Constant) and action.value is not None:
            assert action.value in BY_NAME, action.value


def test_a_verbs_former_id_still_rebinds_its_key():
    keymap, problems = actions.check_keymap({"solution": "ctrl+o", "end-work": "f4"})
    assert keymap == {"propose": "ctrl+o", "work-end": "f4"} and problems == []
    assert FORMERLY == {"solution": "propose", "end-work": "work-end", "signoff": "sign-off"}


@pytest.mark.parametrize(
    "path", sorted(ONCALL.rglob("*.py")), ids=lambda p: str(p.relative_to(ONCALL))
)
def test_no_module_spells_a_verbs_name_or_description_out(path):
    if path == ONCALL / "verbs.py":
        return
    helps = {v.help for v in VERBS}
    # The timeline's words ("resolved" is a status word too, "signed off" the label
    # of the fault's sign-off time in ``fault show``).
    words = {v.done for v in VERBS if " " in v.done} - {"signed off"}
    stored = {v.audit for v in VERBS if v.audit != v.name.replace("-", "_")}
    allowed = STEP_KINDS if path == ONCALL / "desk" / "next_step.py" else set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        text = node.value
        assert text not in helps | words, f"{path}: {text!r} (a verb's help: oncall/verbs.py)"
        assert text not in (OLD_NAMES | stored | FORMER) - allowed, f"{path}: {text!r}"
        assert "verb('" not in text or text.split("verb('")[1].split("'")[0] not in OLD_NAMES


def _calls(path: Path, name: str) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name
    ]

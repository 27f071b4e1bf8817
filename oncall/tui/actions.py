"""Every key of the console, once: the table behind the bindings, the footer, the help
and the command palette, and the desk's ``[keymap]`` that rebinds them.

Each ``Action`` is one thing a key does: its binding id (the name ``[keymap]``
rebinds it by), the Textual action it runs, its default keys, a short label
(footer, palette), a description (help, palette; a desk verb's binding id, action
and description are its name and help in ``oncall/verbs.py``), where it works
(``screens``: a screen, a widget or ``app`` for every screen), and its place in
the footer (lower first; ``None``: never there). A screen's ``BINDINGS`` are
``bindings(MAIN)`` and so on::

    [keymap]                 # in the config file
    respond = "R"            # binding id = key(s), Textual's names, comma-separated
    new = "f2,n"

``check_keymap`` keeps the entries that can be used and says, one line each,
why it drops the others (an unknown id, a malformed key, a key that another
action on the same screen already has).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from textual.actions import parse
from textual.binding import Binding
from textual.keys import Keys, _character_to_key

from ..i18n import N_, _
from ..verbs import FORMERLY, help_of

# Where an action works: a screen, a widget on it, or ``APP`` (every screen, first).
APP = "app"
MAIN = "main"
QUEUE = "queue"  # the queue table (focused on the main screen)
DETAIL = "detail"  # the detail pane (focused after Enter)
ALERTS = "alerts"
FORM = "form"
SELECT = "select"  # a form's list field
CHECKBOX = "checkbox"  # a form's check box
HELP = "help"
CONFIRM = "confirm"
REPORT = "report"  # the fault report's screen
ARCHIVE = "archive"  # a customer's archive
CUSTOMERS = "customers"  # the customer list

# What one key press can reach, the focused widget first: two actions with one key
# in a chain are a clash (the defaults' overlaps, such as Enter on the detail pane,
# are by design; ``check_keymap`` refuses new ones).
CHAINS = (
    (QUEUE, MAIN, APP),
    (DETAIL, MAIN, APP),
    (ALERTS, APP),
    (SELECT, FORM, APP),
    (CHECKBOX, FORM, APP),
    (HELP, APP),
    (CONFIRM, APP),
    (REPORT, APP),
    (ARCHIVE, APP),
    (CUSTOMERS, APP),
)


@dataclass(frozen=True)
class Action:
    id: str  # the binding id: what ``[keymap]`` names
    action: str  # the Textual action (``respond`` runs ``action_respond``)
    keys: str  # default keys, Textual's names, comma-separated
    label: str  # msgid: footer and palette
    description: str  # msgid: help and palette
    screens: tuple[str, ...]
    footer: int | None = None  # place in the footer, lower first; None: not shown there
    pinned: bool = False  # always in the footer, last (the help: it lists every key)
    help: bool = True  # listed on the help screen
    priority: bool = False  # before the focused widget's keys (Textual's priority binding)

    @property
    def call(self) -> tuple[str, tuple[object, ...]]:
        """The action's name and parameters, as ``check_action`` takes them:
        ``verb('respond')`` is ``("verb", ("respond",))``."""
        _target, name, params = parse(self.action)
        return name, params

    @property
    def verb(self) -> str:
        """What the action is called where the screen names it (``Next [r]``): the
        command's name for ``verb('respond')`` (``respond``: a desk verb's name, or a
        command of the console's own), else the action itself."""
        name, params = self.call
        return str(params[0]) if name == "verb" and params else self.action


def _verb(name: str, keys: str, label: str, *, footer: int) -> Action:
    """A desk verb's key on the main screen: its binding id and action are the verb's
    name, its description the verb's help (``oncall/verbs.py``)."""
    return Action(name, f"verb('{name}')", keys, label, help_of(name), (MAIN,), footer=footer)


# One line of the table per action: ruff would spread each over eight.
# fmt: off
ACTIONS: tuple[Action, ...] = (
    # The main screen, in the help's order.
    Action("next", "verb('next')", "space", N_("Next step"),
           N_("Open the form of the fault's next step, filled in"), (MAIN,), footer=26),
    Action("new", "verb('new')", "n", N_("New"), N_("Log a new fault (the intake form)"),
           (MAIN,), footer=1),
    Action("add-system", "verb('add-system')", "S", N_("Add system"),
           N_("Add a system to a customer (a new server, a new module)"), (MAIN,)),
    _verb("respond", "r", N_("Respond"), footer=2),
    _verb("assign", "a", N_("Assign"), footer=5),
    Action("take", "verb('take')", "m", N_("Take"),
           N_("Take the fault yourself"), (MAIN,), footer=6),
    _verb("work", "w", N_("Work"), footer=4),
    _verb("work-end", "W", N_("End work"), footer=19),
    _verb("propose", "s", N_("Solution"), footer=10),
    _verb("escalate", "x", N_("Escalate"), footer=7),
    # p pauses, or resumes a waiting fault: its own description (two verbs).
    Action("pause", "verb('pause')", "p", N_("Pause/resume"),
           N_("Wait on the customer (pauses the resolve clock), or resume"), (MAIN,), footer=9),
    _verb("level", "l", N_("Level"), footer=20),
    _verb("record", "e", N_("Record"), footer=15),
    _verb("resolve", "v", N_("Resolve"), footer=3),
    _verb("sign-off", "o", N_("Sign off"), footer=16),
    _verb("close", "c", N_("Close"), footer=17),
    _verb("reopen", "u", N_("Reopen"), footer=18),
    Action("report", "verb('report')", "P", N_("Report"),
           N_("Show the fault's report for the customer and write it as a printable page"),
           (MAIN,), footer=27),
    Action("archive", "verb('archive')", "C", N_("Customer"),
           N_("Show the archive of the fault's customer (systems, contacts, service history)"),
           (MAIN,), footer=28),
    Action("customers", "verb('customers')", "K", N_("Customers"),
           N_("List the customers (Enter shows one's archive)"), (MAIN,), footer=29),
    Action("filter", "filter", "f", N_("Filter"),
           N_("Show only some faults (band, level, assignee, text)"), (MAIN,), footer=13),
    Action("clear-filter", "clear_filter", "F", N_("Clear filter"),
           N_("Show every fault again"), (MAIN,), footer=14),
    Action("alerts", "alerts", "exclamation_mark", N_("Alerts"),
           N_("List the alerts (acknowledge them there)"), (MAIN,), footer=12),
    Action("list", "cycle_list", "d", N_("Open/resolved/closed"),
           N_("Show the open, the resolved or the closed faults"), (MAIN,), footer=21),
    Action("fold", "fold", "z", N_("Old breaches"),
           N_("Show or fold the faults breached over a day ago"), (MAIN,), footer=11),
    Action("detail", "focus_detail", "enter", N_("Detail"),
           N_("Go to the detail pane of the fault"), (MAIN,), footer=22),
    Action("back", "back", "escape", N_("Back"), N_("Back to the queue"), (MAIN,), footer=23),
    Action("theme", "toggle_theme", "t", N_("Dark/light"),
           N_("Switch between the dark and the light theme"), (MAIN,), footer=24),
    Action("help", "help", "question_mark", N_("Help"), N_("List every key"), (MAIN,),
           pinned=True),
    Action("quit", "quit", "q", N_("Quit"), N_("Quit the console"), (MAIN,), footer=25),
    # Every screen (bound on the app, before any widget's keys).
    Action("palette", "command_palette", "ctrl+p", N_("Commands"),
           N_("Command palette: every action by name"), (APP,), priority=True),
    Action("dismiss-toasts", "dismiss_toasts", "ctrl+t", N_("Dismiss toasts"),
           N_("Dismiss every toast (in every screen)"), (APP,), footer=8, priority=True),
    # The queue and the detail pane (whichever has the focus).
    Action("queue-up", "move('up')", "up,k", N_("Up"), N_("Up in the queue"), (QUEUE,)),
    Action("queue-down", "move('down')", "down,j", N_("Down"), N_("Down in the queue"), (QUEUE,)),
    Action("queue-page-up", "move('page_up')", "pageup", N_("Page up"),
           N_("A page up in the queue"), (QUEUE,)),
    Action("queue-page-down", "move('page_down')", "pagedown", N_("Page down"),
           N_("A page down in the queue"), (QUEUE,)),
    Action("queue-first", "move('first')", "home,g", N_("First"), N_("The first fault"), (QUEUE,)),
    Action("queue-last", "move('last')", "end,G", N_("Last"), N_("The last fault"), (QUEUE,)),
    Action("detail-down", "scroll_down", "down,j", N_("Down"),
           N_("Scroll the detail pane down"), (DETAIL,)),
    Action("detail-up", "scroll_up", "up,k", N_("Up"), N_("Scroll the detail pane up"),
           (DETAIL,)),
    Action("detail-next", "screen.verb('next')", "enter", N_("Next step"),
           N_("In the detail pane: the fault's next step (as space)"), (DETAIL,)),
    # Forms.
    Action("field-next", "next_field", "enter", N_("Next field"),
           N_("In a form: next field; on the last field: save"), (SELECT, CHECKBOX)),
    Action("field-list", "show_overlay", "space,down,up", N_("Open the list"),
           N_("In a form: open a list (Enter picks)"), (SELECT,)),
    Action("form-save", "submit", "ctrl+s", N_("Save"), N_("In a form: save"), (FORM,)),
    Action("form-cancel", "cancel", "escape", N_("Cancel"), N_("In a form: cancel"), (FORM,)),
    Action("focus-next", "app.focus_next", "tab", N_("Next pane"), N_("Next field or pane"),
           (MAIN, FORM)),
    # The alerts list.
    Action("alerts-ack", "acknowledge", "a", N_("Acknowledge"),
           N_("In the alerts: acknowledge the alert under the cursor"), (ALERTS,), footer=1),
    Action("alerts-ack-all", "acknowledge_all", "A", N_("Acknowledge all"),
           N_("In the alerts: acknowledge every alert"), (ALERTS,), footer=2),
    Action("alerts-resend", "resend", "R", N_("Resend"),
           N_("In the alerts: send the alert under the cursor again"), (ALERTS,), footer=3),
    Action("alerts-back", "back", "escape", N_("Back"), N_("In the alerts: back to the queue"),
           (ALERTS,), footer=4),
    # The help itself and the yes/no question.
    Action("help-close", "close", "escape,q,question_mark", N_("Close"), N_("Close the help"),
           (HELP,), help=False),
    Action("report-close", "close", "escape,q", N_("Close"), N_("Close the report"),
           (REPORT,), help=False),
    Action("archive-close", "close", "escape,q", N_("Close"), N_("Close the archive"),
           (ARCHIVE,), help=False),
    Action("customers-close", "close", "escape,q", N_("Close"), N_("Close the customer list"),
           (CUSTOMERS,), help=False),
    Action("confirm-yes", "answer(True)", "y", N_("Yes"), N_("Yes"), (CONFIRM,), help=False),
    Action("confirm-no", "answer(False)", "n,escape", N_("No"), N_("No"), (CONFIRM,), help=False),
)
# fmt: on
BY_ID = {a.id: a for a in ACTIONS}


def bindings(screen: str) -> list[Binding]:
    """The ``BINDINGS`` of ``screen`` (a screen's, a widget's or the app's), from the table."""
    return [
        Binding(
            a.keys,
            a.action,
            a.label,
            show=a.footer is not None or a.pinned,
            priority=a.priority,
            id=a.id,
        )
        for a in ACTIONS
        if screen in a.screens
    ]


def on_screen(screen: str) -> list[Action]:
    """The actions that work on ``screen`` (not its widgets'), the app's ones after."""
    return [a for a in ACTIONS if screen in a.screens] + (
        [a for a in ACTIONS if APP in a.screens] if screen != APP else []
    )


def keys_of(action: Action, keymap: Mapping[str, str]) -> list[str]:
    """The keys that run ``action`` now: the keymap's, else its defaults."""
    return keymap.get(action.id, action.keys).split(",")


def shown_keys(
    action: Action, keymap: Mapping[str, str], display: Callable[[Binding], str]
) -> list[str]:
    """``keys_of`` as the console shows them (``display``: the app's ``get_key_display``)."""
    return [display(Binding(key, action.action)) for key in keys_of(action, keymap)]


def description(action: Action) -> str:
    """The action's description in the console's language, as a sentence."""
    text = _(action.description)
    return text[:1].upper() + text[1:]


# -- the keymap ------------------------------------------------------------------------------
MODIFIERS = {"ctrl", "alt", "shift", "meta", "super", "hyper"}
NAMED_KEYS = {k.value.rpartition("+")[2] for k in Keys if not k.value.startswith("<")}


def normal_key(key: str) -> str | None:
    """One key as Textual names it (``?`` -> ``question_mark``), None when it is no key."""
    key = key.strip()
    if len(key) == 1:
        return _character_to_key(key) if key.isprintable() else None
    *mods, base = key.split("+")
    if not base or any(m not in MODIFIERS for m in mods):
        return None
    if len(base) == 1 and base.isprintable() and not base.isspace():
        return key
    if base in NAMED_KEYS or _is_character_name(base):
        return key
    return None


def _is_character_name(name: str) -> bool:
    """``question_mark``, ``full_stop``: a character's name, as Textual spells keys."""
    try:
        unicodedata.lookup(name.replace("_", " "))
    except KeyError:
        return False
    return True


def check_keymap(raw: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The usable entries of a ``[keymap]`` (normalised) and one line per entry dropped."""
    problems: list[str] = []
    wanted: dict[str, str] = {}
    typed: dict[str, str] = {}  # binding id -> the keys as the config wrote them
    for given, keys in raw.items():
        binding_id = FORMERLY.get(given, given)  # a verb's former id still names it
        if binding_id not in BY_ID:
            problems.append(
                _("keymap: {id} is not a key of the console (ignored)").format(id=given)
            )
            continue
        normal = [normal_key(k) for k in str(keys).split(",")]
        if not keys or None in normal:
            problems.append(
                _('keymap: {id} = "{keys}": not a key (ignored)').format(id=given, keys=keys)
            )
            continue
        joined = ",".join(k for k in normal if k)
        typed[binding_id] = str(keys)
        if joined != BY_ID[binding_id].keys:  # its default: nothing to rebind
            wanted[binding_id] = joined
    while clash := _first_clash(wanted):
        dropped, key, other = clash
        problems.append(
            _('keymap: {id} = "{keys}": {key} is taken by "{other}" (ignored)').format(
                id=dropped, keys=typed[dropped], key=key, other=description(BY_ID[other])
            )
        )
        del wanted[dropped]
    return wanted, problems


def _first_clash(keymap: Mapping[str, str]) -> tuple[str, str, str] | None:
    """(keymap entry to drop, its key, the other action's id) for a key two actions of one
    chain would share; the later keymap entry goes when both come from the keymap."""
    order = list(keymap)
    for chain in CHAINS:
        holder: dict[str, str] = {}
        for action in _in_chain(chain):
            for key in keys_of(action, keymap):
                other = holder.setdefault(key, action.id)
                if other == action.id or (other not in keymap and action.id not in keymap):
                    continue  # the same action, or the defaults' own overlap (by design)
                if other in keymap and (
                    action.id not in keymap or order.index(other) > order.index(action.id)
                ):
                    return other, key, action.id
                return action.id, key, other
    return None


def _in_chain(chain: Iterable[str]) -> list[Action]:
    return [a for a in ACTIONS if set(a.screens) & set(chain)]

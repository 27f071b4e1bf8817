"""The desk's verbs, one entry each: the one name and the one-line description.

A verb's ``name`` is its CLI subcommand (``oncall fault work-end``), its console
action and binding id (the ``[keymap]`` key; ``verb('work-end')``), and, spelt
with ``_``, its desk method (``desk.work.end``: ``desk`` below, the group's
object and the method). ``help`` is the CLI's help and the console's help and
palette line (a msgid: English here and on the command line, the console
translates). ``audit`` is the verb as the audit trail stores it (``audit_event.verb``,
shown by ``oncall fault history`` and the JSON outputs): stored data, kept as
written since schema 0001, so it is declared here rather than renamed.
``done``: the event as the console's timeline names it (``solution proposed``).
``formerly``: the names it went by before, still taken as CLI spellings and as
``[keymap]`` ids. ``console``: the console action that runs it (``None``: the
console has no key for it; ``pause``'s key resumes a waiting fault).

Data only, no import of the desk: the command line loads it for its parser.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import N_


@dataclass(frozen=True)
class Verb:
    name: str
    help: str  # msgid
    desk: str  # "faults.respond": the desk's group object and its method
    audit: str  # as stored in the audit trail
    done: str  # msgid: the audit trail's event, as the timeline names it
    formerly: tuple[str, ...] = ()
    console: str | None = ""  # "": the console action is ``name``; None: no console key

    @property
    def action(self) -> str | None:
        """The console action (and binding id) that runs the verb, if any."""
        return self.name if self.console == "" else self.console

    @property
    def method(self) -> str:
        """The desk method's name (``sign-off`` -> ``sign_off``)."""
        return self.desk.rpartition(".")[2]


# In the order the CLI lists them and a fault goes through them. One line a verb:
# name, help, desk method, audit verb, timeline word, then what differs.
# fmt: off
VERBS: tuple[Verb, ...] = (
    Verb("respond", N_("record the first response to the customer"),
         "faults.respond", "respond", N_("responded")),
    Verb("propose", N_("record the solution proposal given to the customer"),
         "faults.propose", "propose_solution", N_("solution proposed"), formerly=("solution",)),
    Verb("assign", N_("assign the fault to one engineer"),
         "faults.assign", "assign", N_("assigned")),
    Verb("work", N_("log a work entry (phone, remote, onsite, internal)"),
         "work.add", "work_add", N_("work logged")),
    Verb("work-edit", N_("correct a work entry"),
         "work.edit", "work_edit", N_("work edited"), console=None),
    Verb("work-end", N_("end ongoing work"),
         "work.end", "work_end", N_("work ended"), formerly=("end-work",)),
    Verb("sign-off", N_("record the sign-off of on-site work"),
         "work.sign_off", "sign_off", N_("signed off"), formerly=("signoff",)),
    Verb("escalate", N_("escalate to a more senior engineer"),
         "faults.escalate", "escalate", N_("escalated")),
    Verb("pause", N_("wait on the customer (pauses the resolve clock)"),
         "faults.pause", "pause", N_("paused")),
    Verb("resume", N_("the customer is back: resume the clocks"),
         "faults.resume", "resume", N_("resumed"), console="pause"),
    Verb("level", N_("change the fault's level (deadlines are recomputed)"),
         "faults.level", "change_level", N_("level changed")),
    Verb("record", N_("write the fault record (any subset of its fields)"),
         "faults.record", "record", N_("record updated")),
    Verb("resolve", N_("the fault is resolved"),
         "faults.resolve", "resolve", N_("resolved")),
    Verb("close", N_("close a resolved fault"),
         "faults.close", "close", N_("closed")),
    Verb("reopen", N_("reopen a resolved or closed fault"),
         "faults.reopen", "reopen", N_("reopened")),
)
# fmt: on
BY_NAME = {v.name: v for v in VERBS}
# The verb each former name stands for (CLI spellings, ``[keymap]`` ids).
FORMERLY = {old: v.name for v in VERBS for old in v.formerly}


def audit(name: str) -> str:
    """The audit trail's verb for ``name`` (``propose`` -> ``propose_solution``)."""
    return BY_NAME[name].audit


def help_of(name: str) -> str:
    """The verb's one line (a msgid)."""
    return BY_NAME[name].help


def console_action(name: str) -> str | None:
    """The console action that runs ``name``: a verb's (``resume`` -> ``pause``, whose key
    resumes a waiting fault), or ``name`` itself (a console action of its own)."""
    verb = BY_NAME.get(name)
    return verb.action if verb is not None else name

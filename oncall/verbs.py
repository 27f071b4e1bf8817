"""What each desk verb does, in one line: the CLI's help and the console's help and palette.

Keyed by the CLI subcommand (``oncall fault respond``); the console's action
table (``oncall/tui/actions.py``) names the verb its key runs. English here and
on the command line; the console translates (the msgids are marked). Data only,
no import of the desk, so that the command line loads nothing heavy for it.
"""

from __future__ import annotations

from .i18n import N_

VERB_HELP = {
    "respond": N_("record the first response to the customer"),
    "propose": N_("record the solution proposal given to the customer"),
    "assign": N_("assign the fault to one engineer"),
    "work": N_("log a work entry (phone, remote, onsite, internal)"),
    "work-end": N_("end ongoing work"),
    "signoff": N_("record the sign-off of on-site work"),
    "escalate": N_("escalate to a more senior engineer"),
    "pause": N_("wait on the customer (pauses the resolve clock)"),
    "resume": N_("the customer is back: resume the clocks"),
    "level": N_("change the fault's level (deadlines are recomputed)"),
    "record": N_("write the fault record (any subset of its fields)"),
    "resolve": N_("the fault is resolved"),
    "close": N_("close a resolved fault"),
    "reopen": N_("reopen a resolved or closed fault"),
}

"""How a fault's status reads: one vocabulary for the README, the CLI and the console.

The stored values (``new``, ``in_progress`` …, ``oncall.desk.STATUSES``) are data
and never change; these are their words. The CLI prints them in English, the
console translates them (the msgids are marked here). A module of its own, with
no import of the desk, so that the command line loads nothing heavy for it.
"""

from __future__ import annotations

from .i18n import N_

STATUS_NAMES = {
    "new": N_("new"),
    "responded": N_("responded"),
    "in_progress": N_("in progress"),
    "waiting": N_("waiting on customer"),
    "resolved": N_("resolved"),
    "closed": N_("closed"),
}


def status_word(status: str) -> str:
    """``in_progress`` -> ``in progress`` (English; the console translates it)."""
    return STATUS_NAMES.get(status, status)

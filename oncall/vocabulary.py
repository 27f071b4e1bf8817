"""The desk's words: every word list and naming rule shared by the layers, once.

The stored values (``new``, ``onsite``, ``remote_fix`` …) are data: the database
checks them, the SLA engine and the desk compare with them, the CLI offers them
as choices. Their words (the ``*_NAMES`` maps) are what a person reads: the CLI
prints status words in English, the console translates every word (the msgids
are marked here with ``N_``). Each tuple is the keys of its map, so a value
cannot be added without its word.

No import beyond ``oncall.i18n`` (stdlib only): the store, the SLA engine and
the command line all import this module without loading anything heavy.
"""

from __future__ import annotations

from .i18n import N_

# -- faults ----------------------------------------------------------------------------

# Fault statuses, in the order a fault normally goes through them.
STATUS_NAMES = {
    "new": N_("new"),
    "responded": N_("responded"),
    "in_progress": N_("in progress"),
    "waiting": N_("waiting on customer"),
    "resolved": N_("resolved"),
    "closed": N_("closed"),
}
STATUSES = tuple(STATUS_NAMES)
OPEN_STATUSES = ("new", "responded", "in_progress", "waiting")

# How a customer reports a fault; each has its own respond target in the policy.
CHANNEL_NAMES = {"phone": N_("phone"), "electronic": N_("email/IM")}
CHANNELS = tuple(CHANNEL_NAMES)

# How the first response reached the customer.
RESPONSE_NAMES = {"phone": N_("phone"), "electronic": N_("email/IM"), "onsite": N_("on-site")}
RESPONSE_HOW = tuple(RESPONSE_NAMES)

# Work entry modes; remote and onsite ones start the contract's further clocks.
MODE_NAMES = {
    "phone": N_("phone"),
    "remote": N_("remote"),
    "onsite": N_("on-site"),
    "internal": N_("internal"),
}
MODES = tuple(MODE_NAMES)

# Engineer seniority, lowest first: escalation goes up a step.
SENIORITY_NAMES = {"engineer": N_("engineer"), "senior": N_("senior"), "expert": N_("expert")}
SENIORITIES = tuple(SENIORITY_NAMES)

# The fault record's fields (用户专用档案: 故障现象、诊断过程、处理过程、造成的损失、
# 修改的参数和执行的操作), as the desk stores them and the CLI's ``record`` options name them.
RECORD_FIELD_NAMES = {
    "symptom": N_("symptom"),
    "diagnosis": N_("diagnosis process"),
    "handling": N_("handling process"),
    "losses": N_("losses"),
    "changes": N_("parameters changed / operations performed"),
}
RECORD_FIELDS = tuple(RECORD_FIELD_NAMES)

# -- the SLA clocks --------------------------------------------------------------------

# The clocks a fault can run, in the order they are shown.
CLOCK_NAMES = {
    "respond": N_("respond"),
    "resolve": N_("resolve"),
    "solution": N_("solution"),
    "remote_fix": N_("remote fix"),
    "onsite_escalation": N_("on-site escalation"),
    "onsite_arrival": N_("on-site arrival"),
}
CLOCKS = tuple(CLOCK_NAMES)
# The console queue's narrow column: at most 8 cells.
CLOCK_SHORT_NAMES = {
    "respond": N_("respond"),
    "resolve": N_("resolve"),
    "solution": N_("solution"),
    "remote_fix": N_("remote"),
    "onsite_escalation": N_("escalate"),
    "onsite_arrival": N_("arrive"),
}

# What one clock is doing, as ``ClockState.state`` (``oncall.sla.clocks``) tells it:
# stopped in time or late, not yet owed, waiting on the customer, or counting down.
CLOCK_STATES = ("met", "missed", "pending", "paused", "running")

# The alerts a running clock gives, in the order it reaches them.
THRESHOLDS = ("warning", "critical", "breach")


def status_word(status: str) -> str:
    """``in_progress`` -> ``in progress`` (English; the console translates it)."""
    return STATUS_NAMES.get(status, status)


FAULT_PREFIX = "F-"


def new_fault_ref(year: int, seq: int) -> str:
    """A new fault's id: numbered per year (``F-2026-00042``)."""
    return f"{FAULT_PREFIX}{year}-{seq:05d}"


def short_fault_ref(ref: str, year: int) -> str:
    """``F-2026-00042`` -> ``00042`` in 2026; a fault of another year keeps its year
    (``2025-00042``): refs are numbered per year, so the number alone could be another's."""
    prefix = f"{FAULT_PREFIX}{year}-"
    if ref.startswith(prefix):
        return ref[len(prefix) :]
    return ref[len(FAULT_PREFIX) :] if ref.startswith(FAULT_PREFIX) else ref


def fault_ref(text: object) -> str:
    """A fault id as typed (``f-2026-00042 ``) -> as stored (``F-2026-00042``); "" for
    anything that is not text (it then matches no fault)."""
    return text.strip().upper() if isinstance(text, str) else ""

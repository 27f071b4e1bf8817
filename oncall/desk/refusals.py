"""The desk's refusals by code: an English template each, with named parameters.

A verb refuses with ``SomeError.of(CODE, ref=..., ...)``: the CLI prints the
English (``str(error)``); the console says it in its language from ``code`` and
``params`` (``oncall.tui.fmt.refusal``), translating the parameters named in
``WORD_PARAMS`` (words of this vocabulary, marked with ``N_`` where they are
given) and showing the others (fault ids, times, names) as they are.
"""

from __future__ import annotations

from ..i18n import N_

REFUSALS: dict[str, str] = {
    # times
    "time_in_future": N_("{what} {at} is in the future (now {now})"),
    "time_before_report": N_("the time {at} is before {ref} was reported ({reported})"),
    "time_before_last_change": N_("the time {at} is before {ref}'s last change of state ({last})"),
    "work_start_before_report": N_(
        "the work's start {at} is before {ref} was reported ({reported})"
    ),
    "work_end_before_start": N_("the work's end {end} is before its start {start}"),
    "signoff_before_work": N_("the sign-off {at} is before the work started ({start})"),
    "time_not_served": N_("{what} {at} is outside the times the desk serves ({range})"),
    # input (``what`` names the field)
    "text_type": N_("{what} must be text, not {type}"),
    "text_nul": N_("{what} contains a NUL byte, which cannot be stored"),
    "text_surrogate": N_("{what} is not valid Unicode (a lone surrogate)"),
    "text_bytes": N_("{what} is {size} bytes, over the limit of 64 KiB"),
    "text_empty": N_("{what} is empty"),
    "text_chars": N_("{what} is {chars} characters, over the limit of {limit}"),
    "user_name": N_("{what} {value} is not an OS user name (letters, digits, _ . @ -; at most 64)"),
    "not_one_of": N_("{what} {value} is not one of {choices}"),
    "instant_type": N_("{what} must be a date and time, not {type}"),
    "instant_naive": N_("{what} {value} has no time zone"),
    "instant_range": N_("{what} is out of the range of dates"),
    # the fault's state
    "no_fault": N_("no fault {ref}"),
    "no_work_entry": N_("no work entry #{entry}"),
    "closed_reopen_first": N_("{ref} is closed: reopen it first"),
    "not_open": N_("cannot {action} {ref}: it is {status}"),
    "already_responded": N_("{ref} was already responded to at {at}"),
    "respond_first": N_("{ref} has not been responded to yet: respond first"),
    "never_responded": N_("{ref} was never responded to: record the response first"),
    "already_assigned": N_("{ref} is already assigned to {user}"),
    "already_waiting": N_("{ref} is already waiting on the customer"),
    "not_waiting": N_("{ref} is not waiting on the customer (it is {status})"),
    "already_level": N_("{ref} is already level {level}"),
    "record_unchanged": N_("{ref}: the record already says that: nothing to change"),
    "already_status": N_("{ref} is already {status}"),
    "already_closed": N_("{ref} is already closed"),
    "not_resolved": N_("{ref} is not resolved yet: resolve it first"),
    "record_incomplete": N_(
        "{ref} cannot be closed: its fault record lacks {fields} (the policy requires them)"
    ),
    "not_resolved_or_closed": N_("{ref} is not resolved or closed (it is {status})"),
    # work entries
    "work_signed_off": N_(
        "work entry #{entry} was signed off by the customer and cannot be changed"
    ),
    "work_unchanged": N_("work entry #{entry}: nothing to change"),
    "work_already_ended": N_("work entry #{entry} already ended at {at}"),
    "signoff_not_onsite": N_("work entry #{entry} is {mode} work: only on-site work is signed off"),
    "already_signed_off": N_("work entry #{entry} was already signed off by {name} at {at}"),
    "work_still_open": N_("work entry #{entry} ({mode}, {user}) is still open: end it first"),
    "onsite_unsigned": N_(
        "on-site work #{entry} of {start} is not signed off by the customer: sign it off first"
    ),
    # the customer archive
    "system_taken": N_("customer {customer} already has a system {system}"),
    # escalation
    "no_assignee": N_("{ref} has no assignee to escalate from: assign it first"),
    "not_more_senior": N_(
        "{user} ({seniority}) is not more senior than {current} ({current_seniority})"
    ),
    "nobody_more_senior": N_(
        "nobody on the roster is more senior than {current} ({current_seniority}): "
        "{ref} cannot be escalated"
    ),
    # someone else was first
    "stale_version": N_(
        "{ref} was changed by {who} at {when} ({verb}) since you read it "
        "(version {current}, you saw {seen}); nothing was written: reload and try again"
    ),
    "stale_version_unknown": N_(
        "{ref} was changed by someone since you read it "
        "(version {current}, you saw {seen}); nothing was written: reload and try again"
    ),
}

# Parameters that are words of the console's vocabulary (translated when shown);
# ``verb`` is a history verb (``sign_off``), shown as the timeline names it.
WORD_PARAMS = ("what", "action", "status", "mode", "seniority", "current_seniority", "fields")

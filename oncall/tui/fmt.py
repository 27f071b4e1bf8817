"""Words and numbers as the console shows them (no Textual, no SLA arithmetic).

Countdowns show seconds only where they matter: under an hour either side of
the deadline. Further out they show minutes, then days and hours, so a queue
of faults far from their deadlines repaints once a minute, not once a second.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from ..i18n import N_, _
from ..text import printable
from ..verbs import VERBS
from ..vocabulary import (
    CHANNEL_NAMES,
    CLOCK_NAMES,
    CLOCK_SHORT_NAMES,
    MODE_NAMES,
    RESPONSE_NAMES,
    SENIORITY_NAMES,
    STATUS_NAMES,
)

BAND_ORDER = ("breached", "critical", "warning", "ok")

_BAND_TAGS = {
    "breached": N_("BRCH"),
    "critical": N_("CRIT"),
    "warning": N_("WARN"),
    "ok": N_("ok"),
}
_BAND_NAMES = {
    "breached": N_("breached"),
    "critical": N_("critical"),
    "warning": N_("warning"),
    "ok": N_("ok"),
}
_LEVEL_NAMES = {
    "System down": N_("System down"),
    "Major": N_("Major"),
    "Minor": N_("Minor"),
    "Request": N_("Request"),
}
# The audit trail's verbs, as the timeline names them (a desk verb's: ``oncall/verbs.py``).
_VERBS = {"log": N_("logged"), **{v.audit: v.done for v in VERBS}}


def band_value(band: object) -> str:
    """``Band.BREACHED`` or ``"breached"`` -> ``"breached"``."""
    return str(getattr(band, "value", band))


def band_tag(band: object) -> str:
    return _(_BAND_TAGS.get(band_value(band), band_value(band)))


def band_name(band: object) -> str:
    return _(_BAND_NAMES.get(band_value(band), band_value(band)))


def clock_name(name: str | None, short: bool = False) -> str:
    if not name:
        return "-"
    return _((CLOCK_SHORT_NAMES if short else CLOCK_NAMES).get(name, name))


def status_name(status: str) -> str:
    return _(STATUS_NAMES.get(status, status))


def mode_name(mode: str) -> str:
    return _(MODE_NAMES.get(mode, mode))


def channel_name(channel: str) -> str:
    return _(CHANNEL_NAMES.get(channel, channel))


def how_name(how: str) -> str:
    return _(RESPONSE_NAMES.get(how, how))


def level_name(name: str) -> str:
    return _(_LEVEL_NAMES.get(name, name)) if name in _LEVEL_NAMES else printable(name)


def seniority_name(name: str) -> str:
    return _(SENIORITY_NAMES.get(name, name))


def verb_name(verb: str) -> str:
    return _(_VERBS.get(verb, verb))


def countdown(seconds: int | None) -> str:
    """Signed time to a deadline: ``-0:12:05``, ``0:41:10``, ``5h07m``, ``2d 04h``.

    Seconds only within an hour of the deadline (either side); minutes up to a
    day; days and hours beyond. The detail pane's precise form; the queue's rows
    use ``row_countdown``.
    """
    if seconds is None:
        return "-"
    sign = "-" if seconds < 0 else ""
    rest = abs(int(seconds))
    if rest < 3600:
        minutes, secs = divmod(rest, 60)
        return f"{sign}0:{minutes:02d}:{secs:02d}"
    return sign + _coarse(rest)


def row_countdown(seconds: int | None) -> str:
    """A queue row's time to its deadline: ``45s``, ``-12m``, ``5h07m``, ``2d 04h``.

    Seconds only in the last minute either side of the deadline. Why: a row whose
    text changes every second draws the eye and costs a repaint a second; on a
    big desk dozens of rows are within the hour, and only the ones about to
    breach (or that just did) should move. The others change once a minute, each
    at its own second. The detail pane keeps the precise ``countdown``.
    """
    if seconds is None:
        return "-"
    sign = "-" if seconds < 0 else ""
    rest = abs(int(seconds))
    if rest < 60:
        return f"{sign}{rest}s"
    if rest < 3600:
        return f"{sign}{rest // 60}m"
    return sign + _coarse(rest)


def _coarse(rest: int) -> str:
    """An hour or more: hours and minutes up to a day, then days and hours."""
    if rest < 86_400:
        hours, rest = divmod(rest, 3600)
        return f"{hours}h{rest // 60:02d}m"
    days, rest = divmod(rest, 86_400)
    return f"{days}d {rest // 3600:02d}h"


def duration(seconds: int | None) -> str:
    """A length of time (service time used, paused …): ``45m``, ``3h20m``, ``2d 04h``."""
    if seconds is None:
        return "-"
    rest = max(int(seconds), 0)
    if rest < 3600:
        return f"{rest // 60}m"
    if rest < 86_400:
        return f"{rest // 3600}h{(rest % 3600) // 60:02d}m"
    return f"{rest // 86_400}d {(rest % 86_400) // 3600:02d}h"


def when(at: datetime | None, tz: tzinfo | None) -> str:
    """A time in the desk's zone, to the minute: ``2026-10-09 15:00``."""
    if at is None:
        return "-"
    shown = at.astimezone(tz) if tz is not None else at
    return shown.strftime("%Y-%m-%d %H:%M")


def short_when(at: datetime | None, tz: tzinfo | None) -> str:
    if at is None:
        return "-"
    shown = at.astimezone(tz) if tz is not None else at
    return shown.strftime("%m-%d %H:%M")


def time_input(at: datetime | None, tz: tzinfo | None) -> str:
    """A time as a form field shows it (and ``parse_instant`` reads it back)."""
    if at is None:
        return ""
    shown = at.astimezone(tz) if tz is not None else at
    return shown.strftime("%Y-%m-%d %H:%M")


def percent(share: float | None) -> str:
    if share is None:
        return "-"
    return f"{share * 100:.0f}%"


def safe(text: str | None) -> str:
    """Stored text made safe for the terminal (control characters escaped)."""
    return printable(text or "")


def record_fields(words: str) -> str:
    """``diagnosis process, losses`` (record fields in the desk's English words, the
    msgids of ``RECORD_FIELD_NAMES``) in the console's words."""
    from ..desk.next_step import SEPARATOR

    return _(SEPARATOR).join(_(w.strip()) for w in words.split(","))


# How the console shows a refusal's parameters that are words (the others as given).
_REFUSAL_WORDS = {
    "status": _,  # already a status word (``oncall.vocabulary``): its msgid
    "what": _,
    "action": _,
    "mode": mode_name,
    "seniority": seniority_name,
    "current_seniority": seniority_name,
    "verb": verb_name,
    "fields": record_fields,
}


def refusal(error: BaseException) -> str:
    """A desk refusal in the console's language: by its code, else its English text."""
    from ..desk.refusals import REFUSALS

    code = getattr(error, "code", None)
    if code not in REFUSALS:
        return str(error)
    params = {
        key: _REFUSAL_WORDS[key](value) if key in _REFUSAL_WORDS else value
        for key, value in getattr(error, "params", {}).items()
    }
    return _(REFUSALS[code]).format(**params)

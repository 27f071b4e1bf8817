"""Input checks shared by the verbs; each failure is a one-line ValidationError."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from ..i18n import N_
from .errors import ValidationError

# The desk's input limits, declared once. Times and service-time durations are
# bounded by the policy's served range (``oncall.sla.served``).
MAX_TEXT_BYTES = 64 * 1024  # free text (symptom, record, work notes …)
MAX_ID = 2**31 - 1  # a row id: the database's INTEGER column (32 bits on PostgreSQL)
_USER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$")


def text(
    value: object,
    what: str,
    *,
    required: bool = False,
    max_chars: int | None = None,
    strip: bool = False,
) -> str:
    """Stored text: any character but NUL (the UI escapes control characters)."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValidationError.of("text_type", what=what, type=type(value).__name__)
    if "\x00" in value:
        raise ValidationError.of("text_nul", what=what)
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValidationError.of("text_surrogate", what=what) from None
    if size > MAX_TEXT_BYTES:
        raise ValidationError.of("text_bytes", what=what, size=size)
    if strip:
        value = value.strip()
    if required and not value.strip():
        raise ValidationError.of("text_empty", what=what)
    if max_chars is not None and len(value) > max_chars:
        raise ValidationError.of("text_chars", what=what, chars=len(value), limit=max_chars)
    return value


def user_name(value: object, what: str = N_("user name")) -> str:
    if not isinstance(value, str) or not _USER.match(value):
        raise ValidationError.of("user_name", what=what, value=repr(value))
    return value


def one_of(value: object, choices: tuple, what: str):
    if value not in choices:
        raise ValidationError.of(
            "not_one_of", what=what, value=repr(value), choices=", ".join(str(c) for c in choices)
        )
    return value


def instant(value: object, what: str) -> datetime:
    """An aware datetime, as UTC whole seconds."""
    if not isinstance(value, datetime):
        raise ValidationError.of("instant_type", what=what, type=type(value).__name__)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError.of("instant_naive", what=what, value=value.isoformat())
    try:
        return value.astimezone(UTC).replace(microsecond=0)
    except (OverflowError, ValueError):
        raise ValidationError.of("instant_range", what=what) from None


def row_id(value: object) -> int | None:
    """A row id the database can hold, else None (the caller says "no such …")."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        return None
    return value


def served(at: datetime, policy, now: datetime, what: str) -> datetime:
    """``at`` when the policy's served range holds it, else a ValidationError naming the range."""
    from oncall.sla.served import OutOfRange, served_range

    served = served_range(policy, now)
    try:
        return served.check(at, what)
    except OutOfRange:
        raise ValidationError.of(
            "time_not_served", what=what, at=show(at, policy.timezone), range=served.describe()
        ) from None


def show(at: datetime, tz: tzinfo) -> str:
    """An instant as the desk reads it in messages."""
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")

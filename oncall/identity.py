"""Who is at the keyboard: the real OS user, and who they claim to act as.

The real user comes from the process's effective uid (``pwd``), never from
``LOGNAME``, ``USER`` or ``ONCALL_USER``: anyone can set those. ``ONCALL_USER``
is a *claim*, to act on someone's behalf (a shared service account acting for
an engineer); the desk allows it only when the real user is a roster lead, and
its audit trail keeps both names.

Tests that run the CLI in-process as several users replace ``real_user`` with
``monkeypatch.setattr(oncall.identity, "real_user", ...)``; callers look it up
through the module (``identity.real_user()``) so that the replacement is seen.
Nothing a user can set from outside the process changes it.

Light on purpose: imported by the CLI before any database library.
"""

from __future__ import annotations

import os
import pwd

CLAIM_VAR = "ONCALL_USER"


class UnknownUid(Exception):
    """The process's uid has no user name (no entry in the password database)."""


def real_user() -> str:
    """The OS user name of the process's effective uid."""
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        raise UnknownUid(f"your uid {uid} has no user name in the password database") from None


def claimed_user(env: dict[str, str] | None = None) -> str | None:
    """The roster user ``$ONCALL_USER`` asks to act as (None: nobody claimed)."""
    env = os.environ if env is None else env
    return env.get(CLAIM_VAR, "").strip() or None

"""Errors of the desk's verbs: each one carries a clear one-line message.

Every refusal is a ``DeskError``; the CLI prints ``str(error)`` and the console
shows it in a notification. Nothing is written when a verb raises.

A refusal the console can meet has a ``code`` (a key of ``refusals.REFUSALS``)
and its ``params``: made with ``SomeError.of(code, **params)``, its English
message is the template filled in, and the console translates it by code.
"""

from __future__ import annotations

from datetime import datetime

# The store's own failures reach the desk's callers through its calls: named here so
# that they take them from the desk (import contracts: nothing above reads the store).
from oncall.store import StoreError as StoreError


class DeskError(Exception):
    """A verb was refused; ``str(error)`` is a one-line message for the engineer."""

    code: str | None = None  # None: English only, for now (roster and archive admin)
    params: dict[str, object] = {}  # noqa: RUF012 - replaced per instance, never mutated

    @classmethod
    def of(cls, code: str, **params: object) -> DeskError:
        """The refusal ``code`` with its parameters, its message in English."""
        from .refusals import REFUSALS

        error = cls(REFUSALS[code].format(**params))
        error.code = code
        error.params = params
        return error


class ValidationError(DeskError):
    """Bad input: empty title, end before start, a time in the future, NUL bytes …"""


class NotFound(DeskError):
    """No such fault, customer, system or work entry."""


class UnknownEngineer(NotFound):
    """An OS user or engineer that is not on the roster."""

    def __init__(self, user: str, *, acting: bool = False) -> None:
        self.user = user
        if acting:
            message = (
                f"{user!r} is not on the engineers' roster; to be added, ask a roster lead "
                f"to run: oncall engineer add {user} --name NAME --seniority engineer|senior|expert"
            )
        else:
            message = (
                f"no engineer {user!r} on the roster (see `oncall engineer list`; "
                f"add one with `oncall engineer add {user} --name NAME --seniority ...`)"
            )
        super().__init__(message)


class NotALead(DeskError):
    """A roster change by an engineer who is not a lead."""

    def __init__(self, user: str, what: str) -> None:
        self.user = user
        super().__init__(
            f"{what} needs a roster lead, and {user!r} is not one "
            "(see `oncall engineer list`; a lead runs `oncall engineer lead USER on`)"
        )


class ClaimRefused(DeskError):
    """The real OS user claimed to act as someone else without being a roster lead."""

    def __init__(self, real_user: str, claimed: str) -> None:
        self.real_user = real_user
        self.claimed = claimed
        super().__init__(
            f"OS user {real_user!r} cannot act as {claimed!r}: only a roster lead may act "
            "on someone's behalf (unset ONCALL_USER to act as yourself)"
        )


class InvalidTransition(DeskError):
    """The verb does not apply in the fault's status (resume a fault not waiting …)."""


class StaleVersion(DeskError):
    """Someone changed the fault after the caller read it; nothing was written.

    ``changed_by`` and ``changed_at`` name the last change (the OS user and the
    instant it was logged); reload the fault and try again.
    """

    def __init__(
        self,
        ref: str,
        *,
        seen: int,
        current: int,
        changed_by: str | None,
        changed_at: datetime | None,
        verb: str | None = None,
        when: str | None = None,
    ) -> None:
        self.ref = ref
        self.seen = seen
        self.current = current
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.verb = verb
        from .refusals import REFUSALS

        if changed_by and verb and when:
            self.code = "stale_version"
            self.params = dict(ref=ref, who=changed_by, when=when, verb=verb)
        else:
            self.code = "stale_version_unknown"
            self.params = dict(ref=ref)
        self.params.update(current=current, seen=seen)
        super().__init__(REFUSALS[self.code].format(**self.params))


class SchemaMismatch(DeskError):
    """The database's schema is not the code's: older (needs an upgrade) or newer.

    ``state`` is what ``oncall.store.schema_state`` said: "empty", "older" or "newer".
    """

    def __init__(self, state: str, message: str) -> None:
        self.state = state
        super().__init__(message)

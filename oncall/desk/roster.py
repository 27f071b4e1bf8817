"""Who on the roster to turn to: the order the desk, the next step and the forms share."""

from __future__ import annotations

from collections.abc import Iterable

from .views import SENIORITIES, EngineerInfo


def rank(seniority: str) -> int:
    """A seniority's step (0 for an engineer); an unknown one counts as the lowest."""
    return SENIORITIES.index(seniority) if seniority in SENIORITIES else 0


def more_senior(engineers: Iterable[EngineerInfo], seniority: str) -> list[EngineerInfo]:
    """The engineers more senior than ``seniority``, in the order escalation picks them.

    Those on duty first (at 3 a.m. an escalation to someone off duty helps
    nobody), then the nearest seniority step up, then by user name. The
    first is whom ``desk.faults.escalate`` picks when it is not told.
    """
    floor = rank(seniority)
    above = [e for e in engineers if rank(e.seniority) > floor]
    return sorted(above, key=lambda e: (not e.on_duty, rank(e.seniority), e.user))


def for_assignment(engineers: Iterable[EngineerInfo], me: str | None = None) -> list[EngineerInfo]:
    """The roster in the order the assign list shows it: on duty first, then you, then by name."""
    return sorted(engineers, key=lambda e: (not e.on_duty, e.user != me, e.name, e.user))

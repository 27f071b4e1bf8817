"""What a form knows of the console: the desk's actions it may ask for, the roster, the
customers, the policy, the clock. Light to import (no Textual): the main screen holds
these before any form is imported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Protocol, TypeVar

from ...i18n import _
from .. import fmt

if TYPE_CHECKING:
    from ...clock import Clock
    from ...desk import CustomerInfo, Desk, EngineerInfo, FaultSummary
    from ...sla import Policy

R = TypeVar("R")


@dataclass(frozen=True)
class Refusal:
    """Why the last verb saved nothing: the desk's refusal or the failure, in one line;
    ``unreachable``: the database could not be reached (nothing was written)."""

    text: str = ""
    unreachable: bool = False


class DeskActions(Protocol):
    """What a form asks of the console (``verbs.DeskVerbs``), and nothing else."""

    refusal: Refusal  # why the last ``perform`` returned None

    async def perform(self, call: Callable[[Desk], R], *, notice: str = "") -> R | None:
        """``call(desk)`` on the backend thread (``lambda desk: desk.faults.respond(...)``); the
        change shown, ``notice`` said; None when refused or not saved (``refusal``)."""
        ...

    async def fresh_fault(self, ref: str) -> FaultSummary | None:
        """The fault as stored now (None: cannot tell)."""
        ...

    def select_after_reload(self, ref: str) -> None:
        """Put the queue's cursor on ``ref`` once it shows up (a fault just logged)."""
        ...


@dataclass
class FormContext:
    actions: DeskActions
    tz: tzinfo | None
    clock: Clock
    me: str
    engineers: list[EngineerInfo] = field(default_factory=list)
    customers: list[CustomerInfo] = field(default_factory=list)
    policy: Policy | None = None

    def now(self) -> datetime:
        return self.clock.now()

    def engineer_options(
        self, blank: str | None = None, people: list | None = None
    ) -> list[tuple[str, str]]:
        """The roster as select options, who is on duty marked (● on duty, ○ off duty).

        ``people``: these engineers in this order; default the whole roster, on duty first.
        """
        from ...desk.roster import for_assignment

        options = [(blank, "")] if blank is not None else []
        if people is None:
            people = for_assignment(self.engineers, self.me)
        for e in people:
            duty = _("● on duty") if e.on_duty else _("○ off duty")
            label = (
                f"{fmt.safe(e.name)} ({fmt.safe(e.user)}) {fmt.seniority_name(e.seniority)} {duty}"
            )
            if e.user == self.me:
                label += " " + _("(me)")
            options.append((label, e.user))
        return options

    def more_senior_than(self, user: str | None) -> list:
        """The engineers ``user`` may escalate to, in the order the desk picks them."""
        from ...desk.roster import more_senior

        current = next((e for e in self.engineers if e.user == user), None)
        return more_senior(self.engineers, current.seniority if current else "engineer")

    def level_options(self) -> list[tuple[str, str]]:
        levels = sorted(self.policy.levels) if self.policy is not None else [0, 1, 2, 3]
        options = []
        for n in levels:
            name = self.policy.level(n).name if self.policy is not None else ""
            options.append((f"L{n} {fmt.level_name(name)}".rstrip(), str(n)))
        return options

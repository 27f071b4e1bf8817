"""The Desk: one database, one acting user, and the desk's records as sub-objects.

``Desk`` keeps who acts (``as_user``, ``claim``, ``claimed``, ``check_claim``),
the batch (``batch``) and the connections (``release``). Everything else is a
sub-object, one module each, so a new record kind is a new module:

- ``desk.roster``: the engineers (``roster_verbs.Roster``)
- ``desk.customers``: the customer archive (``customers.Customers``)
- ``desk.faults``: the fault verbs (``fault_verbs.Faults``)
- ``desk.work``: the work entries (``work_verbs.Work``)
- ``desk.reads``: the read models (``reads.Reads``)
- ``desk.alerts``: the SLA alerts as records (``alert_records.Alerts``)

All of them share one ``tx.Tx``: the sessions, the audit event and the fault
verb's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.engine import Engine

from oncall.clock import Clock
from oncall.sla import Policy

from .alert_records import Alerts
from .customers import Customers
from .fault_verbs import Faults
from .reads import Reads
from .roster_verbs import Roster
from .tx import Shared, Tx
from .views import Changed, changed_ref
from .work_verbs import Work

R = TypeVar("R")


class Desk:
    """The application layer over one database, as one OS user.

    Every verb is one short transaction (a session of its own): it validates
    its input, checks the fault's ``version`` (the one the caller saw; ``None``
    means "whatever is current", for one-shot CLI commands), writes the new
    state and one audit event, recomputes the fault's clocks from its stored
    events and caches the next breach on the row. A refusal raises a
    ``DeskError`` and writes nothing. Every verb returns what changed (the
    fault's ``FaultSummary``, the ``WorkEntry``, the ``EngineerInfo``, the
    ``CustomerInfo``, the alerts' ids).

    ``at`` (every fault verb) is when the thing happened; default
    ``clock.now()``. It may be back-dated, but never into the future, before
    the fault was reported, or (for verbs the clocks order: respond, pause,
    resume, resolve, close, reopen, change level, escalate, propose solution)
    before the fault's last such change.

    Who: ``user`` is the engineer who acts (the audit's ``os_user``);
    ``real_user`` is the OS user of the process (default: ``user``; the CLI
    and the console take it from the uid, ``oncall.identity``). When they
    differ, ``real_user`` acts on ``user``'s behalf: allowed only while
    ``real_user`` is a roster lead (``ClaimRefused``), checked by every
    verb, and the audit keeps both.

    Fault verbs, customer changes and alert acknowledgements need the acting
    engineer on the roster (``UnknownEngineer`` says how to be added). Roster
    changes need a lead (``NotALead``), except the first engineer put on an
    empty roster, who becomes its lead.

    ``require_onsite_signoff``: closing a fault with on-site work that the
    customer has not signed off is refused (the contract's 现场服务 rule).
    """

    def __init__(
        self,
        engine: Engine,
        policy: Policy,
        clock: Clock,
        user: str,
        *,
        real_user: str | None = None,
        require_onsite_signoff: bool = True,
        _shared: Shared | None = None,
    ) -> None:
        self.engine = engine
        self.policy = policy
        self.clock = clock
        self.user = user
        self.real_user = real_user or user
        self.require_onsite_signoff = require_onsite_signoff
        self._tx = tx = Tx(
            engine,
            policy,
            clock,
            user,
            self.real_user,
            require_onsite_signoff,
            _shared or Shared(),
        )
        self.roster = Roster(tx)
        self.customers = Customers(tx)
        self.faults = Faults(tx)
        self.work = Work(tx)
        self.reads = Reads(tx)
        self.alerts = Alerts(tx)

    def as_user(self, user: str) -> Desk:
        """The same desk run by another OS user (a test aid: in-process only)."""
        return self._copy(user, user)

    def claim(self, user: str) -> Desk:
        """The same desk acting on ``user``'s behalf (the real user must be a lead)."""
        return self._copy(user, self.real_user)

    @property
    def claimed(self) -> bool:
        """True when the real user acts on someone else's behalf."""
        return self.real_user != self.user

    def check_claim(self) -> None:
        """Raise ``ClaimRefused`` when acting on someone's behalf is not allowed."""
        if self.claimed:
            with self._tx.read() as s:
                self._tx.check_claim(s)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Run many verbs in one transaction (demo data, imports).

        Each verb inside is a savepoint: a refused one leaves the others. The
        whole batch commits at the end, or not at all; other processes see
        nothing until then. Desks made with ``as_user`` share the batch.
        """
        with self._tx.batch():
            yield

    def changed(self, call: Callable[[Desk], R]) -> Changed[R]:
        """``call(self)``, one verb, with the view of the fault it changed built in the
        verb's own transaction (its row, its events and its clocks as the verb had them):
        a console repaints from it and reads nothing after the verb."""
        with self._tx.seeing() as views:
            result = call(self)
        ref = changed_ref(result)
        return Changed(result, views.get(ref) if ref is not None else None)

    def release(self) -> None:
        """Close the database connections this desk's engine holds (it reconnects on
        next use). Not a fault verb: closing a fault is ``desk.faults.close``."""
        self.engine.dispose()

    def _copy(self, user: str, real_user: str) -> Desk:
        return Desk(
            self.engine,
            self.policy,
            self.clock,
            user,
            real_user=real_user,
            require_onsite_signoff=self.require_onsite_signoff,
            _shared=self._tx.shared,
        )

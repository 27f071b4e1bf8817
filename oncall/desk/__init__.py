"""The application layer: the verbs of the desk and its read models.

Open a desk (checks the schema; the embedded default SQLite is created and
upgraded on the spot, any other database must be upgraded explicitly)::

    from oncall.desk import open_desk
    from oncall.store import resolve_database_url
    desk = open_desk(resolve_database_url(args.db, os.environ, config.db), policy,
                     SystemClock(), acting_user, real_user=identity.real_user())

or, over an engine you already have (tests): ``Desk(engine, policy, clock, user)``.

Who: ``user`` acts (the audit's ``os_user``), ``real_user`` (default ``user``)
is the OS user of the process, from its uid (``oncall.identity``), kept in the
audit's ``real_user``. They differ when a roster lead acts on someone's behalf
(``ONCALL_USER``; ``desk.claim(user)``); a claim by anyone else raises
``ClaimRefused`` (``desk.check_claim()`` asks up front). ``desk.as_user(user)``
is a test aid: the same desk as another OS user.

The desk's records are sub-objects, one module each; every verb returns what
changed (``FaultSummary``, ``WorkEntry`` with the fault's new ``fault_version``,
``EngineerInfo``, ``CustomerInfo``, alert ids), so a caller repaints from it.

Roster (``roster_verbs``): a lead's verbs, but for the first engineer on an empty
roster, who becomes its lead; the last lead cannot step down::

    desk.roster.add("alice", "Alice Wang", "senior", phone="138…", on_duty=True, lead=False)
    desk.roster.update("alice", seniority="expert"); desk.roster.set_on_duty("alice", False)
    desk.roster.set_lead("alice", True); desk.roster.all(); desk.roster.get("alice")
    desk.roster.me()

Customers (``customers``)::

    desk.customers.add("华东电网", systems=[SystemInfo("EMS", "D5000", "v3")],
                       warranty_start=date(...), warranty_end=date(...), tier="gold",
                       contacts=[ContactInfo("张工", phone="…")])
    desk.customers.add_system("华东电网", SystemInfo(...))
    desk.customers.all(); desk.customers.get(name)

Fault verbs (``fault_verbs``; faults by their human id ``"F-2026-00042"``; every
verb but ``log`` takes ``version=`` (the ``FaultSummary.version`` the caller
saw; ``None`` = whatever is current) and ``at=`` (default ``clock.now()``; may
be back-dated, never in the future nor before the report)) and work entries
(``work_verbs``; ``version`` is the fault's)::

    f = desk.faults.log(customer=, system=, title=, level=, channel="phone"|"electronic",
                        symptom=, contact=, assignee=None, at=None)
    desk.faults.respond(ref, version=, how="phone"|"electronic"|"onsite", note="")
    desk.faults.propose(ref, version=, text=)   # stops the solution clock
    desk.faults.assign(ref, engineer_user, version=, note="")
    desk.faults.escalate(ref, version=, reason=, to=None)  # None: more senior, on duty first
    desk.faults.pause(ref, version=, reason=); desk.faults.resume(ref, version=, note="")
    desk.faults.level(ref, level, version=, reason=)
    desk.faults.record(ref, version=, symptom=, diagnosis=, handling=, losses=, changes=)
    desk.faults.resolve(ref, version=, summary=)
    desk.faults.close(ref, version=, note="")  # refused with unsigned on-site work
    desk.faults.reopen(ref, version=, reason=)
    w = desk.work.add(ref, version=, mode="phone"|"remote"|"onsite"|"internal",
                      start=None, end=None, engineer=None, done="", result="")
    desk.work.edit(w.id, version=, mode=, start=, end=, engineer=, done=, result=)
    desk.work.end(w.id, version=, end=None, result=None)
    desk.work.sign_off(w.id, version=, customer_rep="张工", engineer=None, end=None)

Statuses: new -> responded -> in_progress <-> waiting -> resolved -> closed;
resolved or closed -> (reopen) -> in_progress.

Read models (``reads``; no ORM objects): ``desk.reads.open_queue()`` (``QueueItem``s,
overdue first), ``faults(include_closed=False, customer=, status=, limit=)``,
``fault(ref)``, ``fault_view(ref)``, ``events(ref=None, limit=)``,
``last_change()`` (poll it to know when to reload), ``change_watch()``. Open
faults with their events are read with ``oncall.store.fault_reader``, the same
text the quick read (``peek``) and the alert records run.

Alerts (``alert_records``): ``desk.alerts`` holds the alert table's reads and
writes for the alert service, and the engineers' verbs
``desk.alerts.acknowledge(ids or None)`` (returns the ids it acknowledged) and
``desk.alerts.resend(id)`` (``Resent(queued, alert)``).

Connections: ``desk.release()`` closes the engine's pooled connections (the fault
verb ``close`` is ``desk.faults.close``).

Errors: every refusal is a ``DeskError`` with a one-line message:
``ValidationError``, ``NotFound`` (``UnknownEngineer``), ``InvalidTransition``,
``StaleVersion`` (names who changed the fault and when), ``SchemaMismatch``,
``NotALead``, ``ClaimRefused``.

Alerts: ``desk.alerts.acknowledge(ids or None)`` (a roster engineer's verb, one
audit event naming the alerts it acknowledged; returns their ids).

Many verbs in one transaction (each still a savepoint): ``with desk.batch(): ...``.

Demo data: ``oncall.desk.demo.load_demo(desk, seed=42) -> DemoSummary`` (refused on a
database that already has customers; about a second for 344 faults).

Importing the package imports no database library: ``Desk`` and ``open_desk``
(``core``, ``open``: SQLAlchemy, SQLModel, the tables) load on first use, so the read
models, ``history``, ``queue`` and the console's quick read (``peek``) stay light.
"""

from typing import TYPE_CHECKING

from .errors import (
    ClaimRefused,
    DeskError,
    InvalidTransition,
    NotALead,
    NotFound,
    SchemaMismatch,
    StaleVersion,
    UnknownEngineer,
    ValidationError,
)
from .views import (
    MODES,
    OPEN_STATUSES,
    RESPONSE_HOW,
    SENIORITIES,
    STATUSES,
    Changed,
    ContactInfo,
    CustomerInfo,
    EngineerInfo,
    EventView,
    FaultRecord,
    FaultSummary,
    FaultView,
    QueueItem,
    SystemInfo,
    WorkEntry,
)

if TYPE_CHECKING:
    from .core import Desk
    from .open import open_desk

_LAZY = {"Desk": "core", "open_desk": "open"}


def __getattr__(name: str):
    home = _LAZY.get(name)
    if home is not None:
        import importlib

        return getattr(importlib.import_module(f".{home}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ClaimRefused",
    "MODES",
    "OPEN_STATUSES",
    "RESPONSE_HOW",
    "SENIORITIES",
    "STATUSES",
    "Changed",
    "ContactInfo",
    "CustomerInfo",
    "Desk",
    "DeskError",
    "EngineerInfo",
    "EventView",
    "FaultRecord",
    "FaultSummary",
    "FaultView",
    "InvalidTransition",
    "NotALead",
    "NotFound",
    "QueueItem",
    "SchemaMismatch",
    "StaleVersion",
    "SystemInfo",
    "UnknownEngineer",
    "ValidationError",
    "WorkEntry",
    "open_desk",
]

"""The desk's commands: faults, the roster, customers, demo data and the database.

``register`` adds ``fault`` (fault_cmd.py), ``engineer`` and ``customer``
(roster_cmd.py), ``demo`` and ``db`` (here). This module also holds what they
share: the ``Ctx`` a handler gets (config, policy, clock, acting user, the
database), and the one place where the desk's refusals and database failures
become one line on stderr (``guarded``).

Nothing here imports the desk, the store or SQLAlchemy at module level: they
are imported when a handler runs, so ``oncall sla`` stays light.

Environment:
- ``ONCALL_USER``: act on this roster engineer's behalf (allowed only when the
  real OS user, from the process's uid, is a roster lead; see ``oncall.identity``).
  ``LOGNAME`` and ``USER`` are never read.
- ``ONCALL_NOW``: a testing aid, an ISO 8601 instant the desk takes as "now"
  (a fixed clock), within the times the desk serves. Read in ``Ctx.clock`` only.
- ``ONCALL_DB``: the database, when ``--db`` is not given (read by the store).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from functools import cached_property, wraps
from typing import Any

from ..clock import Clock, FixedClock, SystemClock
from ..text import printable
from ..timefmt import iso
from .common import (
    CliError,
    common_options,
    config_of,
    policy_of,
    print_json,
    served,
    served_instant,
)

NOW_VAR = "ONCALL_NOW"

# The desk's vocabularies, repeated here so that building the parser imports
# no database library (tests/test_cli_desk.py checks they match oncall.desk).
RESPONSE_HOW = ("phone", "electronic", "onsite")
MODES = ("phone", "remote", "onsite", "internal")
SENIORITIES = ("engineer", "senior", "expert")


# -- what a handler works with ---------------------------------------------------------


def clock_from_env(policy) -> Clock:
    """The desk's clock: ``$ONCALL_NOW`` (a testing aid, and only a time the desk
    serves) fixes it, else the real time."""
    fixed = os.environ.get(NOW_VAR, "").strip()
    if not fixed:
        return SystemClock()
    return FixedClock(served_instant(fixed, policy, NOW_VAR))


def real_user() -> str:
    """The OS user of the process, from its uid (``oncall.identity``)."""
    from .. import identity

    try:
        return identity.real_user()
    except identity.UnknownUid as exc:
        raise CliError(str(exc)) from None


class Ctx:
    """Config, policy, clock, user and (opened on first use) the desk, for one command."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._desk = None
        # A claim the real user may not make ends the command (one line, exit 2);
        # the console opens read-only instead and says why.
        self.refuse_claim = True
        # SQLite's quick check of the whole file before the command runs; the console
        # turns it off (it checks in the background once its queue is shown).
        self.check_file = True

    @cached_property
    def config(self):
        return config_of(self.args)

    @cached_property
    def policy(self):
        return policy_of(self.args, self.config)

    @property
    def tz(self):
        return self.policy.timezone

    @cached_property
    def clock(self) -> Clock:
        return clock_from_env(self.policy)

    @cached_property
    def served_range(self):
        """The times the desk serves (its clock's today)."""
        return served(self.policy, self.now())

    @cached_property
    def real_user(self) -> str:
        """Who runs this process (never the environment's say)."""
        return real_user()

    @cached_property
    def user(self) -> str:
        """The engineer who acts: ``$ONCALL_USER`` (a claim), else the real user."""
        from ..identity import claimed_user

        return claimed_user() or self.real_user

    def now(self) -> datetime:
        return self.clock.now()

    def time(self, text: str | None, what: str) -> datetime | None:
        """A time typed on the command line (None when not given)."""
        return None if text is None else served_instant(text, self.policy, what, self.served_range)

    @cached_property
    def url(self) -> str:
        from ..store import resolve_database_url

        config_dir = self.config.path.parent if self.config.path is not None else None
        return resolve_database_url(
            getattr(self.args, "db", None),
            os.environ,
            self.config.get("database"),
            config_dir=config_dir,
        )

    @cached_property
    def shown_url(self) -> str:
        return masked(self.url)

    def missing_file(self):
        """The SQLite file of a non-default database URL when it does not exist yet."""
        from ..store import is_default_database, sqlite_file

        file = sqlite_file(self.url)
        if file is None or file.exists() or is_default_database(self.url):
            return None
        return file

    def desk(self):
        """The desk over the database, as the acting user (opened once)."""
        if self._desk is None:
            missing = self.missing_file()
            if missing is not None:
                raise CliError(
                    f"no database at {printable(str(missing))}; create it with: "
                    f"oncall db upgrade --db {printable(str(missing))}"
                )
            from ..desk import open_desk

            self._desk = open_desk(
                self.url, self.policy, self.clock, self.user, real_user=self.real_user
            )
            if self.check_file:
                self.check_damage()
            if self.refuse_claim:
                self._desk.check_claim()
        return self._desk

    def check_damage(self) -> None:
        """SQLite's quick check of the file (about 1 ms per MB): a damaged page that this
        command would not read still stops it, with what to do (``DatabaseDamaged``)."""
        from ..store import sqlite_file
        from ..store.health import check_damage, where_of

        file = sqlite_file(self.url)
        if file is not None and file.exists():
            check_damage(file, where_of(self.url))

    def close(self) -> None:
        desk, self._desk = self._desk, None
        if desk is None:
            return
        release = getattr(desk, "release", None)  # the engine's pooled connections
        if release is not None:
            release()


def masked(url: str) -> str:
    """``url`` with any password hidden."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL we cannot parse is shown without its userinfo
        if "@" in url and "://" in url:
            scheme, rest = url.split("://", 1)
            return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
        return url


# -- the one place where failures become one line --------------------------------------


Handler = Callable[[argparse.Namespace, Ctx], int | None]


def guarded(handler: Handler) -> Callable[[argparse.Namespace], int]:
    """Run ``handler`` with a ``Ctx``; refusals and database failures raise ``CliError``."""

    @wraps(handler)
    def run(args: argparse.Namespace) -> int:
        ctx = Ctx(args)
        try:
            return handler(args, ctx) or 0
        except (CliError, BrokenPipeError):  # a closed stdout (| head) is not a db failure
            raise
        except Exception as exc:  # noqa: BLE001 - translated below, or re-raised
            message = explain(exc, ctx)
            if message is None:
                raise
            raise CliError(message) from None
        finally:
            with contextlib.suppress(Exception):  # closing must not hide the outcome
                ctx.close()

    return run


def _loaded(module: str):
    import sys

    return sys.modules.get(module)


def explain(exc: BaseException, ctx: Ctx) -> str | None:
    """A one-line message for a refusal or a database failure; None for a bug."""
    message = _explain(exc, ctx)
    if message is None:
        return None
    password = _password(ctx)
    if password and len(password) >= 4:  # a shorter one would garble the message
        message = message.replace(password, "***")
    return message


def _explain(exc: BaseException, ctx: Ctx) -> str | None:
    desk_errors = _loaded("oncall.desk.errors")
    if desk_errors is not None and isinstance(exc, desk_errors.DeskError):
        return _one_line(str(exc))
    store_db = _loaded("oncall.store.db")
    if store_db is not None and isinstance(exc, store_db.StoreError):
        return _one_line(str(exc))
    missing = (exc.name or "") if isinstance(exc, ModuleNotFoundError) else ""
    if missing.split(".")[0] in ("psycopg", "psycopg2"):
        return (
            "the PostgreSQL driver is not installed: pip install 'oncall[postgres]' "
            f"(database {_where(ctx)})"
        )
    if isinstance(exc, OSError) and not isinstance(exc, ModuleNotFoundError | ImportError):
        what = exc.strerror or str(exc)
        where = f" ({printable(str(exc.filename))})" if exc.filename else ""
        return f"cannot use the database {_where(ctx)}: {_one_line(what)}{where}"
    sa_exc = _loaded("sqlalchemy.exc")
    if sa_exc is None or not isinstance(exc, sa_exc.SQLAlchemyError):
        return None
    where = _where(ctx)
    from ..store.health import translated, where_of

    health = translated(exc, where_of(ctx.url) if "url" in vars(ctx) else where)
    if health is not None:  # damaged (restore a backup) or unreachable (try again)
        return _one_line(str(health))
    detail = _one_line(str(getattr(exc, "orig", None) or exc))
    low = detail.lower()
    if isinstance(exc, sa_exc.ArgumentError | sa_exc.NoSuchModuleError):
        return f"cannot use the database URL {where}: {detail}"
    if "unable to open database" in low or "readonly database" in low:
        return (
            f"cannot open the database {where} for writing: check that it exists and that "
            "you (or your group) may write to it and its directory"
        )
    if "no such table" in low or ("relation" in low and "does not exist" in low):
        return (
            f"the database {where} does not have the current schema ({detail}); "
            "run: oncall db upgrade"
        )
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return f"cannot use the database {where}: {detail}"
    if isinstance(exc, sa_exc.IntegrityError):
        return f"the database refused the change (nothing was written): {detail}"
    return f"database error on {where}: {detail}"


def _password(ctx: Ctx) -> str | None:
    try:
        from sqlalchemy.engine import make_url

        return make_url(ctx.url).password or None
    except Exception:  # noqa: BLE001 - no URL, no password to hide
        return None


def _where(ctx: Ctx) -> str:
    try:
        return ctx.shown_url
    except Exception:  # noqa: BLE001 - the URL itself may be the problem
        return "(unknown)"


def _one_line(text: str) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    return printable(lines[0]) if lines else "refused"


# -- JSON --------------------------------------------------------------------------------


def jsonable(value: Any, tz) -> Any:
    """Dataclasses, instants (ISO 8601 with the desk's offset), dates and enums as JSON."""
    if isinstance(value, datetime):
        return iso(value, tz)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name), tz) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v, tz) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, tz) for v in value]
    return value


def clock_json(clock, now: datetime, tz) -> dict[str, Any]:
    """One SLA clock of a fault, with what a reader wants besides the raw state."""
    out = jsonable(clock, tz)
    out["left_seconds"] = clock.left(now)
    out["remaining_service_seconds"] = clock.remaining
    out["share"] = round(clock.share, 4) if clock.target else None
    out["running"] = clock.running
    out["met"] = clock.met
    # Wall seconds past the deadline (to the stop if it stopped): 0 while in time.
    # Service seconds over the target are -remaining_service_seconds.
    out["late_seconds"] = clock.late(now)
    return out


def emit(value: Any, tz) -> None:
    print_json(jsonable(value, tz))


# -- registration ---------------------------------------------------------------------------


def command(
    sub: argparse._SubParsersAction, name: str, handler: Handler, help: str, **kwargs: Any
) -> argparse.ArgumentParser:
    """A subcommand with the common options whose handler runs ``guarded``."""
    parser = sub.add_parser(name, parents=[common_options()], help=help, description=help, **kwargs)
    parser.set_defaults(handler=guarded(handler))
    return parser


def register(commands: argparse._SubParsersAction) -> None:
    from . import alert_cmd, fault_cmd, roster_cmd, watch_cmd

    fault_cmd.register(commands)
    roster_cmd.register(commands)
    watch_cmd.register(commands)
    alert_cmd.register(commands)

    demo = command(commands, "demo", _demo, "fill a database with demo data")
    demo.add_argument("--seed", type=int, metavar="N", help="random seed (same seed, same data)")
    demo.add_argument("--force", action="store_true", help="go on even if the database has faults")
    demo.add_argument("--json", action="store_true")

    db = commands.add_parser("db", help="the database: schema, health, upgrades and backups")
    sub = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    command(sub, "upgrade", _db_upgrade, "bring the database to the current schema")
    status = command(
        sub, "status", _db_status, "where the database is, its schema state and a quick check"
    )
    status.add_argument("--json", action="store_true")
    backup = command(
        sub, "backup", _db_backup, "copy the SQLite database while in use, then check the copy"
    )
    backup.add_argument("path", metavar="PATH", help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    check = command(sub, "check", _db_check, "check that an SQLite file (a backup) can be restored")
    check.add_argument("path", metavar="PATH", help="the file to check")


# -- demo and db ------------------------------------------------------------------------------


def _demo(args: argparse.Namespace, ctx: Ctx) -> int:
    from ..store import upgrade

    ctx.policy  # noqa: B018 - a bad policy or config fails before anything is written
    url = ctx.url
    created = ""
    if ctx.missing_file() is not None or _state(url) == "empty":
        created = f" (new schema, revision {upgrade(url)})"
    desk = ctx.desk()
    if desk.reads.faults(include_closed=True, limit=1) and not args.force:
        raise CliError(
            f"the database {ctx.shown_url} already has faults; load the demo into a new "
            "database (another --db), or add --force"
        )
    from ..desk.demo import STAGES, load_demo

    def progress(stage: str) -> None:  # a line per stage on stderr: stdout stays the result
        print(f"demo: {STAGES[stage]}…", file=sys.stderr, flush=True)

    seed = {} if args.seed is None else {"seed": args.seed}
    made = load_demo(desk, progress=progress, **seed)
    if args.json:
        emit({"database": ctx.shown_url, **jsonable(made, ctx.tz)}, ctx.tz)
        return 0
    get = lambda name: getattr(made, name, "?")  # noqa: E731
    print(f"Demo data in {ctx.shown_url}{created}:")
    print(
        f"  {get('engineers')} engineers, {get('customers')} customers with "
        f"{get('systems')} systems"
    )
    print(
        f"  {get('faults')} faults: {get('open_faults')} open, {get('resolved_faults')} "
        f"resolved, {get('closed_faults')} closed; {get('work_entries')} work entries, "
        f"{get('events')} audit events"
    )
    by_band = getattr(made, "by_band", None)
    if by_band:
        bands = ", ".join(f"{n} {printable(str(b))}" for b, n in by_band.items())
        print(f"  open queue now: {bands}")
    print("Next: oncall fault list" + _db_hint(args))
    return 0


def _db_hint(args: argparse.Namespace) -> str:
    db = getattr(args, "db", None)
    if not db:
        return ""
    return f" --db {printable(db)}" if " " not in db else f" --db '{printable(db)}'"


def _state(url: str) -> str:
    from ..store import make_engine, schema_state

    engine = make_engine(url)
    try:
        return schema_state(engine)
    finally:
        engine.dispose()


def _db_upgrade(args: argparse.Namespace, ctx: Ctx) -> int:
    from ..store import current_revision, head_revision, make_engine, schema_state, upgrade

    if ctx.missing_file() is None:
        ctx.check_damage()  # never migrate a damaged file: restore a backup first
    engine = make_engine(ctx.url)
    try:
        state = schema_state(engine)
        before = current_revision(engine)
        if state == "current":
            print(f"{ctx.shown_url}: schema already current (revision {before}); nothing to do")
            return 0
        after = upgrade(engine)
    finally:
        engine.dispose()
    origin = (
        f"revision {before}"
        if before
        else ("an empty database" if state == "empty" else "unversioned tables")
    )
    print(f"{ctx.shown_url}: upgraded from {origin} to revision {after or head_revision()}")
    return 0


def _db_status(args: argparse.Namespace, ctx: Ctx) -> int:
    from ..store import current_revision, head_revision, is_default_database, make_engine
    from ..store import schema_state as state_of

    url = ctx.url
    info: dict[str, Any] = {
        "url": ctx.shown_url,
        "default": is_default_database(url),
        "head_revision": head_revision(),
    }
    missing = ctx.missing_file()
    if missing is not None:
        info.update(state="missing", revision=None)
    else:
        engine = make_engine(url)
        try:
            info.update(state=state_of(engine), revision=current_revision(engine))
        finally:
            engine.dispose()
    info["integrity"] = _quick_check(ctx) if missing is None else None
    damaged = info["integrity"] not in (None, "ok", "not checked")
    if args.json:
        print_json(info)
        _stop_if_damaged(ctx, info["integrity"] if damaged else None)
        return 0
    advice = {
        "current": "up to date",
        "empty": "no tables yet: run oncall db upgrade" + _db_hint(args),
        "older": "older schema: run oncall db upgrade" + _db_hint(args),
        "newer": "written by a newer oncall: upgrade oncall",
        "missing": "no such file: oncall db upgrade" + _db_hint(args) + " creates it",
    }[info["state"]]
    print(f"database  {info['url']}" + ("  (the default)" if info["default"] else ""))
    print(f"schema    {info['state']}: {advice}")
    print(f"revision  {info['revision'] or '-'} (this oncall: {info['head_revision']})")
    if info["integrity"] is not None:
        print(f"integrity {info['integrity'] if not damaged else 'DAMAGED'}")
    _stop_if_damaged(ctx, info["integrity"] if damaged else None)
    return 0


def _quick_check(ctx: Ctx) -> str:
    """SQLite's quick check: "ok" or the problem; "not checked" for other databases."""
    from ..store import sqlite_file
    from ..store.health import integrity

    file = sqlite_file(ctx.url)
    if file is None:
        return "not checked"
    return integrity(file) or "ok"


def _stop_if_damaged(ctx: Ctx, problem: str | None) -> None:
    """Exit 2 with the one line that says what to do (``guarded`` prints it)."""
    from ..store.health import DatabaseDamaged, where_of

    if problem is not None:
        raise DatabaseDamaged(where_of(ctx.url), problem)


def _backup_source(ctx: Ctx):
    from ..store import sqlite_file
    from ..store.backup import PG_DUMP_HINT

    file = sqlite_file(ctx.url)
    if file is None:
        from sqlalchemy.engine import make_url

        url = make_url(ctx.url)
        if url.get_backend_name() != "postgresql":
            raise CliError(f"only an SQLite file can be backed up this way, not {ctx.shown_url}")
        plain = url.set(drivername="postgresql").render_as_string(hide_password=True)
        raise CliError(PG_DUMP_HINT.replace("DBURL", plain))
    if not file.exists():
        raise CliError(f"no database at {printable(str(file))}")
    return file


def _db_backup(args: argparse.Namespace, ctx: Ctx) -> int:
    from pathlib import Path

    from ..store.backup import backup

    report = backup(_backup_source(ctx), Path(args.path).expanduser(), force=args.force)
    print(f"backed up to {printable(report.line())}")
    return 0


def _db_check(args: argparse.Namespace, ctx: Ctx) -> int:
    from pathlib import Path

    from ..store.backup import check

    print(printable(check(Path(args.path).expanduser()).line()))
    return 0

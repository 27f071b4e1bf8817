"""What a desk command works with, and the one place where its failures become one line.

A handler gets a ``Ctx`` (config, policy, clock, acting user, the database opened
on first use); ``guarded`` runs it and turns the desk's refusals and database
failures into ``CliError`` (one line on stderr, exit 2); ``command`` adds a
subcommand whose handler runs guarded. Every desk command module imports this
one; none of them imports ``desk_cmd`` (its ``register`` adds them all).

Nothing here imports the desk, the store or SQLAlchemy at module level: they
are imported when a handler runs, so building the parser stays light.

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
import os
from collections.abc import Callable
from datetime import datetime
from functools import cached_property, wraps
from typing import Any

from ..clock import Clock, FixedClock, SystemClock
from ..text import printable
from .common import CliError, common_options, config_of, policy_of, served, served_instant

NOW_VAR = "ONCALL_NOW"


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
        from ..desk.database import resolve_database_url

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
        from ..desk.database import is_default_database, sqlite_file

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
        from ..desk.database import check_damage, sqlite_file, where_of

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
    from ..desk.database import translated, where_of

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


def command(
    sub: argparse._SubParsersAction, name: str, handler: Handler, help: str, **kwargs: Any
) -> argparse.ArgumentParser:
    """A subcommand with the common options whose handler runs ``guarded``."""
    parser = sub.add_parser(name, parents=[common_options()], help=help, description=help, **kwargs)
    parser.set_defaults(handler=guarded(handler))
    return parser

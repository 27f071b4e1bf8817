"""``oncall db``: the database's schema, health, upgrades and backups."""

from __future__ import annotations

import argparse
from typing import Any

from ..text import printable
from .common import CliError, print_json
from .context import Ctx, command


def register(commands: argparse._SubParsersAction) -> None:
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


def db_hint(args: argparse.Namespace) -> str:
    db = getattr(args, "db", None)
    if not db:
        return ""
    return f" --db {printable(db)}" if " " not in db else f" --db '{printable(db)}'"


def schema_of(url: str) -> str:
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
        "empty": "no tables yet: run oncall db upgrade" + db_hint(args),
        "older": "older schema: run oncall db upgrade" + db_hint(args),
        "newer": "written by a newer oncall: upgrade oncall",
        "missing": "no such file: oncall db upgrade" + db_hint(args) + " creates it",
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

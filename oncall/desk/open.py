"""Opening a desk: the database's schema and role checked first.

``open_desk(url, policy, clock, user)`` gives a ``Desk`` over the database at
``url``, or raises a one-line ``DeskError`` (``SchemaMismatch``: what to run).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from oncall.clock import Clock
from oncall.sla import Policy
from oncall.store import (
    UPGRADE_COMMAND,
    current_revision,
    head_revision,
    is_default_database,
    make_engine,
    schema_state,
    upgrade,
)
from oncall.store.health import translated, where_of
from oncall.store.models import Engineer

from .convert import first_line
from .core import Desk
from .errors import DeskError, SchemaMismatch


def open_desk(
    url: str,
    policy: Policy,
    clock: Clock,
    user: str,
    *,
    real_user: str | None = None,
    auto_upgrade: bool | None = None,
    require_onsite_signoff: bool = True,
) -> Desk:
    """A Desk over the database at ``url``, its schema checked.

    The schema must be the code's. One exception, by design: the embedded
    default SQLite database (``oncall.store.default_database_url()``) is
    created and upgraded on the spot, since it belongs to this installation
    and nobody else's code reads it. Any other database (a shared file, a
    PostgreSQL server) is refused while it is empty or older, until someone
    runs ``oncall db upgrade`` on purpose (after a backup), and always when it
    is newer than the code. ``auto_upgrade`` overrides the choice (None: only
    the default database).

    ``user`` acts, ``real_user`` (default: ``user``) is the OS user of the
    process (see ``Desk``). On PostgreSQL a session role named after a roster
    engineer is that engineer's own role (per-engineer roles, peer
    authentication): it must be the real user's, or the database would record
    someone else as the writer. A role that is not an engineer's (a shared
    ``oncall`` role) is accepted.
    """
    engine = make_engine(url)
    where = make_url(url).render_as_string(hide_password=True)
    if auto_upgrade is None:
        auto_upgrade = is_default_database(url)
    try:
        state = schema_state(engine)
        if state in ("empty", "older") and auto_upgrade:
            upgrade(engine)
        elif state == "empty":
            raise SchemaMismatch(
                state,
                f"the database {where} has no oncall tables yet: create them with "
                f"`{UPGRADE_COMMAND}`",
            )
        elif state == "older":
            raise SchemaMismatch(
                state,
                f"the database {where} has an older schema ({current_revision(engine) or 'none'}, "
                f"this oncall needs {head_revision()}): back it up, then run `{UPGRADE_COMMAND}`",
            )
        elif state == "newer":
            raise SchemaMismatch(
                state,
                f"the database {where} was written by a newer oncall (schema "
                f"{current_revision(engine)}, this one knows up to {head_revision()}): "
                "upgrade oncall",
            )
        if engine.dialect.name == "postgresql":
            _check_database_role(engine, real_user or user)
    except DBAPIError as exc:
        engine.dispose()
        found = translated(exc, where_of(url))
        if found is not None:
            raise found from exc
        if not isinstance(exc, OperationalError):
            raise
        raise DeskError(f"cannot open the database {where}: {first_line(exc)}") from exc
    except DeskError:
        engine.dispose()
        raise
    return Desk(
        engine,
        policy,
        clock,
        user,
        real_user=real_user,
        require_onsite_signoff=require_onsite_signoff,
    )


def _check_database_role(engine: Engine, real_user: str) -> None:
    """Refuse a PostgreSQL session role that is another engineer's own role."""
    with engine.connect() as conn:
        role = conn.execute(select(func.session_user())).scalar()
        if role == real_user:
            return
        engineer = conn.execute(select(Engineer.os_user).where(Engineer.os_user == role)).scalar()
    if engineer is not None:
        raise DeskError(
            f"OS user {real_user!r} connects to the database as engineer {role!r}'s role: "
            f"connect as your own role (peer authentication over the local socket)"
        )

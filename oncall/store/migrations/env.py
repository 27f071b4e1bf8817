"""Alembic environment: run on the connection ``oncall.store.upgrade`` hands over.

There is no alembic.ini. To write a new revision from a shell::

    python -c "from oncall.store.db import _alembic_config as c; \
from alembic import command; \
command.revision(c(), message='what changes', autogenerate=False)"

(autogenerate needs a connection: pass one in ``config.attributes``).
"""

from __future__ import annotations

from alembic import context

from oncall.store.models import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from oncall.store.db import make_engine

        url = config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("no connection or sqlalchemy.url for the migrations")
        with make_engine(url).begin() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()

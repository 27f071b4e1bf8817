"""Storage: the tables (SQLModel), the engine and the schema (Alembic).

The desk (``oncall.desk``) is the only writer; other layers read through it.
"""

from .db import (
    UPGRADE_COMMAND,
    StoreError,
    current_revision,
    default_database_path,
    default_database_url,
    head_revision,
    is_default_database,
    make_engine,
    resolve_database_url,
    schema_state,
    sqlite_file,
    sqlite_url,
    upgrade,
    write_engine,
)

__all__ = [
    "UPGRADE_COMMAND",
    "StoreError",
    "current_revision",
    "default_database_path",
    "default_database_url",
    "head_revision",
    "is_default_database",
    "make_engine",
    "resolve_database_url",
    "schema_state",
    "sqlite_file",
    "sqlite_url",
    "upgrade",
    "write_engine",
]

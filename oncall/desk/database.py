"""The database itself, as the layers above the desk need to know it: where it is,
whether it answers, whether it is damaged, whether anything changed.

The console, the CLI and the alert service reach the store only through the desk
(the import contracts in ``pyproject.toml``); these are the store's answers about
the database that they pass on or show, named here once. Import this module where
it is needed, not at start-up: it loads SQLAlchemy.
"""

from __future__ import annotations

from oncall.store import (
    StoreError,
    is_default_database,
    resolve_database_url,
    sqlite_file,
)
from oncall.store.alert_models import RESENDABLE
from oncall.store.health import (
    DatabaseDamaged,
    check_damage,
    classify,
    probe,
    problem_of,
    translated,
    where_of,
)
from oncall.store.watch import ChangeReader

__all__ = [
    "RESENDABLE",
    "ChangeReader",
    "DatabaseDamaged",
    "StoreError",
    "check_damage",
    "classify",
    "is_default_database",
    "probe",
    "problem_of",
    "resolve_database_url",
    "sqlite_file",
    "translated",
    "where_of",
]

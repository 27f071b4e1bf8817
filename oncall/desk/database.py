"""The database itself, as the layers above the desk need to know it: where it is,
whether it answers, whether it is damaged, whether anything changed.

The console, the CLI and the alert service reach the store only through the desk
(the import contracts in ``pyproject.toml``); these are the store's answers about
the database that they pass on or show, named here once.

Each name loads its store module on first use: finding the database file must not
import SQLAlchemy (the console's quick first read runs before it is loaded).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oncall.store import StoreError, is_default_database, resolve_database_url, sqlite_file
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

_HOMES = {
    "StoreError": "oncall.store",
    "is_default_database": "oncall.store",
    "resolve_database_url": "oncall.store",
    "sqlite_file": "oncall.store",
    "RESENDABLE": "oncall.store.alert_models",
    "DatabaseDamaged": "oncall.store.health",
    "check_damage": "oncall.store.health",
    "classify": "oncall.store.health",
    "probe": "oncall.store.health",
    "problem_of": "oncall.store.health",
    "translated": "oncall.store.health",
    "where_of": "oncall.store.health",
    "ChangeReader": "oncall.store.watch",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)

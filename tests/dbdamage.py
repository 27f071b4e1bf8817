"""Damaged SQLite files for the tests: garbage over a page in the middle, or over the header."""

from __future__ import annotations

import sqlite3
from pathlib import Path

GARBAGE = bytes(range(256)) * 16  # one 4 KB page of bytes no b-tree page starts with


def settle(path: Path) -> int:
    """Checkpoint the WAL into the file (so the file holds every page); its page size."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return con.execute("PRAGMA page_size").fetchone()[0]
    finally:
        con.close()


def damage_page(path: Path) -> None:
    """Write garbage over the page in the middle of the file (a table or index page)."""
    size = settle(path)
    pages = Path(path).stat().st_size // size
    with open(path, "r+b") as f:
        f.seek((pages // 2) * size)
        f.write(GARBAGE[:size])


def damage_header(path: Path) -> None:
    """Write garbage over the file's header: SQLite says "file is not a database"."""
    settle(path)
    with open(path, "r+b") as f:
        f.write(b"this is no longer an SQLite file" * 3)

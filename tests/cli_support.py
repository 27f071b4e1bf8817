"""The CLI run in-process on an SQLite file of its own, as one OS user at one instant.

``cli`` (a ``Cli`` on a copy of a small desk) and ``blank`` (an empty one) for the
CLI's tests; ``new_fault`` logs a fault through it. Used by test_cli_desk.py and
the other files that drive the shell commands.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from tui_support import HANG

from oncall import identity
from oncall.cli import main

NOW = "2026-11-23T16:30"


class Cli:
    """``oncall --db FILE ...`` as one user at one instant; returns (code, out, err)."""

    def __init__(self, db: Path, monkeypatch, capsys) -> None:
        self.db = db
        self.monkeypatch = monkeypatch
        self.capsys = capsys

    def __call__(self, *argv: str, now: str | None = None, user: str | None = None):
        if now is not None:
            self.monkeypatch.setenv("ONCALL_NOW", now)
        if user is not None:
            as_os_user(self.monkeypatch, user)
        self.capsys.readouterr()
        code = main(["--db", str(self.db), *argv])
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *argv: str, **kw) -> str:
        code, out, err = self(*argv, **kw)
        assert code == 0, err
        assert err == ""
        return out

    def json(self, *argv: str, **kw):
        return json.loads(self.ok(*argv, "--json", **kw))

    def refused(self, *argv: str, **kw) -> str:
        """The command is refused: exit 2, one line on stderr, nothing on stdout."""
        code, out, err = self(*argv, **kw)
        assert code == 2, (out, err)
        assert out == ""
        assert len(err.strip().splitlines()) == 1, err
        assert "Traceback" not in err
        return err

    def events(self) -> int:
        """Rows in the audit trail, read behind the desk's back."""
        with sqlite3.connect(self.db) as conn:
            return conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]


def as_os_user(mp: pytest.MonkeyPatch, user: str) -> None:
    """Run the in-process CLI as OS user ``user`` (the environment cannot do this)."""
    mp.setattr(identity, "real_user", lambda: user)


def _isolate(mp: pytest.MonkeyPatch, folder: Path) -> None:
    """No user config, no default database, no $ONCALL_DB from the developer's shell."""
    config = folder / "config.toml"
    config.write_text("", encoding="utf-8")
    mp.setenv("ONCALL_CONFIG", str(config))
    mp.setenv("XDG_DATA_HOME", str(folder / "data"))
    mp.delenv("ONCALL_DB", raising=False)
    mp.delenv("ONCALL_USER", raising=False)
    as_os_user(mp, "duty")
    mp.setenv("ONCALL_NOW", NOW)


def _copy(db: Path, folder: Path) -> Path:
    """A copy of an SQLite database (with its WAL, if one is left)."""
    for part in db.parent.glob(db.name + "*"):
        shutil.copy(part, folder / part.name)
    return folder / db.name


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> tuple[Path, Path]:
    """Built once: an upgraded empty database, and one with a roster and a customer."""
    folder = tmp_path_factory.mktemp("templates")
    blank, filled = folder / "blank" / "desk.sqlite3", folder / "filled" / "desk.sqlite3"
    blank.parent.mkdir()
    filled.parent.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        _isolate(mp, folder)
        assert main(["--db", str(blank), "db", "upgrade"]) == 0
        _copy(blank, filled.parent)
        for argv in (
            ["engineer", "add", "duty", "--name", "Duty Officer", "--seniority", "senior"],
            [
                "engineer",
                "add",
                "alice",
                "--name",
                "Alice Wang",
                "--seniority",
                "engineer",
                "--phone",
                "13800000001",
            ],
            ["engineer", "add", "bob", "--name", "Bob Li", "--seniority", "expert", "--off-duty"],
            [
                "customer",
                "add",
                "华东电网",
                "--system",
                "EMS:D5000:v3",
                "--system",
                "OMS",
                "--warranty-start",
                "2026-01-01",
                "--warranty-end",
                "2028-12-31",
                "--tier",
                "gold",
                "--contact",
                "张工:13900000000",
            ],
        ):
            assert main(["--db", str(filled), *argv]) == 0, argv
    return blank, filled


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    _isolate(monkeypatch, tmp_path)
    return tmp_path


@pytest.fixture
def blank(isolated, monkeypatch, capsys, templates):
    """A CLI on a new, upgraded, empty database."""
    return Cli(_copy(templates[0], isolated), monkeypatch, capsys)


@pytest.fixture
def cli(isolated, monkeypatch, capsys, templates):
    """A CLI on a database with a roster (duty, alice, bob off duty) and one customer."""
    return Cli(_copy(templates[1], isolated), monkeypatch, capsys)


def new_fault(cli, *extra: str, level: str = "1") -> dict:
    return cli.json(
        "fault",
        "new",
        "--customer",
        "华东电网",
        "--system",
        "EMS",
        "--level",
        level,
        "--channel",
        "phone",
        "--title",
        "SCADA 前置机无法连接",
        "--symptom",
        "连接被拒绝",
        "--contact",
        "张工",
        "--reported-at",
        "2026-11-23T09:30",
        *extra,
    )


# -- the CLI and the desk agree ----------------------------------------------------------------


# -- oncall as another process ---------------------------------------------------------------

PYTHON = [sys.executable, "-c", "import sys; from oncall.cli import main; sys.exit(main())"]


def environment(folder: Path, config: str = "") -> dict[str, str]:
    (folder / "config.toml").write_text(config, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCALL_")}
    env.update(
        ONCALL_CONFIG=str(folder / "config.toml"),
        XDG_DATA_HOME=str(folder / "data"),
    )
    return env


async def read_lines(proc, count: int) -> list[str]:
    """The next ``count`` lines on stdout (fewer if it closes)."""
    lines = []
    async with asyncio.timeout(HANG):
        while len(lines) < count:
            line = await proc.stdout.readline()
            if not line:
                break
            lines.append(line.decode().rstrip("\n"))
    return lines

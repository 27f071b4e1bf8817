"""A throwaway PostgreSQL cluster for the tests that need one.

``pg_url`` gives a SQLAlchemy URL: ``$ONCALL_TEST_PG_URL`` when set, else a
cluster made with Debian's ``initdb`` in a temporary folder, listening on a Unix
socket only, removed at the end of the session. Without PostgreSQL installed
the tests that use it are skipped (``.ci/run`` installs it, so CI runs them).

``pg_db`` is a new, empty database on it for one test (dropped afterwards);
``pg_head_db`` one already at the schema's head, cloned from a template made
once per session (``CREATE DATABASE ... TEMPLATE``), so no test migrates but
the one about migrating.

Under pytest-xdist each worker that needs PostgreSQL has a cluster of its own:
its data and socket live in a folder of its own (``mkdtemp``), it listens on no
TCP port (``listen_addresses=''``) and its shared memory is keyed by its data
folder, so two clusters never meet. The test files that use it put their tests
in the ``postgres`` xdist group (``--dist loadgroup``): one worker runs them
all, and only one cluster is started.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_owner(cmd: list[str], user: str | None) -> list[str]:
    # PostgreSQL refuses to run as root: run it as the 'postgres' user then.
    return ["runuser", "-u", user, "--", *cmd] if user else cmd


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str | None]:
    """A cluster in a temporary folder for as long as the block runs: its URL,
    or None when PostgreSQL is not installed (``bench/`` uses this too)."""
    bins = _bin_dir()
    if bins is None:
        yield None
        return
    user = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="oncall-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if user:
        shutil.chown(root, user)
        shutil.chown(sock, user)
    subprocess.run(
        _as_owner(
            [
                str(bins / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "oncall",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            user,
        ),
        check=True,
        capture_output=True,
    )
    options = f"-k {sock} -c listen_addresses='' -c fsync=off"
    subprocess.run(
        _as_owner(
            [
                str(bins / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-t",
                "300",  # waits until it accepts connections; the bound is a hang guard only
                "-l",
                str(root / "log"),
                "start",
            ],
            user,
        ),
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            _as_owner([str(bins / "createdb"), "-h", str(sock), "-U", "oncall", "oncall"], user),
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://oncall@/oncall?host={sock}"
    finally:
        subprocess.run(
            # -w: returns once the server is gone (no sleep before removing its files)
            _as_owner(
                [
                    str(bins / "pg_ctl"),
                    "-D",
                    str(data),
                    "-m",
                    "immediate",
                    "-w",
                    "-t",
                    "300",
                    "stop",
                ],
                user,
            ),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url():
    url = os.environ.get("ONCALL_TEST_PG_URL")
    if url:
        yield url
        return
    with throwaway_cluster() as url:
        if url is None:
            pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
        yield url


class _Databases:
    """Makes and drops databases on the cluster (names unique per call)."""

    def __init__(self, url: str) -> None:
        self.base = make_url(url)
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")

    def create(self, prefix: str, template: str | None = None) -> tuple[str, str]:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        like = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{like}'))
        return name, self.base.set(database=name).render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def _pg_databases(pg_url):
    databases = _Databases(pg_url)
    yield databases
    databases.admin.dispose()


@pytest.fixture(scope="session")
def _pg_head_template(_pg_databases):
    """A database at head, migrated once; the template of ``pg_head_db``."""
    from oncall.store import upgrade

    name, url = _pg_databases.create("oncall_template")
    upgrade(url)  # disposes its engine: a template must have no connections
    yield name
    _pg_databases.drop(name)


@pytest.fixture
def pg_db(_pg_databases):
    """A fresh, empty database on the cluster (no schema); its URL."""
    name, url = _pg_databases.create("oncall_test")
    yield url
    _pg_databases.drop(name)


@pytest.fixture
def pg_head_db(_pg_databases, _pg_head_template):
    """A fresh database at the schema's head; its URL."""
    name, url = _pg_databases.create("oncall_test", template=_pg_head_template)
    yield url
    _pg_databases.drop(name)

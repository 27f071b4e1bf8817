"""A throwaway PostgreSQL cluster for the tests that need one.

``pg_url`` gives a SQLAlchemy URL: ``$ONCALL_TEST_PG_URL`` when set, else a
cluster made with Debian's ``initdb`` in a temporary folder, listening on a Unix
socket only, removed at the end of the session. Without PostgreSQL installed
the tests that use it are skipped (``.ci/run`` installs it, so CI runs them).

``pg_db`` is a new, empty database on it for one test (dropped afterwards);
``pg_head_db`` one already at the schema's head, cloned from a template made
once per session (``CREATE DATABASE ... TEMPLATE``), so no test migrates but
the one about migrating.

Under pytest-xdist the workers share one cluster, started by the first worker
that needs it (``shared_cluster``: a file lock in the run's base temp folder,
which the workers wait on) and stopped by the controller at the end. Each test
has databases of its own on it (unique names), so PostgreSQL tests run on any
worker, in parallel, like the others. The cluster listens on no TCP port
(``listen_addresses=''``), only on a socket in its own folder (``mkdtemp``).
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
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


@dataclass(frozen=True)
class Cluster:
    """A running throwaway cluster: its URL, and what stopping it needs."""

    url: str
    root: str  # its folder: data, socket and log
    bins: str
    user: str | None  # the OS user it runs as ('postgres' when we are root)


def start_cluster() -> Cluster | None:
    """Make and start a cluster in a temporary folder (None: PostgreSQL is not installed)."""
    bins = _bin_dir()
    if bins is None:
        return None
    user = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="oncall-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if user:
        shutil.chown(root, user)
        shutil.chown(sock, user)
    url = f"postgresql+psycopg://oncall@/oncall?host={sock}"
    cluster = Cluster(url, str(root), str(bins), user)
    try:
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
        subprocess.run(
            _as_owner([str(bins / "createdb"), "-h", str(sock), "-U", "oncall", "oncall"], user),
            check=True,
            capture_output=True,
        )
    except BaseException:
        stop_cluster(cluster)
        raise
    return cluster


def stop_cluster(cluster: Cluster) -> None:
    """Stop it (if it runs) and remove its folder."""
    subprocess.run(
        # -w: returns once the server is gone (no sleep before removing its files)
        _as_owner(
            [
                str(Path(cluster.bins) / "pg_ctl"),
                "-D",
                str(Path(cluster.root) / "data"),
                "-m",
                "immediate",
                "-w",
                "-t",
                "300",
                "stop",
            ],
            cluster.user,
        ),
        capture_output=True,
    )
    shutil.rmtree(cluster.root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str | None]:
    """A cluster in a temporary folder for as long as the block runs: its URL,
    or None when PostgreSQL is not installed (``bench/`` uses this too)."""
    cluster = start_cluster()
    if cluster is None:
        yield None
        return
    try:
        yield cluster.url
    finally:
        stop_cluster(cluster)


# -- one cluster per run, shared by the xdist workers -------------------------------------------

_SHARED = "oncall-pg-cluster.json"  # in the run's base temp folder, which the workers share


def _run_folder(config: pytest.Config) -> Path:
    """The base temp folder of the whole run: the controller's (each worker's is inside it)."""
    base = config._tmp_path_factory.getbasetemp()  # the factory behind tmp_path_factory
    return base.parent if hasattr(config, "workerinput") else base


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``path``: a second worker waits on it, it does not poll."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared_cluster(folder: Path) -> Cluster | None:
    """The run's cluster: the first worker that asks starts it (under a file lock) and
    writes where it is in ``folder``; the others find it there. The controller (or a
    run without workers) stops it at the end: ``pytest_unconfigure``."""
    info = folder / _SHARED
    with _locked(folder / (_SHARED + ".lock")):
        if info.exists():
            found = json.loads(info.read_text())
            return Cluster(**found) if found else None
        cluster = start_cluster()
        info.write_text(json.dumps(asdict(cluster) if cluster else None))
        return cluster


def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # a worker: the controller outlives it
        return
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is None or factory._basetemp is None:  # no temp folder made: nothing started
        return
    info = factory.getbasetemp() / _SHARED
    if info.exists():
        found = json.loads(info.read_text())
        if found:
            stop_cluster(Cluster(**found))
        info.unlink()


@pytest.fixture(scope="session")
def pg_url(request):
    """The cluster's URL: ``$ONCALL_TEST_PG_URL``, else the run's throwaway cluster.

    Under pytest-xdist all workers use the one cluster (each test makes its own
    databases on it, under unique names), so the PostgreSQL tests spread over the
    workers like any other test and ``initdb`` runs once."""
    url = os.environ.get("ONCALL_TEST_PG_URL")
    if url:
        return url
    cluster = shared_cluster(_run_folder(request.config))
    if cluster is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    return cluster.url


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

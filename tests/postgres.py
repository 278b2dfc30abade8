"""A real PostgreSQL server for tests marked ``postgres`` (loaded by conftest.py).

One throw-away cluster per test session, started on first use from the server binaries
Debian installs (``/usr/lib/postgresql/<version>/bin``): loopback TCP on a free port, a private
socket directory, trust authentication, and durability off (``fsync`` and friends: nothing
here must survive a crash). ``postgres_url()`` creates a new, empty database from
``template0`` per call, so tests never see each other's rows. The cluster is stopped and its
directory removed at the end of the session, whatever the tests did.

Without the binaries (or the psycopg driver) the tests are skipped with the reason, unless
``RETURNSDESK_REQUIRE_POSTGRES=1`` (set by .ci/run), which turns that into a failure.
Postgres refuses to run as root, so as root the server runs as the ``postgres`` system user.
A test that stops or restarts the server (``PostgresCluster.stop``, ``start_server``,
``restart``) takes ``private_postgres_cluster``, a cluster of its own.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from returnsdesk.config import load_settings
from returnsdesk.data.db import make_engine
from returnsdesk.services.bootstrap import StationEnvironment, open_environment

BINARIES = "/usr/lib/postgresql/*/bin"
SERVER_USER = "postgres"  # the system user Debian's package creates
# UTF-8 without a locale: the same text functions (lower(), sorting) on every machine.
INITDB_OPTIONS = ("-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
SPEED_OVER_SAFETY = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
# A server stopped as a crash must keep what it acknowledged: commits wait for the WAL write
# (no fsync still: the operating system, which keeps running, holds the written pages).
CRASH_SAFE = ("fsync=off",)

DatabaseFactory = Callable[[], str]


def _unavailable(reason: str) -> pytest.OutcomeException:
    if os.environ.get("RETURNSDESK_REQUIRE_POSTGRES") == "1":
        return pytest.fail.Exception(f"{reason} (RETURNSDESK_REQUIRE_POSTGRES=1)", pytrace=False)
    return pytest.skip.Exception(f"{reason}; install Debian's postgresql package to run these")


def _server_binaries() -> Path | None:
    """The newest installed server's bin directory holding ``pg_ctl``, if any."""
    found = [Path(p) for p in glob.glob(BINARIES) if (Path(p) / "pg_ctl").is_file()]
    return max(found, key=lambda p: int(p.parent.name)) if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PostgresCluster:
    bin_dir: Path
    root: Path  # holds data/ and the socket directory
    port: int
    as_user: list[str]  # ["runuser", "-u", "postgres", "--"] as root, else []
    settings: tuple[str, ...] = SPEED_OVER_SAFETY

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, tool: str, *args: str) -> None:
        command = [*self.as_user, str(self.bin_dir / tool), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), *INITDB_OPTIONS)
        self.start_server()

    def start_server(self) -> None:
        """Start the server of an initialised cluster (again, after ``stop``) and wait for it."""
        options = [
            f"-c listen_addresses=127.0.0.1 -c port={self.port}",
            f"-c unix_socket_directories={self.root / 'socket'}",
            *(f"-c {setting}" for setting in self.settings),
        ]
        log = str(self.root / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-w", "-o", " ".join(options), "start")

    def stop(self) -> None:
        """Stop the server as a crash would (no checkpoint, clients cut off mid-transaction)."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start_server()

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    with _cluster() as cluster:
        yield cluster


@pytest.fixture
def private_postgres_cluster() -> Iterator[PostgresCluster]:
    """A cluster of the test's own, for a test that stops or restarts the server (about 2 s);
    it keeps every commit it acknowledged through a crash-like stop."""
    with _cluster(CRASH_SAFE) as cluster:
        yield cluster


@pytest.fixture
def postgres_demo_env(
    private_postgres_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StationEnvironment]:
    """A demo station on a PostgreSQL server of the test's own, which the test may stop and
    restart (``private_postgres_cluster``)."""
    # The printable barcode sheet: about 1 s, and tests/services/test_demo.py covers it.
    monkeypatch.setattr(
        "returnsdesk.services.demo_sheet.write_demo_sheet", lambda _summary, path: path
    )
    settings = load_settings(
        environ={}, overrides={"database.url": private_postgres_cluster.url("postgres")}
    )
    environment = open_environment(settings, demo=True)
    yield environment
    environment.database.dispose()


@contextmanager
def _cluster(settings: tuple[str, ...] = SPEED_OVER_SAFETY) -> Iterator[PostgresCluster]:
    bin_dir = _server_binaries()
    if bin_dir is None:
        raise _unavailable(f"No PostgreSQL server binaries in {BINARIES}")
    try:
        import psycopg  # noqa: F401 - only checks the driver is installed
    except ImportError:
        raise _unavailable("The psycopg driver is not installed (.[dev])") from None
    as_root = os.geteuid() == 0
    # Not under pytest's temp dir: that is private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="returnsdesk-pg-"))
    (root / "socket").mkdir()
    if as_root:
        user = pwd.getpwnam(SERVER_USER)
        for path in (root, root / "socket"):
            os.chown(path, user.pw_uid, user.pw_gid)
    cluster = PostgresCluster(
        bin_dir,
        root,
        _free_port(),
        ["runuser", "-u", SERVER_USER, "--"] if as_root else [],
        settings,
    )
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[DatabaseFactory]:
    """Call it for the URL of a new, empty database on the session's PostgreSQL server."""
    admin = make_engine(postgres_cluster.url("postgres")).execution_options(
        isolation_level="AUTOCOMMIT"
    )

    def new_database() -> str:
        name = f"returnsdesk_{next(_numbers)}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE template0")
        return postgres_cluster.url(name)

    yield new_database
    admin.engine.dispose()


_numbers = itertools.count(1)

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def url_on_each_backend(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database on SQLite, then on PostgreSQL: override ``database_url`` with it to run
    a module's tests on both (the PostgreSQL server starts only when a test asks for it)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'station.sqlite3'}"
    factory: DatabaseFactory = request.getfixturevalue("postgres_url")
    return factory()

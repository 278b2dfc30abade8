"""Shared fixtures. Qt runs offscreen; no test reads or writes the real user's files."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from returnsdesk.config import load_settings
from returnsdesk.log import tail_handler
from returnsdesk.services.bootstrap import StationEnvironment, open_environment

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["postgres"]  # the postgres_url fixture and the postgres marker's server


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-ahead",
        type=float,
        default=0.0,
        metavar="YEARS",
        help="run every test with the machine's clock moved YEARS ahead (still ticking), to "
        "prove no test depends on today's date; CI runs the suite once so",
    )
    parser.addoption(
        "--many-stations-returns",
        type=int,
        default=None,
        metavar="N",
        help="returns worked by the station processes of tests/services/test_many_stations.py"
        " (default: sized for CI on 2 CPUs; 1000 is a warehouse shift)",
    )


def pytest_configure(config: pytest.Config) -> None:
    years: float = config.getoption("--clock-ahead")
    if years:
        # The PostgreSQL server keeps the machine's clock: nothing asks it the time.
        offset = timedelta(days=365.25 * years)
        config.stash[_CLOCK_TRAVEL] = traveller = time_machine.travel(
            datetime.now(UTC) + offset, tick=True
        )
        traveller.start()
        if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
            # The pytest-xdist controller: its workers run the tests and move their own
            # clocks here (moved at start by sitecustomize, they would import time_machine
            # before pytest could rewrite it: a warning, so an error).
            return
        # And in every Python process the tests start (relays, the reference shop):
        # tests/clock_ahead/sitecustomize.py moves theirs by the same offset.
        os.environ["CLOCK_AHEAD_OFFSET_S"] = str(offset.total_seconds())
        os.environ["CLOCK_AHEAD_SITE"] = str(Path(time_machine.__file__).parents[1])
        os.environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(Path(__file__).parent / "clock_ahead"), os.environ.get("PYTHONPATH")])
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_CLOCK_TRAVEL, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    if config.stash.get(_CLOCK_TRAVEL, None) is None:
        return None
    return f"clock moved ahead: the tests run at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"


_CLOCK_TRAVEL = pytest.StashKey[time_machine.travel]()


@pytest.fixture(autouse=True)
def _private_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """platformdirs honours the XDG variables: point data, config and logs at a temp folder."""
    home = tmp_path_factory.mktemp("home")
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(variable, str(home / variable.lower()))
    monkeypatch.setenv("RETURNSDESK_SYSTEM_CONFIG", "")
    monkeypatch.setenv("RETURNSDESK_USER_CONFIG", "")
    # No test reads or writes the real OS keyring: the audit key goes to the key file in the
    # temporary config dir above (data/audit_key.py), as on a headless station.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("RETURNSDESK_AUDIT_KEY_FILE", raising=False)


# Threads the station starts (src/ names them: the outbox relay, its parallel workers and the
# pull "returnsdesk-...", the label printer's worker, the camera's capture) and relays the tests
# run on threads of their own (named "relay-...").
_STATION_THREADS = ("returnsdesk-", "relay", "print-worker", "camera-")


@pytest.fixture(autouse=True)
def _no_station_thread_left() -> Iterator[None]:
    """A station thread a test started has ended when the test ends (its window closed, its
    relay stopped and joined): one left running keeps working on a database the test has
    disposed of, against a shop that is gone, and logs into later tests."""
    before = set(threading.enumerate())
    yield
    left = [
        thread.name
        for thread in threading.enumerate()
        if thread not in before and thread.name.startswith(_STATION_THREADS)
    ]
    if left:
        pytest.fail(f"threads left running after the test: {', '.join(sorted(left))}")


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    """Every test leaves the root logger as pytest set it, and closes the files it opened.

    ``main`` of a command sets up logging: a console handler on the ``sys.stderr`` of that
    moment (capsys's, closed when the test ends) and the level INFO. Left in place, every INFO
    record of a later test failed on the closed stream ("--- Logging error --- ... I/O
    operation on closed file"), shown in the suite's output whenever a relay thread logged
    while pytest's capture was paused between phases."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            if handler is not tail_handler():
                handler.close()
    root.setLevel(level)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'station.sqlite3'}"


@pytest.fixture
def demo_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[StationEnvironment]:
    """A demo station database on a fresh SQLite file (tests/qt has its own, with settings)."""
    # The printable barcode sheet takes about 1 s per database; tests/services/test_demo.py
    # covers it, nothing else reads it.
    monkeypatch.setattr(
        "returnsdesk.services.demo_sheet.write_demo_sheet", lambda _summary, path: path
    )
    settings = load_settings(environ={}, overrides={"database.url": database_url})
    env = open_environment(settings, demo=True)
    yield env
    env.database.dispose()


@pytest.fixture
def no_sound_player(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never spawn audio players; the cue played is still recorded."""
    monkeypatch.setattr("shutil.which", lambda _name: None)
    yield


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A photo root on a 64 KiB tmpfs: a really full disk after the first few writes.

    Mounting needs root. Elsewhere, writes fail with ENOSPC after a first chunk lands, as on
    a full disk, so the partial file still has to be cleaned up.
    """
    root = tmp_path / "tiny-disk"
    root.mkdir()
    mount = shutil.which("mount")
    mounted = (
        mount is not None
        and subprocess.run(
            [mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(root)], capture_output=True
        ).returncode
        == 0
    )
    if mounted:
        try:
            yield root
        finally:
            subprocess.run(["umount", str(root)], check=True)
        return
    real_write = os.write
    written: set[int] = set()

    def write_until_full(descriptor: int, data: bytes) -> int:
        if descriptor in written:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.add(descriptor)
        return real_write(descriptor, data[:4096])

    monkeypatch.setattr(os, "write", write_until_full)
    yield root

"""Fixtures of the relay and sync tests (sync/, messages/ and the rest of services/): a
station database on a fast disk and the fake shop on real loopback HTTP."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema

# The sync tests' fake shop (tests/services/sync/fake_shop.py) serves every test here.
sys.path.insert(0, str(Path(__file__).resolve().parent / "sync"))

from fake_shop import FakeShop  # noqa: E402 - found through the line above


@pytest.fixture
def fast_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder for SQLite files, on tmpfs where there is one.

    A durable commit costs 2-6 ms on this disk and the relay makes one per call; the
    properties under test are about keys and order, not disks (SIGKILL loses nothing that
    fsync would have kept, see FIELD-NOTES).
    """
    shm = Path("/dev/shm")
    if not (shm.is_dir() and shutil.disk_usage(shm).free > 256 * 2**20):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="returnsdesk-sync-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def database(fast_dir: Path) -> Iterator[Database]:
    """An empty station database (the schema at head), ``station.sqlite3`` in ``fast_dir``."""
    database = Database(make_engine(f"sqlite:///{fast_dir / 'station.sqlite3'}"))
    ensure_schema(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def shop() -> Iterator[FakeShop]:
    """The fake shop, serving the sync contract on loopback until the test ends."""
    with FakeShop() as running:
        yield running

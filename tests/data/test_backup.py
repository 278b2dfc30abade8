"""A copy of the SQLite database before a new build migrates it."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
import types
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, text

from returnsdesk.data import migrations
from returnsdesk.data.backup import backup_before_upgrade, backup_path, list_backups
from returnsdesk.data.db import make_engine
from returnsdesk.data.migrations import current_revision, ensure_schema, head_revision

FIRST = "0001"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "returnsdesk.sqlite3"


@pytest.fixture
def engine(path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _migrate_to(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@pytest.fixture
def old_station(engine: Engine) -> Engine:
    """A station database written by the first release: schema 0001 with a row in it."""
    _migrate_to(engine, FIRST)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO stations (id, code, name, created_at) "
                "VALUES (:id, 'S1', 'Station 1', '2026-01-01 00:00:00.000000')"
            ),
            {"id": "0" * 32},
        )
    return engine


def _read(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def test_database_behind_head_is_copied_then_upgraded(old_station: Engine, path: Path) -> None:
    # Given a database at schema 0001, this build at a newer head
    assert head_revision() != FIRST
    # When the station starts: backup first, then the migration
    backup = backup_before_upgrade(old_station)
    ensure_schema(old_station)
    # Then the copy sits beside the database, named after the old revision, with the old data
    assert backup is not None
    assert backup.parent == path.parent
    assert backup.name.startswith(f"returnsdesk.before-{FIRST}-")
    assert backup.suffix == ".sqlite3"
    assert _read(backup, "SELECT version_num FROM alembic_version") == [(FIRST,)]
    assert _read(backup, "SELECT code FROM stations") == [("S1",)]
    assert _read(backup, "PRAGMA integrity_check") == [("ok",)]
    # and the database itself moved on to head, keeping its data
    assert current_revision(old_station) == head_revision()
    assert _read(path, "SELECT code FROM stations") == [("S1",)]


def test_copy_is_one_self_contained_file(old_station: Engine, path: Path) -> None:
    backup = backup_before_upgrade(old_station)
    assert backup is not None
    # No -wal file to carry along: the copy is in rollback-journal mode.
    assert _read(backup, "PRAGMA journal_mode") == [("delete",)]
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(backup.stem)) == [
        backup.name
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_copy_is_readable_by_its_owner_only(old_station: Engine) -> None:
    old = os.umask(0o002)  # a permissive umask must not leak into the copy
    try:
        backup = backup_before_upgrade(old_station)
    finally:
        os.umask(old)
    assert backup is not None
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_nothing_to_copy_at_head(engine: Engine, path: Path) -> None:
    ensure_schema(engine)
    assert backup_before_upgrade(engine) is None
    assert list_backups(path) == []


def test_nothing_to_copy_for_a_new_empty_database(engine: Engine, path: Path) -> None:
    assert backup_before_upgrade(engine) is None  # make_engine created the empty file
    assert list_backups(path) == []


def test_nothing_to_copy_in_memory() -> None:
    engine = make_engine("sqlite://")
    try:
        assert backup_before_upgrade(engine) is None
    finally:
        engine.dispose()


def test_nothing_to_copy_for_a_database_from_a_newer_build(engine: Engine, path: Path) -> None:
    # ensure_schema refuses such a database, so nothing will be migrated
    ensure_schema(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    assert backup_before_upgrade(engine) is None
    assert list_backups(path) == []


def test_postgresql_is_left_to_pg_dump() -> None:
    # No server is contacted: the URL alone decides (a stand-in DB-API module, no driver).
    fake_driver = types.SimpleNamespace(__version__="1.31.0", paramstyle="format")
    engine = create_engine("postgresql+pg8000://rd:pw@127.0.0.1:1/returns", module=fake_driver)
    assert backup_before_upgrade(engine) is None


def test_only_the_newest_copies_are_kept(old_station: Engine, path: Path) -> None:
    # Given six copies from earlier upgrades, and a copy of another database beside it
    start = datetime(2026, 1, 1, tzinfo=UTC)
    earlier = [backup_path(path, FIRST, start + timedelta(days=n)) for n in range(6)]
    for copy in earlier:
        copy.write_bytes(b"old copy")
    other = backup_path(path.with_name("other.sqlite3"), FIRST, start)
    other.write_bytes(b"another database's copy")
    # When this upgrade makes its copy with keep=5
    newest = backup_before_upgrade(old_station, keep=5)
    # Then the five newest remain: four earlier ones and the new one
    assert list_backups(path) == [*earlier[2:], newest]
    assert other.exists()


def test_keep_must_be_positive(old_station: Engine) -> None:
    with pytest.raises(ValueError, match="keep"):
        backup_before_upgrade(old_station, keep=0)

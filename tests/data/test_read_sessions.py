"""Read sessions: a snapshot that never takes (or waits for) the write lock, and refuses writes."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from postgres import DatabaseFactory
from returnsdesk.data.db import Database, ReadOnlySession, make_engine
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.models import Station


@pytest.fixture
def writer_holding_the_lock(database: Database, database_url: str) -> Iterator[None]:
    """Station S1 committed, and another connection in the middle of a write transaction."""
    with database.session() as session:
        session.add(Station(code="S1", name="Station 1"))
    other = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE stations SET name = 'Not yet committed'")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_read_session_reads_while_another_connection_holds_the_write_lock(
    database: Database, writer_holding_the_lock: None
) -> None:
    # Given another connection writing (holding the write lock)
    # When a read session reads
    started = time.monotonic()
    with database.read() as session:
        names = session.exec(select(Station.name)).all()
    # Then it reads at once (a write session would wait up to the 10 s busy timeout), and sees
    # only what was committed
    assert time.monotonic() - started < 2
    assert names == ["Station 1"]


def test_a_write_in_a_read_session_fails_loudly(database: Database) -> None:
    with database.session() as session:
        session.add(Station(code="S1", name="Station 1"))
    with pytest.raises(ReadOnlySession), database.read() as session:
        session.add(Station(code="S2", name="Station 2"))
    with pytest.raises(DBAPIError, match="readonly"), database.read() as session:
        session.execute(text("UPDATE stations SET name = 'renamed'"))
    with database.read() as session:
        assert session.exec(select(Station.name)).all() == ["Station 1"]


def test_the_connection_a_read_used_goes_back_to_the_pool_writable(database: Database) -> None:
    for code in ("A", "B"):
        with database.read() as session:
            session.exec(select(Station)).all()
        with database.session() as session:
            session.add(Station(code=code, name=code))
    # One connection served every session, one after another; it is writable again.
    assert database.engine.pool.checkedin() == 1
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA query_only").scalar() == 0
    with database.read() as session:
        assert sorted(session.exec(select(Station.code)).all()) == ["A", "B"]


def test_in_memory_database_reads_and_writes_on_its_one_connection() -> None:
    database = Database(make_engine("sqlite://"))
    ensure_schema(database.engine)
    with pytest.raises(ReadOnlySession), database.read() as session:
        session.add(Station(code="S2", name="Station 2"))
    with database.session() as session:
        session.add(Station(code="S1", name="Station 1"))
    with database.read() as session:
        assert session.exec(select(Station.code)).all() == ["S1"]
    database.dispose()


@pytest.mark.postgres
def test_a_read_session_on_postgresql_is_read_only(postgres_url: DatabaseFactory) -> None:
    database = Database(make_engine(postgres_url()))
    ensure_schema(database.engine)
    with database.session() as session:
        session.add(Station(code="S1", name="Station 1"))
    with database.read() as session:
        assert session.exec(select(Station.code)).all() == ["S1"]
        assert session.execute(text("SHOW transaction_read_only")).scalar() == "on"
    with pytest.raises(DBAPIError, match="read-only"), database.read() as session:
        session.execute(text("UPDATE stations SET name = 'renamed'"))
    # The pooled connection is writable again for the next write session.
    with database.session() as session:
        assert session.execute(text("SHOW transaction_read_only")).scalar() == "off"
        session.add(Station(code="S2", name="Station 2"))
    database.dispose()

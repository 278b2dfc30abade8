"""A read-only snapshot of the database for one report.

The station's engine starts every transaction with ``BEGIN IMMEDIATE`` (the write lock), which a
report that reads for seconds must not take: stations would wait on it. Reports read through a
second engine whose SQLite transactions start with a plain ``BEGIN`` (in WAL mode a snapshot that
never blocks writers) on connections set ``query_only``; on PostgreSQL a ``REPEATABLE READ``
read-only transaction gives the same single snapshot, so every table in a report agrees.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import NullPool

from returnsdesk.data.db import Database


@contextmanager
def snapshot(database: Database) -> Iterator[Connection]:
    """One read-only transaction over the whole report."""
    url = database.engine.url
    if url.get_backend_name() != "sqlite":
        with database.engine.connect() as connection:
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with connection.begin():
                yield connection
        return
    if url.database in (None, "", ":memory:"):
        # One shared in-memory connection (tests): nothing else can write meanwhile.
        with database.engine.connect() as connection, connection.begin():
            yield connection
        return
    engine = _reading_engine(database.engine)
    try:
        with engine.connect() as connection, connection.begin():
            yield connection
    finally:
        engine.dispose()


# Reports read most of a large file at random (index lookups per joined row): a bigger page
# cache and memory-mapped reads cut that 2-3x against SQLite's 2 MiB default (measured with
# bench/bench_reports.py); sorts for GROUP BY and window functions stay in memory.
_READER_PRAGMAS = (
    "PRAGMA busy_timeout=10000",
    "PRAGMA query_only=ON",
    "PRAGMA cache_size=-262144",  # KiB: 256 MiB at most, only as pages are read
    "PRAGMA mmap_size=4294967296",
    "PRAGMA temp_store=MEMORY",
)


def _reading_engine(station_engine: Engine) -> Engine:
    engine = create_engine(station_engine.url, poolclass=NullPool)
    event.listen(engine, "connect", _configure_reader)
    event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    return engine


def _configure_reader(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # our BEGIN, not sqlite3's lazy one
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _READER_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()

"""A read-only snapshot of the database for one report, and SQL that runs on SQLite and PostgreSQL.

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

from sqlalchemy import Connection, Engine, Float, create_engine, event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.functions import FunctionElement

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


def _reading_engine(station_engine: Engine) -> Engine:
    engine = create_engine(station_engine.url, poolclass=NullPool)
    event.listen(engine, "connect", _configure_reader)
    event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    return engine


def _configure_reader(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # our BEGIN, not sqlite3's lazy one
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA query_only=ON")
    finally:
        cursor.close()


class seconds_between(FunctionElement[float]):  # noqa: N801 - reads as a SQL function
    """``end - start`` in seconds, as a float, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True

    def __init__(self, start: Any, end: Any) -> None:
        super().__init__(start, end)


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between)
def _seconds_default(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"

"""Engines and sessions.

Design: one ``Database`` per process holds the engine and a session factory. Every user action
is one unit of work::

    database = Database(make_engine(default_database_url()))
    ensure_schema(database.engine)  # returnsdesk.data.migrations
    with database.session() as session:
        ...  # repository and service calls; committed on success, rolled back on any exception
    with database.read() as session:
        ...  # queries only: a snapshot that never takes the write lock

Sessions never outlive the ``with`` block and never cross threads; code inside the block never
calls ``commit()`` itself. The commit numbers the transaction's outbox events and appends its
audit entries (``repositories._number_appends``, a ``before_commit`` hook on every session).
``expire_on_commit=False`` keeps loaded attributes after the commit, so objects returned from
the block are detached plain data the GUI can read without touching the database.

SQLite (the default, one file per station) is set up for durability and serialised writes: WAL,
``synchronous=FULL``, a 10 s busy timeout, foreign keys on, and every transaction starts with
``BEGIN IMMEDIATE``. Python's sqlite3 module otherwise begins transactions lazily at the first
write, so two read-then-write transactions can both read the old value and one update is lost
without any error (measured: 750 of 1,000 lost); taking the write lock at BEGIN makes the second
writer wait for the first. PostgreSQL gets a plain pooled engine (see below on dead connections).

Read sessions (``database.read()``) are for work that only reads: polls, lists, search, history.
On SQLite they begin with a deferred ``BEGIN``, which in WAL mode reads one consistent snapshot
and neither takes nor waits for the write lock, so a station's poll never queues behind a
completion (or a relay) that is writing. Their connection is ``query_only`` for that transaction
and set back before it returns to the pool. On PostgreSQL they are ``READ ONLY`` transactions.
A write in a read session raises ``ReadOnlySession`` at flush, on either database.

A database server that goes away (PostgreSQL restarting or stopped, the network cut) surfaces
from either kind of session as ``DatabaseUnavailable``, an operator error saying so, instead of
the driver's exception: the transaction is gone whole (the server rolls back what it had not
committed), so the station keeps the work on screen and tries the same call again. A pooled
connection is checked at each checkout without a round trip (``_drop_if_hung_up``): a server
that stopped or restarted has closed it, so its socket reads as ready; it is replaced, and the
first call after the server is back gets a fresh one. (SQLAlchemy's ``pool_pre_ping`` sends a
statement instead: a round trip on every transaction, 0.15 ms of a 2 ms parcel scan.)
"""

from __future__ import annotations

import os
import select
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection, StaticPool
from sqlmodel import Session

from returnsdesk.domain.errors import DatabaseUnavailable

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
)


# Set on the read engine's connections; the "begin" listener starts them deferred, query_only.
_READ_ONLY = "returnsdesk_read_only"


class ReadOnlySession(RuntimeError):
    """A bug: something tried to write in a read session (use ``Database.session()``)."""


class Database:
    """The engine plus session factories: ``with database.session() as s`` is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, class_=Session, expire_on_commit=False)
        read_options: dict[str, Any] = {_READ_ONLY: True}
        if engine.dialect.name == "postgresql":
            read_options["postgresql_readonly"] = True  # reset when the connection is returned
        self._reads = sessionmaker(
            engine.execution_options(**read_options), class_=Session, expire_on_commit=False
        )
        event.listen(self._reads, "before_flush", _refuse_writes)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed if the block succeeds, else rolled back."""
        with _unavailable_server_said(self.engine), self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session in one transaction (a snapshot) that never takes the write lock."""
        with _unavailable_server_said(self.engine), self._reads() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close pooled connections (at shutdown, or before deleting the database file)."""
        self.engine.dispose()


@contextmanager
def _unavailable_server_said(engine: Engine) -> Iterator[None]:
    """A lost or refused connection to a database server as ``DatabaseUnavailable``."""
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        if engine.dialect.name == "sqlite" or not _is_disconnect(exc):
            raise  # SQLite's file errors, deadlocks, timeouts: not a server gone away
        first_line = str(exc.orig).strip().splitlines()[0][:200] if exc.orig else ""
        raise DatabaseUnavailable(
            f"Database unavailable ({first_line}). Nothing of this step was saved; the"
            " inspection stays on screen. Retrying: try the same step again in a moment."
        ) from exc


def _is_disconnect(exc: DBAPIError) -> bool:
    # Set by SQLAlchemy when the dialect recognises a lost connection mid-use; a refused new
    # connection (the server down) fails in connect, before any statement.
    return exc.connection_invalidated or exc.statement is None


def make_engine(url: str) -> Engine:
    """An engine for a SQLite or PostgreSQL URL, configured as described in the module docstring."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        server_engine = create_engine(parsed)
        event.listen(server_engine, "checkout", _drop_if_hung_up)
        return server_engine
    if parsed.database in (None, "", ":memory:"):
        # Each new connection to ":memory:" would be a new, empty database: share one. One
        # connection means one transaction at a time, so this is for single-threaded tests.
        engine = create_engine(
            parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        _create_private_file(Path(parsed.database).absolute())
        engine = create_engine(parsed)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin)
    event.listen(engine, "checkin", _end_query_only)
    return engine


def _drop_if_hung_up(
    dbapi_connection: Any, _record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
) -> None:
    """Refuse a pooled connection the server has hung up on; the pool then opens a new one.

    An idle connection has nothing to read: the server speaks only when asked. A socket that
    reads as ready holds the server's goodbye (a shutdown, restart or terminated backend sends
    an error and closes it) or its end of file. The rare harmless message an idle connection
    can get (a notice) costs a reconnect, never an error."""
    if dbapi_connection.closed:
        raise DisconnectionError("the connection was closed")
    if _readable(dbapi_connection.fileno()):
        raise DisconnectionError("the database server closed the connection")


def _readable(fd: int) -> bool:
    """Whether the socket has something to read now (never waits)."""
    if hasattr(select, "poll"):  # any descriptor number (select() stops at 1024)
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))
    ready, _, _ = select.select([fd], [], [], 0)  # Windows: sockets only, which this is
    return bool(ready)


def default_database_url() -> str:
    """The station's database: a SQLite file in the user data directory."""
    return _user_data_sqlite_url("returnsdesk.sqlite3")


def demo_database_url() -> str:
    """A separate SQLite file for the demo data set, so demos never touch real returns."""
    return _user_data_sqlite_url("returnsdesk-demo.sqlite3")


def _user_data_sqlite_url(filename: str) -> str:
    path = Path(platformdirs.user_data_dir("returnsdesk", "returnsdesk")) / filename
    return URL.create("sqlite", database=str(path)).render_as_string()


def _create_private_file(path: Path) -> None:
    """Create the database file readable by its owner only (it holds customer names and emails).

    sqlite3 would create it with the umask's mode, often world-readable; SQLite gives its -wal
    and -shm files the database file's mode, so they follow.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # never truncates an existing file
    path.chmod(0o600)  # an existing file keeps its old mode through os.open


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Stop sqlite3 from issuing its own (deferred, lazily placed) BEGIN; _begin_immediate does it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _begin(connection: Connection) -> None:
    if connection.get_execution_options().get(_READ_ONLY):
        # A snapshot: deferred, so it neither takes nor waits for the write lock (WAL).
        _query_only(connection.connection.dbapi_connection, on=True)
        connection.connection.info[_READ_ONLY] = True
        connection.exec_driver_sql("BEGIN")
    else:
        # Take the write lock up front: a transaction that reads then writes cannot be overtaken.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _end_query_only(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    # Back in the pool (the transaction has ended): the next user may be a writer.
    if record.info.pop(_READ_ONLY, False):
        _query_only(dbapi_connection, on=False)


def _query_only(dbapi_connection: Any, *, on: bool) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA query_only={'ON' if on else 'OFF'}")
    finally:
        cursor.close()


def _refuse_writes(session: OrmSession, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySession("A read session cannot write; use Database.session().")

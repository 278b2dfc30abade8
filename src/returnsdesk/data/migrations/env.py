"""Alembic environment for returnsdesk.

The application migrates through ``returnsdesk.data.migrations`` (``ensure_schema``), which
configures Alembic in code and hands its connection over in ``config.attributes["connection"]``;
no alembic.ini is read at runtime.

Developers use the Alembic command line from the repository top, where ``alembic.ini`` points
here. The database is ``RETURNSDESK_DATABASE_URL`` if set, else a scratch SQLite file
(``returnsdesk-alembic.sqlite3`` in the temp directory) that persists between commands::

    .venv/bin/alembic upgrade head    # bring the scratch database to the current head
    .venv/bin/alembic revision --autogenerate --rev-id 0002 -m "add serial blocklist"

Generated scripts are formatted and lint-fixed with ruff (see ``alembic.ini``); review them
before committing (renames come out as drop + add, and data migrations are never generated).
Custom column types render as ``returnsdesk.data.types.X()`` and SQLModel's ``AutoString`` as
plain ``sa.String``, so migrations depend on neither SQLModel internals nor live model code.
"""

from __future__ import annotations

import logging.config
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlmodel import AutoString, SQLModel

import returnsdesk.data.models  # noqa: F401  (defines the tables on SQLModel.metadata)
from returnsdesk.data.db import make_engine
from returnsdesk.data.types import ExactDecimal, UTCDateTime

_OPTIONS: dict[str, Any] = {
    "target_metadata": SQLModel.metadata,
    # SQLite can ALTER little; batch mode rebuilds the table (copy, drop, rename) instead.
    "render_as_batch": True,
    # One transaction for the whole upgrade. Alembic assumes SQLite DDL is not transactional,
    # but with our own BEGIN IMMEDIATE it is: a failed upgrade leaves the old schema intact,
    # and a second station starting at the same moment waits, then finds nothing to do.
    "transactional_ddl": True,
}


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    if type_ != "type":
        return False
    if isinstance(obj, ExactDecimal | UTCDateTime):
        autogen_context.imports.add("import returnsdesk.data.types")
        return f"returnsdesk.data.types.{type(obj).__name__}()"
    if isinstance(obj, AutoString):
        return f"sa.{sa.String(length=obj.length)!r}"
    return False


def _database_url() -> str:
    scratch = Path(tempfile.gettempdir()) / "returnsdesk-alembic.sqlite3"
    return os.environ.get("RETURNSDESK_DATABASE_URL") or f"sqlite:///{scratch}"


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, render_item=_render_item, **_OPTIONS)
    if connection.dialect.name != "sqlite":
        with context.begin_transaction():
            context.run_migrations()
        return
    # A batch rebuild drops a table other rows point at, which foreign key enforcement forbids.
    # Turn enforcement off for the upgrade and check every reference before committing; the
    # pragma is ignored inside a transaction, so it goes to the driver before one begins.
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        with context.begin_transaction():
            context.run_migrations()
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"Migration left broken foreign keys: {broken[:10]}")
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def _run_offline() -> None:
    context.configure(
        url=_database_url(),
        literal_binds=True,
        render_item=_render_item,
        **_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(_database_url())
    try:
        with engine.connect() as own_connection:
            _migrate(own_connection)
    finally:
        engine.dispose()


if context.config.config_file_name is not None:  # the command line: log what runs
    logging.config.fileConfig(context.config.config_file_name)

if context.is_offline_mode():
    _run_offline()
else:
    _run_online()

"""Schema migrations: bring a database to this build's schema, or refuse one from a newer build.

Alembic is configured here in code, so an installed build needs no alembic.ini; the scripts are
in ``versions/`` and ``env.py`` explains how developers add one. Call ``ensure_schema`` once at
start, before the first session, and in test fixtures (never ``SQLModel.metadata.create_all``:
a database made that way has no revision and cannot be migrated later).
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from returnsdesk.data.db import make_engine
from returnsdesk.domain.errors import ReturnsDeskError

_log = logging.getLogger(__name__)
_SCRIPT_LOCATION = Path(__file__).resolve().parent


class DatabaseTooNew(ReturnsDeskError):  # noqa: N818 - named like the domain errors
    """The database was migrated by a newer returnsdesk; this build must not write to it."""


def head_revision() -> str:
    """The newest schema revision this build knows."""
    head = _scripts().get_current_head()
    if head is None:
        raise RuntimeError(f"No migration scripts in {_SCRIPT_LOCATION / 'versions'}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision, or None for a database never migrated (e.g. empty)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine_or_url: Engine | str) -> None:
    """Apply every migration the database lacks, in one transaction."""
    if isinstance(engine_or_url, str):
        engine = make_engine(engine_or_url)
        try:
            _upgrade(engine)
        finally:
            engine.dispose()
    else:
        _upgrade(engine_or_url)


def ensure_schema(engine: Engine) -> None:
    """Upgrade an empty or older database to head; raise ``DatabaseTooNew`` for a newer one."""
    revision = current_revision(engine)
    scripts = _scripts()
    head = scripts.get_current_head()
    if revision is not None and revision not in {s.revision for s in scripts.walk_revisions()}:
        raise DatabaseTooNew(
            f"The database {engine.url.render_as_string()} has schema revision {revision!r}, "
            f"written by a newer returnsdesk (this one knows up to {head!r}). "
            "Install the newer returnsdesk on this station."
        )
    if revision != head:
        _log.info("Upgrading %s from schema %s to %s", engine.url, revision, head)
        upgrade_to_head(engine)


def _upgrade(engine: Engine) -> None:
    config = _config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection  # env.py migrates on this connection
        command.upgrade(config, "head")


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPT_LOCATION))
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())

"""Schema migrations: bring a database to this build's schema, or refuse one from a newer build.

Alembic is configured here in code, so an installed build needs no alembic.ini; the scripts are
in ``versions/`` and ``env.py`` explains how developers add one. Call ``ensure_schema`` once at
start, before the first session, and in test fixtures (never ``SQLModel.metadata.create_all``:
a database made that way has no revision and cannot be migrated later).

Importing Alembic and loading its script directory costs about 0.3 s, on every start, to learn
that nothing is to be done. ``is_at_head`` answers that common case first from the scripts'
``revision`` / ``down_revision`` lines and the ``alembic_version`` table; anything it cannot
answer for sure (no table, a revision it does not know, scripts it cannot read) goes through
Alembic as before.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

from returnsdesk.data.db import make_engine
from returnsdesk.domain.errors import ReturnsDeskError

_log = logging.getLogger(__name__)
_SCRIPT_LOCATION = Path(__file__).resolve().parent
# The lines Alembic writes into every script (see script.py.mako): ``revision: str = "0002"``.
_REVISION_LINE = re.compile(r'^(down_revision|revision)\b[^=]*=\s*(?:"([^"]*)"|None)\s*$', re.M)


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
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_at_head(engine: Engine) -> bool:
    """True when the database is certainly at this build's head, found without Alembic.

    False means "not known to be": the caller asks Alembic (``ensure_schema``, backups).
    """
    head = _declared_head()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:  # no such table yet: an empty database, or not ours
        return False
    return [row[0] for row in rows] == [head]


def _declared_head() -> str | None:
    """The one revision no script names as its ``down_revision``, read from the script files.

    None unless every script declares a single revision and a single (or no) parent, and they
    form one line with one head: branches and merges are left to Alembic.
    """
    parents: dict[str, str | None] = {}
    for script in sorted((_SCRIPT_LOCATION / "versions").glob("*.py")):
        found = {name: value or None for name, value in _REVISION_LINE.findall(script.read_text())}
        if set(found) != {"revision", "down_revision"} or found["revision"] is None:
            return None
        parents[found["revision"]] = found["down_revision"]
    heads = set(parents) - set(parents.values())
    return heads.pop() if len(heads) == 1 and len(parents) > 0 else None


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
    if is_at_head(engine):
        return
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
    from alembic import command

    config = _config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection  # env.py migrates on this connection
        command.upgrade(config, "head")


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCRIPT_LOCATION))
    return config


def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())

"""A copy of a station's SQLite database before a new build migrates it.

Call ``backup_before_upgrade(engine)`` right before ``ensure_schema(engine)``. When the file's
schema revision is behind this build's head, it is copied with SQLite's online backup API (a
consistent snapshot even while another process has it open; copying the file could catch a
half-written page or miss what is still in the -wal file) to
``<name>.before-<revision>-<UTC time>.sqlite3`` beside it, readable by the owner only. The
newest ``keep`` such copies of that database are kept.

PostgreSQL is IT's to back up (``pg_dump`` before rolling out a new build; see
docs/it-guide.md): a station cannot know whether it is the first of many to upgrade a shared
database, and may not be allowed to write where a dump should go.

Restoring: stop the station, replace the database file with the copy (delete any ``-wal`` and
``-shm`` files beside it) and start the build that wrote it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from returnsdesk.data import migrations
from returnsdesk.data.migrations import current_revision, head_revision, is_at_head

log = logging.getLogger(__name__)

_MARK = ".before-"
_TIME_FORMAT = "%Y%m%dT%H%M%SZ"


def backup_before_upgrade(engine: Engine, *, keep: int = 5) -> Path | None:
    """Copy the SQLite database if a migration is about to change it; return the copy's path.

    None, and nothing written, when there is nothing to keep: PostgreSQL, an in-memory or new
    (empty) database, one already at head, or one from a newer build (which ``ensure_schema``
    refuses to touch). Raises ``OSError`` or ``sqlite3.Error`` when the copy fails, so that
    the caller does not migrate without it.
    """
    if keep < 1:
        raise ValueError("keep must be at least 1")
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database).absolute()
    if not path.is_file() or path.stat().st_size == 0 or is_at_head(engine):
        return None
    revision = current_revision(engine)
    if revision is None or revision == head_revision() or not _known(revision):
        return None
    target = backup_path(path, revision, datetime.now(UTC))
    _copy(path, target)
    log.info("Backed up %s (schema %s) to %s before upgrading", path, revision, target)
    prune_backups(path, keep=keep)
    return target


def backup_path(database: Path, revision: str, when: datetime) -> Path:
    """``<stem>.before-<revision>-<time>.sqlite3`` beside ``database``."""
    stamp = when.astimezone(UTC).strftime(_TIME_FORMAT)
    return database.with_name(f"{database.stem}{_MARK}{revision}-{stamp}.sqlite3")


def list_backups(database: Path) -> list[Path]:
    """The upgrade backups of ``database``, oldest first."""

    def taken_at(path: Path) -> str:
        return path.stem.rpartition("-")[2]  # the UTC time, which sorts as text

    found = database.parent.glob(f"{database.stem}{_MARK}*.sqlite3")
    return sorted((p for p in found if p.is_file()), key=lambda p: (taken_at(p), p.name))


def prune_backups(database: Path, *, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest upgrade backups of ``database``; return those deleted."""
    backups = list_backups(database)
    old = backups[: max(len(backups) - keep, 0)]
    for path in old:
        path.unlink(missing_ok=True)
        log.info("Deleted old upgrade backup %s", path)
    return old


def _copy(source: Path, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    # Created by us with mode 0600 before SQLite opens it: the copy holds customer names too.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        with (
            closing(sqlite3.connect(source, timeout=30)) as reader,
            closing(sqlite3.connect(partial)) as writer,
        ):
            reader.backup(writer)  # all pages in one step, under one read transaction
            # The copy is a plain rollback-journal file: one file to move, mail or restore.
            writer.execute("PRAGMA journal_mode=DELETE")
        os.replace(partial, target)  # a backup under its final name is always complete
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _known(revision: str) -> bool:
    """Whether this build has a migration script for ``revision`` (else: a newer build's)."""
    from alembic.script import ScriptDirectory  # only when a database is not at head

    scripts = ScriptDirectory(str(Path(migrations.__file__).resolve().parent))
    return revision in {script.revision for script in scripts.walk_revisions()}

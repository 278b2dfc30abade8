"""The quick "already at head?" check that spares a station Alembic on every start."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from returnsdesk.data import migrations
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import (
    current_revision,
    ensure_schema,
    head_revision,
    is_at_head,
)


def _older(engine: Engine) -> None:
    """Take the database back to the first revision, as a station on the first release."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")


def test_a_migrated_database_is_at_head(database: Database) -> None:
    assert current_revision(database.engine) == head_revision()
    assert is_at_head(database.engine)


def test_an_empty_database_is_not(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    try:
        assert not is_at_head(engine)
    finally:
        engine.dispose()


def test_an_older_database_is_not_and_is_then_upgraded(database: Database) -> None:
    _older(database.engine)
    assert not is_at_head(database.engine)
    ensure_schema(database.engine)
    assert current_revision(database.engine) == head_revision()
    assert is_at_head(database.engine)


def test_a_database_from_a_newer_build_is_not(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    assert not is_at_head(database.engine)


@pytest.mark.parametrize(
    "extra_script",
    [
        # A second head (a branch): Alembic decides what that means.
        'revision = "0099"\ndown_revision = "0001"\n',
        # A revision the check cannot read: it does not guess.
        "revision = make_revision_id()\ndown_revision = None\n",
    ],
    ids=["two heads", "unreadable revision"],
)
def test_scripts_it_cannot_read_for_sure_leave_the_answer_to_alembic(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra_script: str
) -> None:
    # Given this build's scripts plus one the check cannot take at its word
    scripts = tmp_path / "migrations"
    shutil.copytree(
        Path(migrations.__file__).parent / "versions",
        scripts / "versions",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (scripts / "versions" / "0099_extra.py").write_text(extra_script)
    monkeypatch.setattr(migrations, "_SCRIPT_LOCATION", scripts)
    # Then a database at this build's head is not declared "at head" by the quick check
    assert not is_at_head(database.engine)

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel, select

from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import (
    DatabaseTooNew,
    current_revision,
    ensure_schema,
    head_revision,
    upgrade_to_head,
)
from returnsdesk.data.models import Station
from returnsdesk.domain.errors import ReturnsDeskError

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_url(url_on_each_backend: str) -> str:
    """Every migration test runs on SQLite and on a real PostgreSQL."""
    return url_on_each_backend


def _schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), SQLModel.metadata))


def test_empty_database_upgraded_to_head_matches_the_models(database_url: str) -> None:
    upgrade_to_head(database_url)
    engine = make_engine(database_url)
    try:
        assert _schema_differences(engine) == []
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_ensure_schema_is_idempotent_and_keeps_data(database: Database) -> None:
    with database.session() as session:
        session.add(Station(code="S1", name="Station 1"))
    ensure_schema(database.engine)
    ensure_schema(database.engine)
    assert current_revision(database.engine) == head_revision()
    with database.session() as session:
        assert [s.code for s in session.exec(select(Station))] == ["S1"]


def test_database_from_a_newer_build_is_refused(database: Database) -> None:
    # Given a database a newer returnsdesk has migrated past this build's head
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    # When this build starts on it, then it refuses with a message naming both revisions
    with pytest.raises(DatabaseTooNew, match="'9999_future'.*newer returnsdesk") as caught:
        ensure_schema(database.engine)
    assert isinstance(caught.value, ReturnsDeskError)
    assert head_revision() in str(caught.value)


def test_command_line_environment_downgrades_and_upgrades_the_configured_database(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The developer setup: alembic.ini's script location, database from the environment.
    ini = Config(str(REPO_ROOT / "alembic.ini"))
    config = Config()  # without the ini's logging setup, which would reconfigure pytest's
    config.set_main_option("script_location", ini.get_main_option("script_location") or "")
    monkeypatch.setenv("RETURNSDESK_DATABASE_URL", database_url)
    engine = make_engine(database_url)
    try:
        command.upgrade(config, "head")
        assert current_revision(engine) == head_revision()
        command.downgrade(config, "base")
        assert inspect(engine).get_table_names() == ["alembic_version"]
        command.upgrade(config, "head")
        assert _schema_differences(engine) == []
    finally:
        engine.dispose()

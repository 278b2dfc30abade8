"""Fixtures for data-layer tests: a migrated SQLite file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.migrations import ensure_schema


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'returnsdesk.sqlite3'}"


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(make_engine(database_url))
    ensure_schema(database.engine)
    yield database
    database.dispose()

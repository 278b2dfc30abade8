"""Workflow fixtures: a demo station database on a fresh SQLite file, no window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from completing import station_service
from returnsdesk.config import load_settings
from returnsdesk.services.bootstrap import StationEnvironment, open_environment
from workflow_driver import Station


@pytest.fixture
def demo_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[StationEnvironment]:
    # Nothing here reads the printable barcode sheet (about 1 s per database).
    monkeypatch.setattr(
        "returnsdesk.services.demo_sheet.write_demo_sheet", lambda _summary, path: path
    )
    settings = load_settings(environ={}, overrides={"database.url": database_url})
    env = open_environment(settings, demo=True)
    yield env
    env.database.dispose()


@pytest.fixture
def station(demo_env: StationEnvironment) -> Station:
    return Station(station_service(demo_env))

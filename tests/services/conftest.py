"""Service fixtures: a demo station database on a fresh SQLite file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from returnsdesk.config import load_settings
from returnsdesk.services.bootstrap import StationEnvironment, open_environment


@pytest.fixture
def demo_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[StationEnvironment]:
    # The printable barcode sheet takes about 1 s per database; tests/services/test_demo.py
    # covers it, nothing else here reads it.
    monkeypatch.setattr(
        "returnsdesk.services.demo_sheet.write_demo_sheet", lambda _summary, path: path
    )
    settings = load_settings(environ={}, overrides={"database.url": database_url})
    env = open_environment(settings, demo=True)
    yield env
    env.database.dispose()

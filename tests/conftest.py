"""Shared fixtures. Qt runs offscreen; no test reads or writes the real user's files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """platformdirs honours the XDG variables: point data, config and logs at a temp folder."""
    home = tmp_path_factory.mktemp("home")
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(variable, str(home / variable.lower()))
    monkeypatch.setenv("RETURNSDESK_SYSTEM_CONFIG", "")
    monkeypatch.setenv("RETURNSDESK_USER_CONFIG", "")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'station.sqlite3'}"


@pytest.fixture
def no_sound_player(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never spawn audio players; the cue played is still recorded."""
    monkeypatch.setattr("shutil.which", lambda _name: None)
    yield

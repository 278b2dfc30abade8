"""GUI fixtures: a demo station window on a fresh database, driven as an inspector would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QApplication

from returnsdesk.config import Settings, load_settings
from returnsdesk.qt import ops
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.services.bootstrap import StationEnvironment, open_environment
from station_driver import Inspector, open_station_window


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings(environ={}, overrides={"database.url": database_url, "ui.sounds": False})


@pytest.fixture
def demo_env(settings: Settings) -> Iterator[StationEnvironment]:
    env = open_environment(settings, demo=True)
    yield env
    env.database.dispose()


@pytest.fixture
def window(qtbot: QtBot, demo_env: StationEnvironment, settings: Settings) -> Iterator[MainWindow]:
    main = open_station_window(qtbot, demo_env, settings)
    yield main
    ops.wait_for_all()
    QApplication.processEvents()


@pytest.fixture
def inspector(qtbot: QtBot, window: MainWindow) -> Inspector:
    return Inspector(qtbot, window)


@pytest.fixture(autouse=True)
def _no_demo_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip rendering the printable barcode PDF (about 1 s per demo database, most of a
    window's set-up); nothing here reads it, and tests/services/test_demo.py covers it."""
    monkeypatch.setattr(
        "returnsdesk.services.demo_sheet.write_demo_sheet", lambda _summary, path: path
    )

"""The station window pulls the order system's returns in the background, then scans them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import select

from PySide6.QtWidgets import QApplication

from returnsdesk.config import load_settings
from returnsdesk.data.models import Operator, Return
from returnsdesk.qt import ops
from returnsdesk.qt.app import build_main_window
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.qt.station_controller import State
from returnsdesk.services.bootstrap import StationEnvironment, open_environment
from returnsdesk.services.sync.credentials import DEFAULT_TOKEN_ENV
from station_driver import Inspector
from sync_feed import ReturnFeedServer, remote_return


@pytest.fixture
def feed() -> Iterator[ReturnFeedServer]:
    with ReturnFeedServer() as server:
        yield server


def open_window(qtbot: QtBot, tmp_path: Path, url: str) -> tuple[MainWindow, StationEnvironment]:
    settings = load_settings(
        environ={},
        overrides={
            "database.url": f"sqlite:///{tmp_path / 'station.sqlite3'}",
            "ui.sounds": False,
            "order_system.kind": "oscar",
            "order_system.url": url,
            "order_system.pull_interval_s": 5.0,
        },
    )
    env = open_environment(settings, demo=False)
    with env.database.session() as session:
        session.add(Operator(code="OP-1", name="Ines"))
    window = build_main_window(env, settings, operator_code="OP-1")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.station_view.setFocus()
    return window, env


def rmas(env: StationEnvironment) -> list[str]:
    with env.database.session() as session:
        return sorted(session.exec(select(Return.rma_number)))


def test_the_window_pulls_at_start_and_the_pulled_parcel_scans(
    qtbot: QtBot, tmp_path: Path, feed: ReturnFeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a shop with a return, and the station's token in its environment
    feed.publish(remote_return("RMA-1"))
    monkeypatch.setenv(DEFAULT_TOKEN_ENV, feed.token)

    # When the station window opens on an empty database
    window, env = open_window(qtbot, tmp_path, feed.url)
    try:
        # Then the return arrives in the background, and its parcel scans
        qtbot.waitUntil(lambda: rmas(env) == ["RMA-1"], timeout=10_000)
        inspector = Inspector(qtbot, window)
        inspector.scan("1Z999AA10123456784")
        assert inspector.controller.state is State.RETURN
        assert window.pull_error is None
    finally:
        window.close()
        ops.wait_for_all()
        QApplication.processEvents()
        env.database.dispose()


def test_a_failed_pull_is_kept_for_the_sync_panel_and_the_station_works_on(
    qtbot: QtBot, tmp_path: Path, feed: ReturnFeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed.break_next(500, b"boom")
    monkeypatch.setenv(DEFAULT_TOKEN_ENV, feed.token)
    window, env = open_window(qtbot, tmp_path, feed.url)
    try:
        qtbot.waitUntil(lambda: window.pull_error is not None, timeout=10_000)
        assert window.pull_error == "GET /returns/changes: HTTP 500 boom"
        assert rmas(env) == []
        inspector = Inspector(qtbot, window)
        inspector.scan("1Z999AA10123456784")
        assert inspector.controller.state is State.NO_RETURN
    finally:
        window.close()
        ops.wait_for_all()
        QApplication.processEvents()
        env.database.dispose()


def test_without_a_token_the_window_does_not_pull(
    qtbot: QtBot, tmp_path: Path, feed: ReturnFeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DEFAULT_TOKEN_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "keyring", None)
    feed.publish(remote_return("RMA-1"))
    window, env = open_window(qtbot, tmp_path, feed.url)
    try:
        qtbot.wait(300)
        assert feed.requests == [] and rmas(env) == []
    finally:
        window.close()
        env.database.dispose()

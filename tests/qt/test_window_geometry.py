"""The window opens where it was closed, and never larger than the screen it opens on.

The offscreen test screen is 800 px wide, narrower than the station's window may be; the
tests name the screen (a 1366x768 laptop) as the station would find it.
"""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QRect

from returnsdesk.config import Settings
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.qt.window_geometry import fit_on_screen, geometry_store
from returnsdesk.services.bootstrap import StationEnvironment
from station_driver import open_station_window

LAPTOP = QRect(0, 0, 1366, 768)


def test_a_geometry_is_saved_on_close_and_restored_on_the_next_start(
    qtbot: QtBot,
    window: MainWindow,
    demo_env: StationEnvironment,
    settings: Settings,
    tmp_path: Path,
) -> None:
    # Given a first start with nothing saved: the window opens maximized
    assert window.remember_geometry(geometry_store(tmp_path), LAPTOP) is True
    # When the inspector makes it smaller, moves it and closes the station
    window.setGeometry(QRect(40, 30, 1250, 720))
    assert window.geometry() == QRect(40, 30, 1250, 720)
    window.close()

    # Then the next start opens it there, not maximized
    again = open_station_window(qtbot, demo_env, settings)
    assert again.remember_geometry(geometry_store(tmp_path), LAPTOP) is False
    assert again.geometry() == QRect(40, 30, 1250, 720)
    again.close()


def test_a_geometry_from_a_larger_screen_is_clamped_to_this_one(
    window: MainWindow, tmp_path: Path
) -> None:
    # Given a geometry saved on a 2560x1440 monitor that is no longer there
    store = geometry_store(tmp_path)
    store.setValue("window/geometry", [2000, 1200, 2400, 1300])
    store.setValue("window/maximized", False)
    store.sync()

    # When the station starts on a 1366x768 laptop, the whole window is on its screen
    assert window.remember_geometry(geometry_store(tmp_path), LAPTOP) is False
    assert window.geometry() == LAPTOP
    window.close()


def test_a_first_start_keeps_the_window_inside_the_screen_without_a_window_manager(
    window: MainWindow, tmp_path: Path
) -> None:
    # Given nothing saved and a window taller than the laptop's screen (no window manager
    # maximizes it: a kiosk station; seen in Xvfb as 1366x800 on a 1366x768 screen)
    window.setGeometry(QRect(0, 0, 1366, 800))
    # When it starts, it is shown maximized and is no larger than the screen meanwhile
    assert window.remember_geometry(geometry_store(tmp_path), LAPTOP) is True
    assert LAPTOP.contains(window.geometry())
    window.close()


def test_fit_on_screen_keeps_a_window_inside_1366x768() -> None:
    assert fit_on_screen(QRect(1200, 700, 1920, 1080), LAPTOP) == LAPTOP
    assert fit_on_screen(QRect(-300, -50, 800, 600), LAPTOP) == QRect(0, 0, 800, 600)
    assert fit_on_screen(QRect(1000, 500, 800, 600), LAPTOP) == QRect(566, 168, 800, 600)
    assert fit_on_screen(QRect(100, 50, 800, 600), LAPTOP) == QRect(100, 50, 800, 600)
    beside = QRect(1920, 0, 1920, 1080)  # a second monitor right of a first one
    assert fit_on_screen(QRect(100, 50, 800, 600), beside) == QRect(1920, 50, 800, 600)

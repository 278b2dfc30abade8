"""Where the station window was: saved on close, restored on start, kept on the screen.

QSettings holds the window's geometry and nothing else (the guide's rule 9); everything the
station is configured with lives in ``config.py``. A geometry saved on a larger screen, or on a
monitor that is gone, is clamped to the screen the window opens on.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

from PySide6.QtCore import QRect, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from returnsdesk.config import APP_NAME

_RECT = "window/geometry"
_MAXIMIZED = "window/maximized"


def geometry_store(folder: Path | None = None) -> QSettings:
    """The window's geometry file, ``window.ini`` in the user config folder."""
    folder = folder or Path(platformdirs.user_config_dir(APP_NAME, APP_NAME))
    return QSettings(str(folder / "window.ini"), QSettings.Format.IniFormat)


def fit_on_screen(rect: QRect, available: QRect) -> QRect:
    """``rect`` made no larger than ``available`` and moved inside it."""
    width = min(rect.width(), available.width())
    height = min(rect.height(), available.height())
    left = min(max(rect.left(), available.left()), available.right() + 1 - width)
    top = min(max(rect.top(), available.top()), available.bottom() + 1 - height)
    return QRect(left, top, width, height)


def save_geometry(window: QWidget, store: QSettings) -> None:
    maximized = window.isMaximized()
    store.setValue(_MAXIMIZED, maximized)
    # A maximized window's own size is the screen's: keep the size it returns to.
    rect = window.normalGeometry() if maximized else window.geometry()
    if rect.isValid():
        store.setValue(_RECT, [rect.x(), rect.y(), rect.width(), rect.height()])
    store.sync()


def restore_geometry(window: QWidget, store: QSettings, available: QRect | None = None) -> bool:
    """Put ``window`` where it was, inside the available screen (``available``: the screen it
    was on, else the window's); returns whether it was maximized (the caller shows it so).
    With nothing saved it starts maximized, its own size kept inside the screen too: without
    a window manager (a kiosk station) "maximized" changes nothing."""
    saved = store.value(_RECT)
    try:
        rect = QRect(*(int(value) for value in saved))
        maximized = str(store.value(_MAXIMIZED, "true")).lower() == "true"
    except (TypeError, ValueError):  # nothing saved, or a hand-edited file
        rect, maximized = window.geometry(), True
    if available is None:
        screen = QGuiApplication.screenAt(rect.center()) or window.screen()
        available = screen.availableGeometry()
    window.setGeometry(fit_on_screen(rect, available))
    return maximized

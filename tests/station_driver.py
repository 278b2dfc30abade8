"""Drives the station window as an inspector does: scanner bursts and single keys."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget

from returnsdesk.config import Settings
from returnsdesk.qt import ops
from returnsdesk.qt.app import build_main_window
from returnsdesk.qt.lead_view import LeadBadgeDialog
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.services.bootstrap import StationEnvironment


def open_station_window(
    qtbot: QtBot,
    env: StationEnvironment,
    settings: Settings,
    operator_code: str = "OP-0001",
    pin: str | None = None,
) -> MainWindow:
    """The station window shown, active and with the focus on the station, as after sign-in."""
    window = build_main_window(env, settings, operator_code=operator_code, pin=pin)
    qtbot.addWidget(window)
    window.resize(1366, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    # Window shortcuts (Ctrl+1..5) fire only in the active window; offscreen it can lag a tick.
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.station_view.setFocus()
    return window


class Inspector:
    """Drives the station by keyboard, like a person with a handheld scanner."""

    def __init__(self, qtbot: QtBot, window: MainWindow) -> None:
        self.qtbot = qtbot
        self.window = window
        self.controller = window.station

    def _target(self) -> QWidget:
        return QApplication.focusWidget() or self.window.station_view

    def settle(self) -> None:
        """Wait until background work is done and its result is shown."""
        self.qtbot.waitUntil(lambda: not self.controller.busy and not ops.busy(), timeout=10_000)

    def scan(self, value: str) -> None:
        """A scanner burst: the characters at once, then Enter."""
        target = self._target()
        self.qtbot.keyClicks(target, value)
        self.qtbot.keyClick(self._target(), Qt.Key.Key_Return)
        self.settle()

    def press(self, key: str) -> None:
        """A person pressing one key; held back one gap interval to tell it from a scan."""
        target = self._target()
        if key == "Enter":
            self.qtbot.keyClick(target, Qt.Key.Key_Return)
        else:
            self.qtbot.keyClick(target, key)
            self.qtbot.wait(120)
            # On a busy machine the hold's timer may not have fired within those 120 ms.
            self.qtbot.waitUntil(lambda: not self.window.scanner.holding_keys(), timeout=10_000)
        self.settle()

    def key(self, key: Qt.Key) -> None:
        self.qtbot.keyClick(self._target(), key)
        self.settle()

    def type(self, text: str, *, delay: int = -1) -> None:
        """A person typing into the field that has the focus (``delay`` ms between keys)."""
        self.qtbot.keyClicks(self._target(), text, delay=delay)

    def paste(self, text: str) -> None:
        """Text copied from another program, pasted (Ctrl+V) where the focus is."""
        QApplication.clipboard().setText(text)
        self.qtbot.keyClick(self._target(), Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)

    @property
    def message(self) -> str:
        return self.window.station_view.message()


def press(qtbot: QtBot, window: MainWindow, key: str) -> None:
    """A lone key, as a person presses it (the scanner filter turns it into a command)."""
    qtbot.keyClick(QApplication.focusWidget() or window, key)
    qtbot.wait(150)
    qtbot.waitUntil(lambda: not window.scanner.holding_keys(), timeout=10_000)


def answer_next_dialog(qtbot: QtBot, *texts: str) -> list[str]:
    """Type into the modal dialog about to open, field by field, each ended with Enter as a
    scanner or a person ends it. Returns what the dialog said if it refused to close (it is
    then cancelled)."""
    refused: list[str] = []

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(20, fill)
            return
        fields = [f for f in dialog.findChildren(QLineEdit) if f.isVisible()]
        for field, text in zip(fields, texts, strict=False):
            field.setFocus()
            qtbot.keyClicks(field, text)
            qtbot.keyClick(field, Qt.Key.Key_Return)
            if not dialog.isVisible():
                return
        refused.append(dialog.problem() if isinstance(dialog, LeadBadgeDialog) else "")
        dialog.reject()

    QTimer.singleShot(0, fill)
    return refused

"""Background ops deliver results to live widgets only."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QLabel
from shiboken6 import Shiboken

from returnsdesk.qt.ops import Op


def test_result_reaches_the_owner_on_the_gui_thread(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    Op(lambda: "ready", owner=label).on_success(label.setText).start()
    qtbot.waitUntil(lambda: label.text() == "ready")


def test_result_for_a_deleted_owner_is_dropped_not_raised(qtbot: QtBot) -> None:
    """A window closed while its read was in flight: the late result must not touch it."""
    release = threading.Event()
    finished = threading.Event()
    label = QLabel()
    delivered: list[str] = []

    def slow_read() -> str:
        release.wait(5)
        finished.set()
        return "late"

    def show(text: str) -> None:
        delivered.append(text)
        label.setText(text)  # raises RuntimeError if the label is gone

    Op(slow_read, owner=label, pool=QThreadPool.globalInstance()).on_success(show).start()
    label.deleteLater()
    qtbot.waitUntil(lambda: not Shiboken.isValid(label))
    release.set()
    assert finished.wait(5)
    QThreadPool.globalInstance().waitForDone(5_000)
    qtbot.wait(50)  # let the queued result arrive
    assert delivered == []

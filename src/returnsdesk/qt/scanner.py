"""Tells a keyboard-wedge scanner's bursts from a person's typing, anywhere in the station window.

A handheld scanner types its value as a burst of keystrokes a few ms apart, then Enter. The
filter watches key presses for the station window's focus widget:

* In a text field, keys reach the field as usual; if they turn out to be a scan, the field's
  text is put back as it was and the scan is emitted instead of the Enter.
* Elsewhere, printable keys are held back for one gap interval: a lone key (a grade digit, Y, N,
  O) is then emitted as a command; a burst ending in Enter is emitted as a scan. A plain Enter
  is a command too ("accept").
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from returnsdesk.scan.wedge import BurstDetector

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_TEXT_WIDGETS = (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox)


class ScanInputFilter(QObject):
    scanned = Signal(str)  # a complete scanner burst, Enter excluded
    command = Signal(str)  # a lone key typed by a person ("2", "Y", "Enter")

    def __init__(self, window: QWidget, *, max_gap_ms: int = 50, min_length: int = 4) -> None:
        super().__init__(window)
        self._window = window
        self._detector = BurstDetector(max_gap_ms=max_gap_ms, min_length=min_length)
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(max_gap_ms + 20)
        self._flush_timer.timeout.connect(self._flush_lone_keys)
        self._held: list[str] = []  # printable keys held back while not in a text field
        self._text_before_burst: tuple[QLineEdit, str] | None = None

    @staticmethod
    def _now_ms() -> float:
        return time.monotonic() * 1000.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        focus = QApplication.focusWidget()
        target = focus if focus is not None else self._window
        # Key events bubble to parents; handle each key once, at the widget it was sent to.
        if watched is not target or target.window() is not self._window:
            return False
        return self._handle_key(event, focus)

    def _handle_key(self, event: QKeyEvent, focus: QWidget | None) -> bool:
        now = self._now_ms()
        in_text_field = isinstance(focus, _TEXT_WIDGETS)
        if event.key() in _ENTER_KEYS:
            scan = self._detector.feed_enter(now)
            if scan is not None:
                self._flush_timer.stop()
                self._held.clear()
                self._restore_text_field()
                self.scanned.emit(scan)
                return True
            self._text_before_burst = None
            if in_text_field:
                return False
            self._flush_lone_keys()
            self.command.emit("Enter")
            return True
        text = event.text()
        modifiers = (
            event.modifiers()
            & ~Qt.KeyboardModifier.ShiftModifier
            & ~Qt.KeyboardModifier.KeypadModifier
        )
        if len(text) != 1 or not text.isprintable() or modifiers != Qt.KeyboardModifier.NoModifier:
            return False  # function keys, shortcuts and navigation take their usual path
        if not self._detector.pending and isinstance(focus, QLineEdit):
            self._text_before_burst = (focus, focus.text())
        self._detector.feed_char(text, now)
        if in_text_field:
            return False
        self._held.append(text)
        self._flush_timer.start()
        return True

    def _restore_text_field(self) -> None:
        if self._text_before_burst is not None:
            field, text = self._text_before_burst
            field.setText(text)
            self._text_before_burst = None

    def _flush_lone_keys(self) -> None:
        """Keys held back that did not become a scan were typed by a person: commands."""
        if not self._held:
            return
        if self._detector.is_burst_in_progress(self._now_ms()):
            self._flush_timer.start()
            return
        held, self._held = self._held, []
        self._detector.reset()
        for key in held:
            self.command.emit(key)

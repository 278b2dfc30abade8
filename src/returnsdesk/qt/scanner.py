"""Tells a keyboard-wedge scanner's bursts from a person's typing, anywhere in the station window.

A handheld scanner types its value as a burst of keystrokes a few ms apart, then Enter. The
filter watches key presses for the station window's focus widget:

* In a text field, keys reach the field as usual; if they turn out to be a scan, the field's
  text is put back as it was and the scan is emitted instead of the Enter.
* Elsewhere, printable keys are held back for one gap interval: a lone key (a grade digit, Y, N,
  O) is then emitted as a command; a burst ending in Enter is emitted as a scan. A plain Enter
  is a command too ("accept").

Keys are timed by when they were typed (the event's timestamp), not when they are handled, so a
station that pauses inside a burst (a full garbage collection, a loaded machine) and then
handles the queued keys together still tells a burst from a person.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from shiboken6 import Shiboken

from returnsdesk.scan.wedge import BurstDetector, KeyTimes

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# Keys a scanner holds down around characters (Shift for capitals): they type nothing themselves.
_MODIFIER_KEYS = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_Meta,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_NumLock,
    }
)
_KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
# GS1's FNC1 separator, which a wedge scanner types as Ctrl+] (the key's text is GS, or "]"
# where the platform does not map Ctrl to control characters).
_GS = "\x1d"
_TEXT_WIDGETS = (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox)
# A widget property: its text is typed by a person however quickly (a note at 30 ms a key), so
# its keys are never taken for a scanner burst.
TYPED_BY_HAND = "typedByHand"
# After the hold, the decision waits this much longer, so that the event loop makes one more
# pass first: keys queued behind the hold's timer while the loop was stalled are handled then.
_CONFIRM_MS = 10


class ScanInputFilter(QObject):
    scanned = Signal(str)  # a complete scanner burst, Enter excluded
    command = Signal(str)  # a lone key typed by a person ("2", "Y", "Enter")
    activity = Signal()  # a key or a change of focus (a click): someone is at the station

    def __init__(self, window: QWidget, *, max_gap_ms: int = 50, min_length: int = 4) -> None:
        super().__init__(window)
        self._window = window
        self._detector = BurstDetector(max_gap_ms=max_gap_ms, min_length=min_length)
        self._key_times = KeyTimes()
        self._hold_ms = max_gap_ms + 20
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._flush_timer.timeout.connect(self._hold_expired)
        self._held: list[str] = []  # printable keys held back while not in a text field
        self._confirming = False  # the hold has expired; deciding after one more loop pass
        self._text_before_burst: tuple[QLineEdit, str] | None = None
        self._watched: QWidget | None = None

    def attach(self) -> None:
        """Watch the key presses of the window's focus widget, following the focus.

        Not an application-wide filter: that one is called for every event of every object,
        paint and timer events included, and each call makes PySide6 wrap the object, which for
        Qt's private classes means setting up its Python types and enums (about 0.1 s in the
        first event-loop turn). Keys go to the focus widget, or to the window when nothing
        has focus, so watching that one widget sees them all.
        """
        QApplication.instance().focusChanged.connect(self._follow_focus)  # type: ignore[union-attr]
        self._watch(QApplication.focusWidget())

    def detach(self) -> None:
        QApplication.instance().focusChanged.disconnect(self._follow_focus)  # type: ignore[union-attr]
        if self._watched is not None and Shiboken.isValid(self._watched):
            self._watched.removeEventFilter(self)
        self._watched = None

    @Slot(QWidget, QWidget)
    def _follow_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        self.activity.emit()
        self._watch(new)

    def _watch(self, focus: QWidget | None) -> None:
        target = focus if focus is not None and focus.window() is self._window else self._window
        if target is self._watched:
            return
        if self._watched is not None and Shiboken.isValid(self._watched):
            self._watched.removeEventFilter(self)
        target.installEventFilter(self)
        self._watched = target

    def _typed_at(self, event: QKeyEvent) -> float:
        return self._key_times.typed_at(event.timestamp(), time.monotonic() * 1000.0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in _KEY_EVENTS or not isinstance(event, QKeyEvent):
            return False
        focus = QApplication.focusWidget()
        target = focus if focus is not None else self._window
        # Key events bubble to parents; handle each key once, at the widget it was sent to.
        if watched is not target or target.window() is not self._window:
            return False
        if target.property(TYPED_BY_HAND):
            self.activity.emit()
            return False
        if kind == QEvent.Type.ShortcutOverride:
            # Qt offers a key to the shortcuts (Esc, F5) before it is pressed; inside a burst it
            # is claimed, so that it arrives as a key press and spoils the scan instead.
            if self._detector.is_burst_in_progress(self._typed_at(event)):
                event.accept()
                return True
            return False
        self.activity.emit()
        return self._handle_key(event, focus)

    def _handle_key(self, event: QKeyEvent, focus: QWidget | None) -> bool:
        now = self._typed_at(event)
        in_text_field = isinstance(focus, _TEXT_WIDGETS)
        if event.key() in _ENTER_KEYS:
            scan = self._detector.feed_enter(now)
            if scan is not None:
                self._flush_timer.stop()
                self._confirming = False
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
        if text == _GS or (
            event.key() == Qt.Key.Key_BracketRight
            and modifiers == Qt.KeyboardModifier.ControlModifier
        ):
            text, modifiers = _GS, Qt.KeyboardModifier.NoModifier
        elif event.key() in _MODIFIER_KEYS:
            return False
        plain = modifiers == Qt.KeyboardModifier.NoModifier
        if not plain or len(text) != 1 or not (text.isprintable() or text == _GS):
            # Inside a burst the key is marked and the scan refused whole; a text field still
            # gets it (a quick typist's Backspace), elsewhere it is swallowed (an Esc is no step
            # back there). Outside a burst, function keys, shortcuts, navigation and a lone Esc
            # take their usual path.
            return self._detector.feed_other_key(now) and not in_text_field
        if not self._detector.is_burst_in_progress(now):
            # A new run: keys still held were typed too long before it to be part of it (they
            # may be handled together with it after a pause). They were a person's.
            self._flush_lone_keys()
            # The text as it was before this run: keys typed by hand earlier stay in the field.
            if isinstance(focus, QLineEdit):
                self._text_before_burst = (focus, focus.text())
        self._detector.feed_char(text, now)
        if in_text_field:
            return False
        self._held.append(text)
        self._confirming = False
        self._flush_timer.start(self._hold_ms)
        return True

    def holding_keys(self) -> bool:
        """Keys typed but not yet told apart (scan or person): their meaning is still to come."""
        return bool(self._held)

    def _restore_text_field(self) -> None:
        if self._text_before_burst is not None:
            field, text = self._text_before_burst
            field.setText(text)
            self._text_before_burst = None

    @Slot()
    def _hold_expired(self) -> None:
        """No key for a gap interval since the last held one, as far as has been handled.

        If the loop was stalled, the burst's next keys may be queued right behind this timer:
        the decision waits for the loop's next pass, which handles them (and restarts the hold).
        """
        if not self._confirming:
            self._confirming = True
            self._flush_timer.start(_CONFIRM_MS)
            return
        self._flush_lone_keys()

    def _flush_lone_keys(self) -> None:
        """Keys held back that did not become a scan were typed by a person: commands."""
        self._flush_timer.stop()
        self._confirming = False
        if not self._held:
            return
        held, self._held = self._held, []
        self._detector.reset()
        for key in held:
            self.command.emit(key)

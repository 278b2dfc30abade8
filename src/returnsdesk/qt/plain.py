"""Text from outside is never markup: scans, customer names, notes, the shop's error messages.

Qt guesses the format of a QLabel's, a QMessageBox's or a tooltip's text (``Qt.AutoText``): text
that looks like HTML (``Qt.mightBeRichText``) is rendered, so a barcode holding ``<h1>BIG</h1>``
would show as a heading, and ``<img src=...>`` would load a file. Every label made here is plain
text; the few that show HTML on purpose (``rich_label``) get it from code that escapes each value
from outside with ``html.escape``. Labels from Designer forms say ``PlainText`` or ``RichText``
in ``ui/*.ui``; tests walk every label of every screen to keep it so.
"""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that shows its text as typed, whatever it holds."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


class ElidedLabel(QLabel):
    """One line of plain text that gives way when space is short: it is cut with an ellipsis
    (the whole text in its tooltip) instead of widening the window, as a status bar's labels
    must on a 1366-pixel screen. ``text()`` is the whole text."""

    def __init__(
        self, text: str | QWidget = "", parent: QWidget | None = None, *, min_chars: int = 10
    ) -> None:
        if isinstance(text, QWidget):  # ElidedLabel(parent), as a Designer form makes it
            parent = text
            text = ""
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._min_chars = min_chars
        self._hint = ""
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._tooltip()

    def set_min_chars(self, min_chars: int) -> None:
        """At least this many characters in view, however short the space."""
        self._min_chars = min_chars
        self.updateGeometry()

    def set_hint(self, hint: str) -> None:
        """More to say in the tooltip, below the whole text (e.g. the last error)."""
        self._hint = hint
        self._tooltip()

    def _tooltip(self) -> None:
        self.setToolTip(plain_tooltip("\n".join(t for t in (self.text(), self._hint) if t)))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        margins = self.contentsMargins()
        least = self.fontMetrics().averageCharWidth() * self._min_chars
        return QSize(min(hint.width(), least + margins.left() + margins.right()), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, rect.width()
        )
        self.style().drawItemText(
            painter,
            rect,
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            shown,
            QPalette.ColorRole.WindowText,
        )


def rich_label(html_text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label for HTML built here; every value from outside in it must be escaped."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setText(html_text)
    return label


def plain_tooltip(text: str) -> str:
    """A tooltip showing ``text`` as typed: Qt renders a tooltip as HTML when it looks like it,
    so such text is turned into HTML that shows it literally; other text is left as it is."""
    return QtGui.Qt.convertFromPlainText(text) if QtGui.Qt.mightBeRichText(text) else text


def clipped(text: str, limit: int, *, tail: int = 0) -> str:
    """At most ``limit`` characters, an ellipsis where it was cut, keeping its last ``tail``
    characters: text from outside can be any length (a 5,000-character title), a screen cannot."""
    if len(text) <= limit:
        return text
    end = text[len(text) - tail :] if tail else ""
    return text[: limit - 1 - len(end)].rstrip() + "…" + end


def set_clipped_text(label: QLabel, text: str, limit: int, *, tail: int = 0) -> None:
    """Show ``text`` cut to ``limit`` characters; the full text, plain, in the tooltip."""
    label.setText(clipped(text, limit, tail=tail))
    label.setToolTip(plain_tooltip(text) if len(text) > limit else "")


def show_error_box(parent: QWidget | None, title: str, text: str) -> None:
    """A modal error message (outside a window that could show it), its text plain."""
    box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()

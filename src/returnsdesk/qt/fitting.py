"""Text and tables that show whole lines, and ask a layout for exactly the lines they show.

A ``QLabel`` with word wrap tells layouts it has a height for its width, and a vertical
``QBoxLayout`` takes such an item's height for its width as its minimum as well as its
preference: a box holding one (the refund, for its wrapped total) then reserves its whole
preferred height, and on a 1366x768 screen the unit's disposition above it was squeezed under
the grade keys. A ``WrappedLabel`` keeps the height of its wrapped lines at its current width
as its minimum and preferred height without saying so, and may hold a steady number of lines
(the station's banner): longer text is cut with an ellipsis on the last line, whole in the
tooltip. A ``WholeRowsTable`` that scrolls ends at a row's end: no line is shown half. A
``ListScrollArea`` holds a list that can grow (a checklist's answers): as tall as the list when
there is room, a few lines and a scroll bar when there is not.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextLayout,
)
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QTableView, QWidget

from returnsdesk.qt.plain import plain_tooltip

_LINE_BREAK = "\u2028"  # a line separator: QTextLayout breaks there as a label does at "\n"


class WrappedLabel(QLabel):
    """A word-wrapped label (plain or rich text) as tall as its lines at its width; with
    ``set_lines(n)`` always ``n`` lines of plain text tall, cut to fit them."""

    def __init__(self, text: str | QWidget = "", parent: QWidget | None = None) -> None:
        if isinstance(text, QWidget):  # WrappedLabel(parent), as a Designer form makes it
            parent = text
            text = ""
        super().__init__(parent)
        self.setWordWrap(True)
        # As tall as its lines, no taller: a layout's spare room goes to what can use it.
        policy = self.sizePolicy()
        policy.setVerticalPolicy(QSizePolicy.Policy.Fixed)
        self.setSizePolicy(policy)
        self._lines = 0  # 0: as many lines as the text needs
        self._tooltip = ""  # the tooltip set from outside, kept when the text is cut
        self._height = -1  # the height last asked for, to ask again only when it changes
        self.setText(text)

    def set_lines(self, lines: int) -> None:
        """Always ``lines`` lines tall, whatever the text; plain text only."""
        self._lines = lines
        self._changed()

    # --- Qt's sizing -------------------------------------------------------------------------

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return False  # the height is in the size hints, for the width the label has now

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(super().sizeHint().width(), self._needed_height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(super().minimumSizeHint().width(), self._needed_height())

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._changed()

    def setToolTip(self, tooltip: str) -> None:  # noqa: N802 - Qt's name
        self._tooltip = tooltip
        self._show_tooltip()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._changed()  # wider or narrower: wrapped anew

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        if not self._lines:
            super().paintEvent(event)
            return
        QFrame.paintEvent(self, event)  # the frame (a style sheet's border)
        painter = QPainter(self)
        rect = self._text_rect()
        shown = cut_to_lines(self.text(), self.font(), rect.width(), self._lines)
        flags = int(self.alignment()) | int(Qt.TextFlag.TextWordWrap)
        self.style().drawItemText(
            painter,
            rect,
            flags,
            self.palette(),
            self.isEnabled(),
            shown,
            QPalette.ColorRole.WindowText,
        )

    # --- its own ---------------------------------------------------------------------------

    def is_cut(self) -> bool:
        """Its text needs more lines than the label shows."""
        width = self._text_rect().width()
        return (
            bool(self._lines)
            and cut_to_lines(self.text(), self.font(), width, self._lines) != self.text()
        )

    def _text_rect(self) -> QRect:
        """Where QLabel puts its text: inside the frame, indented as QLabel does in one."""
        indent = self.indent()
        if indent < 0:
            indent = self.fontMetrics().horizontalAdvance("x") // 2 if self.frameWidth() else 0
        return self.contentsRect().adjusted(indent, 0, -indent, 0)

    def _needed_height(self) -> int:
        chrome = self.height() - self.contentsRect().height()
        if self._lines:
            return self._lines * QFontMetrics(self.font()).lineSpacing() + chrome
        return super().heightForWidth(max(self.width(), 1)) if self.text() else 0

    def _changed(self) -> None:
        self._show_tooltip()
        height = self._needed_height()
        if height != self._height:
            self._height = height
            self.updateGeometry()
        self.update()

    def _show_tooltip(self) -> None:
        cut = self.is_cut()
        # Cut to its lines: the whole text in the tooltip (one given from outside already is).
        super().setToolTip(self._tooltip or plain_tooltip(self.text()) if cut else self._tooltip)


def cut_to_lines(text: str, font: QFont, width: int, lines: int) -> str:
    """``text`` as it fits ``lines`` lines of ``width`` pixels, word-wrapped: whole when it
    fits, else the lines that fit and the last one ending in an ellipsis."""
    if width <= 0 or not text:
        return text
    layout = QTextLayout(text.replace("\n", _LINE_BREAK), font)
    layout.beginLayout()
    starts: list[int] = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        starts.append(line.textStart())
    layout.endLayout()
    if len(starts) <= lines:
        return text
    # QTextLayout counts UTF-16 code units; a Python string counts code points.
    units = text.encode("utf-16-le")
    start = len(units[: 2 * starts[lines - 1]].decode("utf-16-le", errors="ignore"))
    last = QFontMetrics(font).elidedText(
        text[start:].replace("\n", " "), Qt.TextElideMode.ElideRight, width
    )
    return text[:start] + last


class WholeRowsTable(QTableView):
    """A table that, when it scrolls, leaves empty the part of a row it cannot show whole:
    no refund line is shown cut in half (the scroll bar says there is more)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.verticalScrollBar().valueChanged.connect(lambda _value: self.updateGeometries())

    def updateGeometries(self) -> None:  # noqa: N802 - Qt's name
        super().updateGeometries()  # sets the header's margins, the bottom one to 0
        margins = self.viewportMargins()
        room = self.height() - 2 * self.frameWidth() - margins.top()
        if self.horizontalScrollBar().isVisible():
            room -= self.horizontalScrollBar().height()
        first = max(self.verticalScrollBar().value(), 0)  # scrolled per row: the top row
        shown = 0
        for row in range(first, self.model().rowCount() if self.model() else 0):
            height = self.rowHeight(row)
            if shown + height > room:
                break
            shown += height
        else:
            shown = room  # the rest fits: nothing to leave empty
        bottom = room - shown
        if margins.bottom() != bottom:
            self.setViewportMargins(margins.left(), margins.top(), margins.right(), bottom)

    def rows_cut(self) -> list[int]:
        """The rows partly in view (none when every row is whole or out of view)."""
        viewport = self.viewport().rect()
        model = self.model()
        cut = []
        for row in range(model.rowCount()):
            rect = self.visualRect(model.index(row, 0))
            if rect.intersects(viewport) and not viewport.contains(rect):
                cut.append(row)
        return cut


class ListScrollArea(QScrollArea):
    """Asks for the whole of its widget's height, and takes as little as ``set_least_lines``
    lines of its font when the room is short (it scrolls then)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._least_lines = 2
        self._hint = -1  # the height last asked for

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # The list's lines changed: ask the layout again (a scroll area's own hint stays put).
        if watched is self.widget() and event.type() in (
            QEvent.Type.LayoutRequest,
            QEvent.Type.Resize,
        ):
            hint = self.sizeHint().height()
            if hint != self._hint:
                self._hint = hint
                self.updateGeometry()
        return super().eventFilter(watched, event)

    def set_least_lines(self, lines: int) -> None:
        self._least_lines = lines
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        inner = self.widget()
        height = inner.minimumSizeHint().height() if inner is not None else 0
        return QSize(super().sizeHint().width(), height + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        least = self._least_lines * QFontMetrics(self.font()).lineSpacing()
        height = min(self.sizeHint().height(), least + 2 * self.frameWidth())
        return QSize(super().minimumSizeHint().width(), height)

    def is_scrolled(self) -> bool:
        """Part of the list is out of view."""
        return self.verticalScrollBar().maximum() > 0

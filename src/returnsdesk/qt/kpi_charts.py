"""A small weekly trend chart drawn with QPainter: a line (or columns), one value per week.

PySide6's QtCharts comes only with the Addons wheel and costs its import at start; a line of
six points needs none of it. Labels are drawn as plain text (``drawText`` takes no markup).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

INK = QColor("#1f2933")
LINE = QColor("#1f5f8b")
GRID = QColor("#d0d7de")
MUTED = QColor("#52606d")


def _plain(value: float) -> str:
    return f"{value:.1f}"


class TrendChart(QWidget):
    """Values by week; None is a week without the figure (a gap, no column)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels: list[str] = []
        self._values: list[float | None] = []
        self._columns = False
        self._top: float | None = None
        self._format: Callable[[float], str] = _plain
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_style(
        self, *, columns: bool = False, top: float | None = None, fmt: Callable[[float], str]
    ) -> None:
        """Columns instead of a line; the value axis's top (None: fitted); point labels."""
        self._columns, self._top, self._format = columns, top, fmt
        self.update()

    def set_points(self, labels: list[str], values: list[float | None]) -> None:
        self._labels, self._values = list(labels), list(values)
        self.update()

    def points(self) -> list[tuple[str, float | None]]:
        """What the chart shows, for tests and the accessible description."""
        return list(zip(self._labels, self._values, strict=True))

    def sizeHint(self) -> QSize:
        return QSize(360, 170)

    def minimumSizeHint(self) -> QSize:
        return QSize(180, 100)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        metrics = QFontMetricsF(self.font())
        line_height = metrics.height()
        known = [v for v in self._values if v is not None]
        box = QRectF(self.rect()).adjusted(4, line_height + 4, -4, -(line_height + 6))
        if not known or box.height() < line_height or box.width() < 40:
            painter.setPen(MUTED)
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, "No data")
            return
        top = max(known) * 1.2 if max(known) > 0 else 1.0
        if self._top is not None:
            top = min(max(top, 1.0), self._top)
        slot = box.width() / len(self._values)

        def y_of(value: float) -> float:
            return box.bottom() - box.height() * min(value, top) / top

        painter.setPen(QPen(GRID, 1))
        for step in (0.0, 0.5, 1.0):
            y = box.bottom() - box.height() * step
            painter.drawLine(QPointF(box.left(), y), QPointF(box.right(), y))
        points: list[QPointF | None] = []
        for index, value in enumerate(self._values):
            x = box.left() + slot * (index + 0.5)
            points.append(None if value is None else QPointF(x, y_of(value)))
        if self._columns:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(LINE)
            for point in points:
                if point is not None:
                    width = slot * 0.6
                    painter.drawRect(
                        QRectF(point.x() - width / 2, point.y(), width, box.bottom() - point.y())
                    )
        else:
            path = QPainterPath()
            pen_down = False
            for point in points:
                if point is None:
                    pen_down = False  # a week without the figure breaks the line
                elif pen_down:
                    path.lineTo(point)
                else:
                    path.moveTo(point)
                    pen_down = True
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(LINE, 2.5))
            painter.drawPath(path)
            painter.setBrush(LINE)
            for point in points:
                if point is not None:
                    painter.drawEllipse(point, 3.5, 3.5)
        painter.setPen(INK)
        for index, (point, value) in enumerate(zip(points, self._values, strict=True)):
            column = QRectF(box.left() + slot * index, 0, slot, line_height)
            if point is not None and value is not None:
                above = column.translated(0, point.y() - line_height - 4)
                painter.drawText(above, Qt.AlignmentFlag.AlignHCenter, self._format(value))
            painter.setPen(MUTED)
            below = column.translated(0, box.bottom() + 4)
            label = metrics.elidedText(self._labels[index], Qt.TextElideMode.ElideRight, slot)
            painter.drawText(below, Qt.AlignmentFlag.AlignHCenter, label)
            painter.setPen(INK)

"""Weekly trend charts for the PDF: a line or columns, one value per week (reportlab.graphics).

Labels are plain strings to reportlab.graphics (never markup), as in ``pdf._bars``.
"""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

LINE = colors.HexColor("#1f5f8b")
GRID = colors.HexColor("#d0d7de")
HEIGHT = 105


def trend_drawing(
    kind: str, labels: list[str], values: list[float], *, width: float, font: str
) -> Drawing:
    drawing = Drawing(width, HEIGHT)
    if not values:
        drawing.add(String(0, HEIGHT / 2, "No data in this period.", fontName=font, fontSize=8))
        return drawing
    chart = VerticalBarChart() if kind == "columns" else HorizontalLineChart()
    chart.x, chart.y = 40, 18
    chart.width, chart.height = width - 60, HEIGHT - 28
    chart.data = [values]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max(values)
    chart.valueAxis.valueMax = top * 1.2 if top > 0 else 1
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    label_format = "%.0f" if all(v == int(v) for v in values) else "%.1f"
    if kind == "columns":
        chart.bars[0].fillColor = LINE
        chart.bars[0].strokeColor = None
        chart.barLabelFormat = label_format
        chart.barLabels.fontName = font
        chart.barLabels.fontSize = 7
        chart.barLabels.nudge = 6
    else:
        chart.joinedLines = 1
        chart.lines[0].strokeColor = LINE
        chart.lines[0].strokeWidth = 1.5
        chart.lineLabelFormat = label_format
        chart.lineLabels.fontName = font
        chart.lineLabels.fontSize = 7
        chart.lineLabels.dy = 6
    drawing.add(chart)
    return drawing

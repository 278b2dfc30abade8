"""Weekly trend charts for the PDF: a line or columns, one value per week (reportlab.graphics).

Labels are plain strings to reportlab.graphics (never markup), as in ``pdf._bars``.
"""

from __future__ import annotations

import math

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from returnsdesk.services.reports.content import Chart

LINE = colors.HexColor("#1f5f8b")
GRID = colors.HexColor("#d0d7de")
HEIGHT = 105


def trend_drawing(chart_block: Chart, labels: list[str], *, width: float, font: str) -> Drawing:
    kind = chart_block.kind
    # NaN is a week without the figure: a gap in the line, no column.
    values: list[float | None] = [None if math.isnan(v) else v for v in chart_block.values]
    known = [v for v in values if v is not None]
    drawing = Drawing(width, HEIGHT)
    if not known:
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
    top = max(known)
    fitted = top * 1.2 if top > 0 else 1
    limit = chart_block.value_max
    chart.valueAxis.valueMax = fitted if limit is None else min(max(fitted, 1), limit)
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    pattern = "%.0f" if all(v == int(v) for v in known) else "%.1f"

    def label_format(value: float | None) -> str:
        return "" if value is None else pattern % value

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

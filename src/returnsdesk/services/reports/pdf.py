"""Draw a ``ReportContent`` as a PDF with reportlab's platypus and graphics.

Every page carries the title, the filter, the station, the generation time and "Page N of M"
(the total is known only after the last page, so pages are buffered by ``_NumberedCanvas``).
All text from data goes through ``escape_text`` before it reaches a ``Paragraph``: Paragraph
text is markup, and ReportLab markup from untrusted text has had a remote-code-execution bug
(CVE-2023-33733). Chart labels are plain strings to reportlab.graphics and need no escaping.

The bundled DejaVu Sans (``resources/fonts``) covers Latin, Greek, Cyrillic, Arabic and Hebrew
letters; reportlab writes right-to-left text in stored (logical) order and has no colour emoji,
so those show as the font's placeholder glyph rather than failing.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from returnsdesk.paths import resources_dir
from returnsdesk.services.reports.content import (
    Chart,
    Facts,
    Heading,
    Photo,
    ReportContent,
    Table,
    Text,
)
from returnsdesk.services.reports.trend_charts import trend_drawing

FONT, FONT_BOLD = "ReportSans", "ReportSans-Bold"
CELL_LIMIT = 300  # characters of one cell shown in the PDF; the CSV keeps the whole text
CELL_PADDING = 4  # points left and right of a table cell's text
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#cbd2d9")
HEADER_FILL = colors.HexColor("#243b53")
STRIPE = colors.HexColor("#f0f4f8")
PALETTE = [
    colors.HexColor(c)
    for c in ("#2f80ed", "#27ae60", "#f2994a", "#9b51e0", "#eb5757", "#56ccf2", "#828282")
]

_fonts_lock = threading.Lock()
# C0 controls other than tab and newline, and lone surrogates, cannot go into a PDF string.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")

Progress = Callable[[float, str], None]


def register_fonts() -> None:
    """Register the bundled Unicode font once per process (thread-safe)."""
    with _fonts_lock:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        folder = resources_dir() / "fonts"
        pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


def clean_text(text: str, limit: int | None = None) -> str:
    """Printable text, cut at ``limit`` characters with a note of the full length."""
    text = _UNPRINTABLE.sub("\ufffd", text)
    if limit is not None and len(text) > limit:
        return f"{text[:limit]}… ({len(text):,} characters; full text in the CSV)"
    return text


def escape_text(text: str, limit: int | None = None) -> str:
    """Plain text as Paragraph markup that shows exactly these characters (newlines kept)."""
    return escape(clean_text(text, limit)).replace("\n", "<br/>")


@dataclass(frozen=True)
class PageFrame:
    """What every page's header and footer say."""

    title: str
    filter_text: str
    station: str
    generated_at: datetime


class _Styles:
    def __init__(self) -> None:
        base = ParagraphStyle("body", fontName=FONT, fontSize=8.5, leading=11, textColor=INK)
        self.body = base
        self.cell = ParagraphStyle("cell", base, fontSize=8, leading=10)
        self.cell_right = ParagraphStyle("cell_right", self.cell, alignment=TA_RIGHT)
        self.head = ParagraphStyle("head", self.cell, fontName=FONT_BOLD, textColor=colors.white)
        self.head_right = ParagraphStyle("head_right", self.head, alignment=TA_RIGHT)
        self.title = ParagraphStyle(
            "title", base, fontName=FONT_BOLD, fontSize=17, leading=21, spaceAfter=2
        )
        self.subtitle = ParagraphStyle(
            "subtitle", base, fontSize=9.5, leading=12, textColor=MUTED, spaceAfter=8
        )
        self.heading = ParagraphStyle(
            "heading",
            base,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
            textColor=HEADER_FILL,
        )
        self.caption = ParagraphStyle(
            "caption", base, fontName=FONT_BOLD, fontSize=9, leading=12, spaceBefore=6, spaceAfter=3
        )
        self.note = ParagraphStyle("note", base, fontSize=8, leading=10, textColor=MUTED)


def render_pdf(content: ReportContent, frame: PageFrame, progress: Progress | None = None) -> bytes:
    """The report as PDF bytes. ``progress`` hears about laying out and writing."""
    register_fonts()
    styles = _Styles()
    story: list[Flowable] = [
        Paragraph(escape_text(content.title), styles.title),
        Paragraph(escape_text(content.filter_text), styles.subtitle),
    ]
    for block in content.blocks:
        story.extend(_flowables(block, styles))
    if progress is not None:
        progress(0.8, "Laying out pages")
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 8 * mm,
        bottomMargin=MARGIN + 6 * mm,
        title=clean_text(content.title, 200),
        subject=clean_text(content.filter_text, 500),
        author="returnsdesk",
        creator="returnsdesk",
    )

    def canvas_maker(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        return _NumberedCanvas(*args, frame=frame, **kwargs)

    document.build(story, canvasmaker=canvas_maker)
    return buffer.getvalue()


def _flowables(block: object, styles: _Styles) -> list[Flowable]:
    if isinstance(block, Heading):
        # Never strand a heading at the foot of a page.
        return [CondPageBreak(70 * mm), Paragraph(escape_text(block.text), styles.heading)]
    if isinstance(block, Text):
        return [Paragraph(escape_text(block.text), styles.body), Spacer(1, 3)]
    if isinstance(block, Facts):
        return _table(block.as_table(), styles, widths=(0.55, 0.45))
    if isinstance(block, Table):
        return _table(block, styles)
    if isinstance(block, Chart):
        return [KeepTogether([Paragraph(escape_text(block.title), styles.caption), _chart(block)])]
    if isinstance(block, Photo):
        return _photo(block, styles)
    raise TypeError(f"no drawing for {type(block).__name__}")


def _table(
    table: Table,
    styles: _Styles,
    *,
    widths: Sequence[float] | None = None,
) -> list[Flowable]:
    caption = Paragraph(escape_text(table.title), styles.caption)
    if not table.rows:
        return [KeepTogether([caption, Paragraph(escape_text(table.empty), styles.note)])]
    relative = widths or table.widths or (1.0,) * len(table.columns)
    scale = BODY_WIDTH / sum(relative)
    col_widths = [w * scale for w in relative]

    def cell(text: str, index: int, header: bool) -> Paragraph | str:
        right = index in table.numeric
        if header:
            style = styles.head_right if right else styles.head
        else:
            style = styles.cell_right if right else styles.cell
            # Text that fits its column on one line goes in as a plain string, which ReportLab
            # draws without the paragraph layout (half the PDF time of a 200-row list).
            plain = clean_text(text, CELL_LIMIT)
            room = col_widths[index] - 2 * CELL_PADDING
            width = pdfmetrics.stringWidth(plain, style.fontName, style.fontSize)
            if "\n" not in plain and width <= room:
                return plain
        return _Cell(escape_text(text, CELL_LIMIT), style)

    data = [[cell(c, i, True) for i, c in enumerate(table.columns)]]
    data += [[cell(c, i, False) for i, c in enumerate(row)] for row in table.rows]
    grid = LongTable(data, colWidths=col_widths, repeatRows=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        # Plain-string cells, styled as the paragraph cells are.
        ("FONTNAME", (0, 1), (-1, -1), styles.cell.fontName),
        ("FONTSIZE", (0, 1), (-1, -1), styles.cell.fontSize),
        ("LEADING", (0, 1), (-1, -1), styles.cell.leading),
        ("TEXTCOLOR", (0, 1), (-1, -1), styles.cell.textColor),
        *(("ALIGN", (i, 1), (i, -1), "RIGHT") for i in sorted(table.numeric)),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    commands += [("BACKGROUND", (0, r), (-1, r), STRIPE) for r in range(2, len(data), 2)]
    grid.setStyle(TableStyle(commands))
    # Caption and table move to the next page together when they would fit there; a table
    # longer than a page starts here and splits, repeating its header row.
    return [KeepTogether([caption, grid]), Spacer(1, 4)]


class _Cell(Paragraph):  # type: ignore[misc]  # reportlab has no type hints
    """A table cell that keeps its line breaks for the width it was last wrapped to.

    ReportLab wraps every remaining cell of a long table again for each page the table spills
    onto (and once more inside KeepTogether); the lines only depend on the width, and reusing
    them took the 200-row exception list from about 4 wraps per cell to 1."""

    _wrapped: tuple[float, float, float] | None = None  # available width, width, height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._wrapped is None or self._wrapped[0] != availWidth:
            width, height = super().wrap(availWidth, availHeight)
            self._wrapped = (availWidth, width, height)
        return self._wrapped[1], self._wrapped[2]


def _chart(chart: Chart) -> Drawing:
    labels = [clean_text(label, 40) for label in chart.labels]
    values = list(chart.values)
    if chart.kind == "pie":
        return _pie(labels, values)
    if chart.kind in ("line", "columns"):
        return trend_drawing(chart, labels, width=BODY_WIDTH, font=FONT)
    return _bars(labels, values)


def _bars(labels: list[str], values: list[float]) -> Drawing:
    row = 14
    height = max(60, row * len(values) + 24)
    drawing = Drawing(BODY_WIDTH, height)
    if not values:
        drawing.add(String(0, height / 2, "No data in this period.", fontName=FONT, fontSize=8))
        return drawing
    bars = HorizontalBarChart()
    bars.x, bars.y = 150, 12
    bars.width, bars.height = BODY_WIDTH - 210, height - 20
    bars.data = [values]
    bars.categoryAxis.categoryNames = labels
    bars.categoryAxis.reverseDirection = True  # first label on top, as in the table
    bars.categoryAxis.labels.fontName = FONT
    bars.categoryAxis.labels.fontSize = 7.5
    bars.categoryAxis.labels.boxAnchor = "e"
    bars.categoryAxis.labels.dx = -4
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labels.fontName = FONT
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.visibleGrid = True
    bars.valueAxis.gridStrokeColor = RULE
    bars.barLabelFormat = "%.0f" if all(v == int(v) for v in values) else "%.1f"
    bars.barLabels.fontName = FONT
    bars.barLabels.fontSize = 7
    bars.barLabels.boxAnchor = "w"
    bars.barLabels.dx = 3
    bars.bars[0].fillColor = PALETTE[0]
    bars.bars[0].strokeColor = None
    bars.barWidth = row * 0.6
    drawing.add(bars)
    return drawing


def _pie(labels: list[str], values: list[float]) -> Drawing:
    height = 130
    drawing = Drawing(BODY_WIDTH, height)
    total = sum(values)
    if total <= 0:
        drawing.add(String(0, height / 2, "No data in this period.", fontName=FONT, fontSize=8))
        return drawing
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 20, 10, 110, 110
    pie.data = values
    pie.labels = None
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 1
    for index in range(len(values)):
        pie.slices[index].fillColor = PALETTE[index % len(PALETTE)]
    drawing.add(pie)
    # A legend with shares beside the pie: slice labels collide when slices are thin.
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = height - 18 - index * 13
        drawing.add(_swatch(170, y, PALETTE[index % len(PALETTE)]))
        drawing.add(
            String(
                184,
                y + 1,
                f"{label}  {value / total:.0%}",
                fontName=FONT,
                fontSize=8,
                fillColor=INK,
            )
        )
    return drawing


def _swatch(x: float, y: float, color: colors.Color) -> Rect:
    return Rect(x, y, 9, 9, fillColor=color, strokeColor=None)


def _photo(photo: Photo, styles: _Styles) -> list[Flowable]:
    caption = Paragraph(escape_text(photo.caption), styles.note)
    if not photo.available:
        return [caption, Spacer(1, 4)]
    image = Image(str(photo.path))
    # Fit in a box a third of the page high, keeping the aspect ratio.
    box_w, box_h = BODY_WIDTH * 0.6, PAGE_HEIGHT / 3
    ratio = min(box_w / image.imageWidth, box_h / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * ratio, image.imageHeight * ratio
    image.hAlign = "LEFT"
    return [KeepTogether([image, caption]), Spacer(1, 6)]


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    """Buffers pages so each can say "Page N of M" once M is known."""

    def __init__(self, *args: Any, frame: PageFrame, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._frame = frame
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        frame = self._frame
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        top = PAGE_HEIGHT - MARGIN
        self.setFont(FONT_BOLD, 8)
        self.setFillColor(HEADER_FILL)
        self.drawString(MARGIN, top, clean_text(f"returnsdesk · {frame.title}", 90))
        self.setFont(FONT, 7.5)
        self.setFillColor(MUTED)
        self.drawRightString(PAGE_WIDTH - MARGIN, top, clean_text(f"Station: {frame.station}", 60))
        self.line(MARGIN, top - 4, PAGE_WIDTH - MARGIN, top - 4)
        bottom = MARGIN
        self.line(MARGIN, bottom + 10, PAGE_WIDTH - MARGIN, bottom + 10)
        self.drawString(MARGIN, bottom, clean_text(frame.filter_text, 110))
        self.drawRightString(
            PAGE_WIDTH - MARGIN,
            bottom,
            f"Generated {frame.generated_at:%Y-%m-%d %H:%M %Z}"
            f" · Page {self._pageNumber} of {total}",
        )
        self.restoreState()

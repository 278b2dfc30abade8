"""A printable A4 sheet of the demo parcels' barcodes, to try the station with a real scanner.

Barcodes are vector drawings sized for handheld scanners and phone cameras: Code 128 at a
0.40 mm module and EAN-13 at 0.35 mm (above the 0.33 mm nominal), each with its quiet zones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.eanbc import Ean13BarcodeWidget
from reportlab.graphics.barcode.widgets import BarcodeCode128
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from returnsdesk.domain.barcodes import is_valid_gtin
from returnsdesk.services.demo import DemoItem, DemoParcel, DemoSummary

_CODE128_MODULE = 0.40 * mm
_CODE128_HEIGHT = 14 * mm
_TEXT_BAND = 13  # points below Code 128 bars for the human-readable line
_EAN_MODULE = 0.35 * mm
_EAN_HEIGHT = 18 * mm
# The EAN-13 widget leaves 9 modules of quiet zone each side; GS1 asks for 11 on the left.
_EAN_EXTRA_LEFT_QUIET = 2 * _EAN_MODULE
_MARGIN = 15 * mm
_LABEL_WIDTH = 68 * mm
_BARCODE_WIDTH = A4[0] - 2 * _MARGIN - _LABEL_WIDTH
_TITLE = "returnsdesk demo parcels"


def _fitted(widget: Any, *, extra_left: float = 0.0, extra_bottom: float = 0.0) -> Drawing:
    """A drawing around ``widget``'s bounds, with extra blank space to its left and below.

    Shapes added to the drawing later share the widget's coordinates.
    """
    x1, y1, x2, y2 = widget.getBounds()
    shift = [1, 0, 0, 1, extra_left - x1, extra_bottom - y1]
    drawing = Drawing(x2 - x1 + extra_left, y2 - y1 + extra_bottom, transform=shift)
    drawing.add(widget)
    return drawing


def code128(value: str) -> Drawing:
    """A Code 128 symbol with its quiet zones and the value printed under it."""
    widget = BarcodeCode128(value=value, barWidth=_CODE128_MODULE, barHeight=_CODE128_HEIGHT)
    widget.validate()  # the widget draws nothing for characters Code 128 cannot carry
    if not widget.valid:
        raise ValueError(f"Not encodable in Code 128: {value!r}")
    drawing = _fitted(widget, extra_bottom=_TEXT_BAND)
    # Our own text line: the widget's human-readable text touches the bars.
    x1, y1, x2, _ = widget.getBounds()
    drawing.add(
        String(
            (x1 + x2) / 2,
            y1 - _TEXT_BAND + 3,
            value,
            fontName="Helvetica",
            fontSize=10,
            textAnchor="middle",
        )
    )
    return drawing


def ean13(gtin: str) -> Drawing:
    """An EAN-13 symbol for a 13-digit GTIN, with GS1 quiet zones and its digits."""
    if len(gtin) != 13 or not is_valid_gtin(gtin):
        raise ValueError(f"Not a valid EAN-13: {gtin!r}")
    # The widget takes the 12-digit body and adds the check digit itself.
    widget = Ean13BarcodeWidget(
        value=gtin[:12], barWidth=_EAN_MODULE, barHeight=_EAN_HEIGHT, fontSize=9
    )
    return _fitted(widget, extra_left=_EAN_EXTRA_LEFT_QUIET)


def _styles() -> dict[str, ParagraphStyle]:
    sample = getSampleStyleSheet()
    return {
        "title": sample["Title"],
        "body": sample["BodyText"],
        "heading": ParagraphStyle("heading", parent=sample["Heading4"], spaceBefore=0),
        "label": ParagraphStyle("label", parent=sample["BodyText"], fontSize=9, leading=11),
    }


def _item_rows(item: DemoItem, styles: dict[str, ParagraphStyle]) -> list[list[Flowable]]:
    quantity = f"{item.quantity} \N{MULTIPLICATION SIGN}"
    text = f"<b>{quantity} {escape(item.title)}</b><br/>SKU {escape(item.sku)}"
    rows: list[list[Flowable]] = [[Paragraph(text, styles["label"]), ean13(item.gtin)]]
    for number, serial in enumerate(item.serial_numbers, start=1):
        label = f"Serial number {number} of {len(item.serial_numbers)}"
        rows.append([Paragraph(label, styles["label"]), code128(serial)])
    return rows


def _parcel_block(index: int, parcel: DemoParcel, styles: dict[str, ParagraphStyle]) -> Flowable:
    heading = Paragraph(f"{index}. {escape(parcel.scenario)}", styles["heading"])
    who = Paragraph(
        f"{escape(parcel.customer_name)} \N{EM DASH} {escape(parcel.rma_number)}", styles["label"]
    )
    rows: list[list[Flowable]] = []
    if parcel.tracking_number:
        label = Paragraph(f"<b>Parcel label</b><br/>{escape(parcel.carrier)}", styles["label"])
        rows.append([label, code128(parcel.tracking_number)])
    for item in parcel.items:
        rows.extend(_item_rows(item, styles))
    table = Table(rows, colWidths=[_LABEL_WIDTH, _BARCODE_WIDTH], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEABOVE", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    # Never split a parcel across pages: its barcodes are scanned together.
    return KeepTogether([heading, who, Spacer(1, 2 * mm), table, Spacer(1, 6 * mm)])


def _footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.drawString(_MARGIN, 8 * mm, _TITLE)
    canvas.drawRightString(A4[0] - _MARGIN, 8 * mm, f"Page {doc.page}")
    canvas.restoreState()


def write_demo_sheet(summary: DemoSummary, path: Path) -> Path:
    """Write the sheet as an A4 PDF at ``path`` and return the path."""
    styles = _styles()
    story: list[Flowable] = [
        Paragraph(_TITLE, styles["title"]),
        Paragraph(
            "Start the station with <b>returnsdesk --demo</b>. For each parcel below: scan the "
            "parcel label, then each item (and its serial number when asked), then a grade key "
            "1-5, then Enter. The first five parcels are designed scenarios; the others are "
            "ordinary open returns.",
            styles["body"],
        ),
        Paragraph(
            "Print at actual size (100 %, not \u201cfit to page\u201d) so the bars keep the width "
            f"scanners expect. {summary.open_returns} open returns over {summary.orders} orders.",
            styles["body"],
        ),
        Spacer(1, 6 * mm),
    ]
    story += [_parcel_block(i, p, styles) for i, p in enumerate(summary.parcels, start=1)]
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN,
        title=_TITLE,
        author="returnsdesk",
    )
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return path

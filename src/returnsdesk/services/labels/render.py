"""Routing labels as PDF (reportlab, vector bars) and as ZPL (Zebra-type thermal printers).

Both layouts put what routes the unit first and biggest: the disposition in a black band, the
destination location, the grade, then the license plate barcode, then RMA and SKU. Labels under
60 mm high (2x1 in) carry the barcode, the plate and one routing line only.

Text from data is never interpreted: the PDF draws it with ``drawString`` (no Paragraph markup,
see CVE-2023-33733), ZPL carries it hex-escaped (``^FH``) so a ``^`` or ``~`` in a product title
cannot end the field and inject printer commands. Control and bidi-override characters are
dropped, long text is shrunk and then cut with an ellipsis. Right-to-left text is drawn in
stored order (reportlab has no bidi), emoji without a glyph show as the font's blank box.

ZPL is written directly rather than with the ``zpl`` package: the format is a few commands
here, and this code needs exact control over ``^FH`` escaping, ``^FB`` clipping and ``^CI28``
(UTF-8) that the package does not make easier; it would add Pillow for nothing used, and its
preview calls an online service.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import barcode
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from returnsdesk.domain.labels import MM_PER_INCH, LabelSize, RoutingLabel

_MAX_TEXT = 200  # characters kept from any data field before fitting
_ELLIPSIS = "…"
# Code128 modules of a 12-character license plate in subset B: start, 12 symbols, check (11
# each) and stop (13). ZPL's automatic mode is never longer; python-barcode says exactly.
_ZPL_PLATE_MODULES = 11 * 14 + 13
_QUIET_MODULES = 10  # each side
# Font 0 (CG Triumvirate Bold Condensed) at width = height: capitals and digits are at most
# about 0.6 of the height wide; fitting to this keeps a line inside its ^FB width.
_ZPL_CHAR_WIDTH = 0.62


def clean_text(text: str, limit: int = _MAX_TEXT) -> str:
    """``text`` without control or format characters (bidi overrides, zero-width), capped."""
    kept = "".join(
        " " if ch in "\t\r\n" else ch
        for ch in text[: limit * 2]
        if ch in "\t\r\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    return " ".join(kept.split())[:limit]


def code128_modules(value: str) -> str:
    """The bars and spaces of ``value`` as Code128 (python-barcode), '1' for a dark module."""
    symbol = barcode.get_barcode_class("code128")(value)
    modules: str = symbol.build()[0]
    return modules


# --- PDF ---------------------------------------------------------------------------------------

_FONT_CANDIDATES = {
    # DejaVu covers Latin, Greek, Cyrillic, Hebrew and Arabic letters; Vera ships with reportlab.
    "LabelSans": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "Vera.ttf"),
    "LabelSans-Bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "VeraBd.ttf"),
}
# Without either TrueType file (a trimmed installation), the PDF base fonts still print every
# label; they know Latin-1 only, so other characters become "?".
_BASE_FONTS = {"LabelSans": "Helvetica", "LabelSans-Bold": "Helvetica-Bold"}
_fonts: dict[str, str] = {}


def _font(name: str) -> str:
    """The registered font for ``name``: the first TrueType file found, else a base font."""
    if name not in _fonts:
        import reportlab

        bundled = Path(reportlab.__file__).resolve().parent / "fonts"
        system, fallback = _FONT_CANDIDATES[name]
        path = next((p for p in (Path(system), bundled / fallback) if p.is_file()), None)
        if path is None:
            _fonts[name] = _BASE_FONTS[name]
        else:
            pdfmetrics.registerFont(TTFont(name, str(path)))
            _fonts[name] = name
    return _fonts[name]


def _encodable(text: str, font: str) -> str:
    if font in _BASE_FONTS.values():
        return text.encode("latin-1", "replace").decode("latin-1")
    return text


def _fit(text: str, font: str, largest: float, smallest: float, width: float) -> tuple[str, float]:
    """The font size (down to ``smallest``) at which ``text`` fits ``width``, cut if need be."""
    size = largest
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size = max(smallest, size * 0.92)
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text, size
    while text and pdfmetrics.stringWidth(text + _ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text.rstrip() + _ELLIPSIS, size


class _Pdf:
    """One label page; coordinates in points from the bottom left, sizes relative to the label."""

    def __init__(self, canvas: Canvas, size: LabelSize) -> None:
        self.c = canvas
        self.width = size.width_mm * mm
        self.height = size.height_mm * mm
        self.margin = min(self.width, self.height) * 0.05

    def text(
        self,
        text: str,
        *,
        y: float,
        largest: float,
        smallest: float = 5.0,
        bold: bool = False,
        x: float | None = None,
        width: float | None = None,
        centre: bool = False,
        white: bool = False,
    ) -> float:
        """Draw one line of ``text`` with its baseline at ``y``; returns the size used."""
        font = _font("LabelSans-Bold" if bold else "LabelSans")
        left = self.margin if x is None else x
        room = (self.width - 2 * self.margin) if width is None else width
        shown, size = _fit(_encodable(clean_text(text), font), font, largest, smallest, room)
        self.c.setFont(font, size)
        self.c.setFillGray(1 if white else 0)
        if centre:
            self.c.drawCentredString(left + room / 2, y, shown)
        else:
            self.c.drawString(left, y, shown)
        self.c.setFillGray(0)
        return size

    def bars(self, value: str, *, y: float, height: float) -> None:
        """Code128 as filled rectangles, centred, as wide as the label allows."""
        modules = code128_modules(value)
        module = (self.width - 2 * self.margin) / (len(modules) + 2 * _QUIET_MODULES)
        x = (self.width - module * len(modules)) / 2
        start = None
        for index, bit in enumerate([*modules, "0"]):
            if bit == "1" and start is None:
                start = index
            elif bit == "0" and start is not None:
                self.c.rect(x + start * module, y, (index - start) * module, height, 0, 1)
                start = None


def render_pdf(labels: Sequence[RoutingLabel], size: LabelSize) -> bytes:
    """One page per label, the page exactly the label's size."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(size.width_mm * mm, size.height_mm * mm), invariant=True)
    canvas.setTitle("Routing labels")
    canvas.setCreator("returnsdesk")
    for label in labels:
        page = _Pdf(canvas, size)
        if size.small:
            _small_pdf(page, label)
        else:
            _large_pdf(page, label)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _large_pdf(p: _Pdf, label: RoutingLabel) -> None:
    w, h, m = p.width, p.height, p.margin
    unit = h / 100  # layout in hundredths of the label's height
    inner = w - 2 * m
    # Disposition in a black band: readable across the room.
    band = 17 * unit
    p.c.rect(0, h - band, w, band, 0, 1)
    p.text(
        label.disposition.label.upper(),
        y=h - band + 4.5 * unit,
        largest=9.5 * unit,
        bold=True,
        centre=True,
        white=True,
    )
    # Destination and grade side by side.
    top = h - band - 3 * unit
    grade_box = min(22 * unit, inner * 0.3)
    p.text("TO", y=top - 3 * unit, largest=2.6 * unit, bold=True)
    p.text(
        label.location,
        y=top - 15 * unit,
        largest=10 * unit,
        bold=True,
        width=inner - grade_box - m,
    )
    box_x = w - m - grade_box
    p.c.setLineWidth(max(1.5, unit * 0.4))
    p.c.rect(box_x, top - grade_box, grade_box, grade_box, 1, 0)
    p.text(
        "GRADE",
        y=top - 3 * unit,
        largest=2.4 * unit,
        bold=True,
        x=box_x,
        width=grade_box,
        centre=True,
    )
    p.text(
        label.grade,
        y=top - grade_box + 3 * unit,
        largest=grade_box * 0.62,
        bold=True,
        x=box_x + m / 2,
        width=grade_box - m,
        centre=True,
    )
    # The license plate.
    bars_top = top - grade_box - 5 * unit
    bars_height = 21 * unit
    p.bars(label.license_plate, y=bars_top - bars_height, height=bars_height)
    p.text(
        label.license_plate,
        y=bars_top - bars_height - 5 * unit,
        largest=4.4 * unit,
        bold=True,
        centre=True,
    )
    # What it is.
    y = bars_top - bars_height - 13 * unit
    p.c.setLineWidth(max(0.8, unit * 0.2))
    p.c.line(m, y + 5.5 * unit, w - m, y + 5.5 * unit)
    p.text("RMA", y=y, largest=2.4 * unit, bold=True)
    p.text(
        label.rma_number, y=y, largest=4.2 * unit, bold=True, x=m + 9 * unit, width=inner - 9 * unit
    )
    y -= 6.5 * unit
    p.text("SKU", y=y, largest=2.4 * unit, bold=True)
    p.text(label.sku, y=y, largest=4.2 * unit, bold=True, x=m + 9 * unit, width=inner - 9 * unit)
    y -= 5.5 * unit
    p.text(label.title, y=y, largest=3 * unit)
    when = label.inspected_at.strftime("%Y-%m-%d %H:%M UTC")
    p.text(f"{_shop(label)}{label.station_code} · {when}", y=m, largest=2.4 * unit)


def _shop(label: RoutingLabel) -> str:
    """The client shop a unit is routed for, first on the footer (several shops' goods)."""
    return f"{label.client} · " if label.client else ""


def _small_pdf(p: _Pdf, label: RoutingLabel) -> None:
    h, m = p.height, p.margin
    unit = h / 100
    p.bars(label.license_plate, y=h - m - 40 * unit, height=40 * unit)
    p.text(label.license_plate, y=h - m - 52 * unit, largest=11 * unit, bold=True, centre=True)
    routing = f"{label.disposition.label.upper()} → {label.location} · {label.grade}"
    p.text(routing, y=h - m - 70 * unit, largest=15 * unit, bold=True, centre=True)
    p.text(f"{label.rma_number} · {label.sku}", y=m, largest=10 * unit, centre=True)


# --- ZPL ---------------------------------------------------------------------------------------


def _zpl_field(text: str) -> str:
    """``text`` as ZPL field data under ``^FH\\``: anything beyond plain ASCII is hex UTF-8."""
    out = []
    for ch in clean_text(text):
        if " " <= ch <= "~" and ch not in "^~\\":
            out.append(ch)
        else:
            out.extend(f"\\{byte:02X}" for byte in ch.encode("utf-8"))
    return "".join(out)


class _Zpl:
    def __init__(self, size: LabelSize, dpi: int) -> None:
        self.width, self.height = size.dots(dpi)
        self.dpi = dpi
        self.margin = round(dpi * 2 / MM_PER_INCH)  # 2 mm
        self.commands: list[str] = ["^XA", "^CI28", f"^PW{self.width}", f"^LL{self.height}"]

    def text(
        self,
        text: str,
        *,
        y: int,
        height: int,
        x: int | None = None,
        width: int | None = None,
        centre: bool = False,
        lines: int = 1,
        reverse: bool = False,
    ) -> None:
        """A text block; ``^FB`` wraps at ``width`` and drops what does not fit in ``lines``.

        One-line text is made smaller until it fits (as the PDF does), so a long location is
        shown whole rather than cut at the wrap; below a third of ``height`` it is cut.
        """
        left = self.margin if x is None else x
        room = self.width - 2 * self.margin if width is None else width
        justify = "C" if centre else "L"
        if lines == 1:
            fits = int(room / (max(len(clean_text(text)), 1) * _ZPL_CHAR_WIDTH))
            height = max(height // 3, min(height, fits))
        self.commands.append(
            f"^FO{left},{y}^A0N,{height},{height}^FB{room},{lines},0,{justify},0"
            + ("^FR" if reverse else "")
            + f"^FH\\^FD{_zpl_field(text)}^FS"
        )

    def box(self, *, x: int, y: int, width: int, height: int, thickness: int) -> None:
        self.commands.append(f"^FO{x},{y}^GB{width},{height},{thickness}^FS")

    def bars(self, value: str, *, y: int, height: int) -> None:
        # The quiet zones may reach the label's edges: the label's margin is not added to them.
        module = max(1, min(4, self.width // (_ZPL_PLATE_MODULES + 2 * _QUIET_MODULES)))
        x = max(0, (self.width - module * _ZPL_PLATE_MODULES) // 2)
        # Automatic subset (mode A) picks the shortest encoding; no human-readable line (N):
        # the plate is printed larger below it.
        self.commands.append(
            f"^FO{x},{y}^BY{module},2,{height}^BCN,{height},N,N,N,A^FH\\^FD{_zpl_field(value)}^FS"
        )

    def done(self) -> bytes:
        return ("\n".join([*self.commands, "^XZ"]) + "\n").encode("utf-8")


def render_zpl(label: RoutingLabel, size: LabelSize, dpi: int) -> bytes:
    z = _Zpl(size, dpi)
    if size.small:
        _small_zpl(z, label)
    else:
        _large_zpl(z, label)
    return z.done()


def _large_zpl(z: _Zpl, label: RoutingLabel) -> None:
    w, h, m = z.width, z.height, z.margin
    unit = h / 100
    inner = w - 2 * m
    band = round(17 * unit)
    z.box(x=0, y=0, width=w, height=band, thickness=band)
    z.text(
        label.disposition.label.upper(),
        y=round(3.5 * unit),
        height=round(10 * unit),
        centre=True,
        reverse=True,
    )
    top = band + round(3 * unit)
    grade_box = round(min(22 * unit, inner * 0.3))
    z.text("TO", y=top, height=round(3 * unit))
    z.text(
        label.location,
        y=top + round(5 * unit),
        height=round(11 * unit),
        width=inner - grade_box - m,
    )
    box_x = w - m - grade_box
    z.box(x=box_x, y=top, width=grade_box, height=grade_box, thickness=max(3, round(unit * 0.6)))
    z.text(
        "GRADE",
        y=top + round(1.5 * unit),
        height=round(2.8 * unit),
        x=box_x,
        width=grade_box,
        centre=True,
    )
    z.text(
        label.grade,
        y=top + round(5 * unit),
        height=round(grade_box * 0.7),
        x=box_x,
        width=grade_box,
        centre=True,
    )
    bars_y = top + grade_box + round(5 * unit)
    bars_height = round(18 * unit)
    z.bars(label.license_plate, y=bars_y, height=bars_height)
    z.text(
        label.license_plate,
        y=bars_y + bars_height + round(1.5 * unit),
        height=round(4.8 * unit),
        centre=True,
    )
    y = bars_y + bars_height + round(9 * unit)
    z.box(x=m, y=y, width=inner, height=1, thickness=max(2, round(unit * 0.3)))
    y += round(2 * unit)
    z.text(f"RMA {label.rma_number}", y=y, height=round(4.6 * unit))
    y += round(6.5 * unit)
    z.text(f"SKU {label.sku}", y=y, height=round(4.6 * unit))
    y += round(6.5 * unit)
    z.text(label.title, y=y, height=round(3.2 * unit), lines=2)
    when = label.inspected_at.strftime("%Y-%m-%d %H:%M UTC")
    footer = f"{_shop(label)}{label.station_code} · {when}"
    z.text(footer, y=h - m - round(2.8 * unit), height=round(2.8 * unit))


def _small_zpl(z: _Zpl, label: RoutingLabel) -> None:
    h, m = z.height, z.margin
    unit = h / 100
    bars_height = round(38 * unit)
    z.bars(label.license_plate, y=m, height=bars_height)
    z.text(
        label.license_plate,
        y=m + bars_height + round(2 * unit),
        height=round(12 * unit),
        centre=True,
    )
    routing = f"{label.disposition.label.upper()} > {label.location} · {label.grade}"
    z.text(routing, y=m + bars_height + round(16 * unit), height=round(15 * unit), centre=True)
    z.text(
        f"{label.rma_number} · {label.sku}",
        y=h - m - round(11 * unit),
        height=round(11 * unit),
        centre=True,
    )

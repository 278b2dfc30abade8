"""Routing labels rendered as PDF and ZPL: read back as text, and the barcode decoded back."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from returnsdesk.domain.errors import ConfigError
from returnsdesk.domain.labels import (
    RoutingLabel,
    is_license_plate,
    license_plate,
    parse_label_size,
)
from returnsdesk.domain.vocabulary import Disposition
from returnsdesk.services.labels import render
from returnsdesk.services.labels.render import render_pdf, render_zpl

SIZES = ["4x6in", "100x150mm", "2x1in", "62x29mm"]
HOSTILE = (
    '<b>bold</b><font name="x">&amp; ^XZ^XA~JR\\ '
    + "שלום עולם "
    + "\u202eevil\u202c "
    + "🦄📦 "
    + "Very long product name " * 20
)


def a_label(**changes: object) -> RoutingLabel:
    unit_id = uuid.UUID("6f0b3c1e-8d2a-4c5e-9f71-2a3b4c5d6e7f")
    fields: dict[str, object] = {
        "license_plate": license_plate(unit_id),
        "disposition": Disposition.REFURBISH,
        "location": "REFURB-B12",
        "grade": "C",
        "rma_number": "RMA-2026-00042",
        "sku": "SHOE-RUN-42",
        "title": "Trail running shoe, black, EU 42",
        "station_code": "BENCH-03",
        "inspected_at": datetime(2026, 11, 23, 1, 5, tzinfo=UTC),
    }
    return RoutingLabel(**{**fields, **changes})  # type: ignore[arg-type]


def pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def decode_pdf_page(pdf: bytes, page: int = 0, dpi: int = 203) -> list[str]:
    """Render a page as a 203 dpi thermal printer would print it, and read its barcodes."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[page].render(scale=dpi / 72, grayscale=True).to_numpy()
    finally:
        document.close()
    gray = np.ascontiguousarray(image[..., 0] if image.ndim == 3 else image)
    return [
        result.text
        for result in zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.Code128)
    ]


def test_license_plates_are_short_stable_and_recognisable() -> None:
    unit_id = uuid.uuid4()

    plate = license_plate(unit_id)

    assert plate == license_plate(unit_id)
    assert len(plate) == 12 and plate.startswith("LP")
    assert is_license_plate(plate) and is_license_plate(plate.lower())
    assert not set(plate[2:]) & set("ILOU")  # Crockford: nothing to misread
    assert not is_license_plate("LP123") and not is_license_plate("RMA-2026-00042")
    assert len({license_plate(uuid.uuid4()) for _ in range(10_000)}) == 10_000


@pytest.mark.parametrize("size", SIZES)
def test_pdf_label_reads_back_and_its_barcode_decodes_to_the_plate(size: str) -> None:
    label = a_label()

    pdf = render_pdf([label], parse_label_size(size))

    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    expected = parse_label_size(size)
    assert float(box.width) == pytest.approx(expected.width_mm / 25.4 * 72, abs=0.1)
    assert float(box.height) == pytest.approx(expected.height_mm / 25.4 * 72, abs=0.1)
    (text,) = pdf_text(pdf)
    for shown in (label.license_plate, "REFURBISH", "REFURB-B12", "RMA-2026-00042", "SHOE-RUN-42"):
        assert shown in text, (size, shown, text)
    assert re.search(r"\bC\b", text)  # the grade
    assert decode_pdf_page(pdf) == [label.license_plate]


def test_one_page_per_label() -> None:
    labels = [a_label(license_plate=license_plate(uuid.uuid4())) for _ in range(3)]

    pdf = render_pdf(labels, parse_label_size("4x6in"))

    assert [decode_pdf_page(pdf, page) for page in range(3)] == [
        [label.license_plate] for label in labels
    ]


@pytest.mark.parametrize("size", ["4x6in", "2x1in"])
def test_hostile_text_renders_as_plain_text_and_the_barcode_still_reads(size: str) -> None:
    label = a_label(title=HOSTILE, sku="<SKU>&" + "X" * 300, location="🦄" * 50)

    pdf = render_pdf([label], parse_label_size(size))

    (text,) = pdf_text(pdf)
    if size == "4x6in":
        assert "<b>bold</b>" in text  # shown as typed, never interpreted as markup
        assert "…" in text  # the long title was cut to fit
    assert "\u202e" not in text  # a bidi override cannot reverse what follows it
    assert decode_pdf_page(pdf) == [label.license_plate]


def test_zpl_label_carries_the_plate_as_code128_and_the_routing_text() -> None:
    label = a_label()

    zpl = render_zpl(label, parse_label_size("4x6in"), 203).decode("ascii")

    assert zpl.startswith("^XA\n^CI28\n^PW812\n^LL1218\n") and zpl.endswith("^XZ\n")
    assert re.search(rf"\^BCN,\d+,N,N,N,A\^FH\\\^FD{label.license_plate}\^FS", zpl)
    for shown in ("REFURBISH", "REFURB-B12", "RMA RMA-2026-00042", "SKU SHOE-RUN-42"):
        assert f"^FD{shown}^FS" in zpl, shown
    assert re.search(r"\^FDC\^FS", zpl)  # the grade
    assert "^BY4," in zpl  # 0.5 mm modules on a 4x6 label at 203 dpi


@pytest.mark.parametrize(("size", "dpi", "module"), [("2x1in", 203, 2), ("2x1in", 300, 3)])
def test_zpl_scales_to_small_labels_and_resolution(size: str, dpi: int, module: int) -> None:
    zpl = render_zpl(a_label(), parse_label_size(size), dpi).decode("ascii")

    width, height = parse_label_size(size).dots(dpi)
    assert f"^PW{width}\n^LL{height}" in zpl
    assert f"^BY{module}," in zpl
    # Every field starts inside the label.
    for x, y in re.findall(r"\^FO(\d+),(\d+)", zpl):
        assert 0 <= int(x) < width and 0 <= int(y) < height


def test_hostile_text_cannot_end_a_zpl_field_or_inject_commands() -> None:
    label = a_label(title=HOSTILE, sku="A^XZ~JA")

    zpl = render_zpl(label, parse_label_size("4x6in"), 203)

    text = zpl.decode("ascii")  # everything beyond ASCII is hex-escaped
    assert text.count("^XA") == 1 and text.count("^XZ") == 1
    assert "~" not in text
    assert "^FDSKU A\\5EXZ\\7EJA^FS" in text
    assert "\\D7\\A9" in text  # Hebrew shin, as UTF-8 bytes under ^FH
    assert "\\F0\\9F\\A6\\84" in text  # the unicorn
    assert "\\E2\\80\\AE" not in text  # the bidi override was dropped
    assert len(max(text.split("\n"), key=len)) < 700  # long text capped


@pytest.mark.parametrize(
    ("text", "width", "height"),
    [
        ("4x6in", 101.6, 152.4),
        ("100x150mm", 100, 150),
        ("2 x 1 in", 50.8, 25.4),
        ("62X29mm", 62, 29),
    ],
)
def test_label_sizes(text: str, width: float, height: float) -> None:
    size = parse_label_size(text)

    assert (size.width_mm, size.height_mm) == pytest.approx((width, height))


@pytest.mark.parametrize("text", ["4x6", "A4", "10x10mm", "2x1000in", ""])
def test_label_sizes_that_are_no_label_are_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="label size"):
        parse_label_size(text)


def test_without_truetype_fonts_the_pdf_base_fonts_still_print_the_label(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given an installation with neither DejaVu nor reportlab's Vera files
    missing = str(tmp_path / "none.ttf")
    monkeypatch.setattr(
        render,
        "_FONT_CANDIDATES",
        {"LabelSans": (missing, missing), "LabelSans-Bold": (missing, missing)},
    )
    monkeypatch.setattr(render, "_fonts", {})
    label = a_label(title="Schuh für Größe 42 שלום 🦄")

    pdf = render_pdf([label], parse_label_size("4x6in"))

    (text,) = pdf_text(pdf)
    assert "Schuh für Größe 42" in text and "שלום" not in text
    assert decode_pdf_page(pdf) == [label.license_plate]


def test_a_long_location_shrinks_to_one_zpl_line_instead_of_being_cut() -> None:
    short = render_zpl(a_label(location="B12"), parse_label_size("4x6in"), 203).decode()
    long = render_zpl(a_label(location="LIQUIDATION-B12"), parse_label_size("4x6in"), 203)

    def location_height(zpl: str, location: str) -> int:
        match = re.search(rf"\^A0N,(\d+),\d+\^FB(\d+),1,[^\n]*\^FD{location}\^FS", zpl)
        assert match is not None
        height, width = int(match[1]), int(match[2])
        assert len(location) * height * 0.62 <= width  # fits its block on one line
        return height

    assert location_height(long.decode(), "LIQUIDATION-B12") < location_height(short, "B12")

"""Long tables split across pages and repeat their header row; every page is numbered."""

from __future__ import annotations

from datetime import UTC, datetime

from report_floor import pdf_text

from returnsdesk.services.reports.content import Chart, Heading, ReportContent, Table
from returnsdesk.services.reports.pdf import PageFrame, render_pdf


def test_a_long_table_repeats_its_header_on_every_page() -> None:
    rows = [(f"SKU-{i:04d}", f"{i:,}", "note " * (i % 7)) for i in range(400)]
    content = ReportContent(
        "Layout check",
        "synthetic rows",
        [
            Heading("Many rows"),
            Chart("bar", "Bars", ("a", "b"), (3.0, 5.0)),
            Table("rows", "Rows", ("SKU-column", "Units-column", "Note"), rows, frozenset({1})),
        ],
    )
    frame = PageFrame("Layout check", "synthetic rows", "STATION-01", datetime.now(UTC))

    pages = pdf_text(render_pdf(content, frame))

    assert len(pages) > 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        if number > 1:
            assert "SKU-column" in page and "Units-column" in page
    everything = " ".join(pages)
    assert "SKU-0000" in everything and "SKU-0399" in everything

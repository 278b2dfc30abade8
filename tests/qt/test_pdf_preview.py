"""Generated PDFs show in the window and print, page for page, through Qt's print path."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from returnsdesk.qt.pdf_preview import PdfNotPrinted, PdfPreview, print_pdf


def three_pages() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for number in range(1, 4):
        canvas.setFont("Helvetica", 40)
        canvas.drawString(100, 700, f"Page {number}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_the_preview_shows_every_page(qtbot: QtBot) -> None:
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.show_pdf(three_pages())
    qtbot.waitUntil(lambda: preview.document.status() == QPdfDocument.Status.Ready)
    assert preview.page_count == 3
    assert "Page 2" in preview.document.getAllText(1).text()


def test_printing_sends_every_page_to_the_printer(qtbot: QtBot, tmp_path: Path) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # Qt's own print-to-file device
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert print_pdf(three_pages(), printer) == 3
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == 3


def test_a_broken_pdf_is_refused_with_a_message(tmp_path: Path) -> None:
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "never.pdf"))
    with pytest.raises(PdfNotPrinted, match="could not be read"):
        print_pdf(b"%PDF-1.4 this is not a pdf", printer)
    assert not (tmp_path / "never.pdf").exists()

"""Show a generated PDF in the window (QtPdf) and print it through the system print dialog.

The preview keeps the PDF's bytes; printing renders each page to an image at the printer's
resolution (capped, so a 1200 dpi driver does not ask for 140-megapixel pages) and paints it
on the QPrinter. Rendering and painting run on a worker thread: QPainter on a QPrinter and
QImage is supported off the GUI thread, and the worker uses its own QPdfDocument.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QVBoxLayout, QWidget

log = logging.getLogger(__name__)

_MAX_PRINT_DPI = 300


class PdfNotPrinted(Exception):
    """The PDF could not be read back or the printer refused a page."""


class PdfPreview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._buffer: QBuffer | None = None
        self.pdf: bytes = b""

    def show_pdf(self, pdf: bytes) -> None:
        """Replace what is shown; QPdfDocument reads from the buffer, which must outlive it."""
        self.document.close()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer
        self.pdf = pdf

    def clear(self) -> None:
        self.document.close()
        self.pdf = b""

    @property
    def page_count(self) -> int:
        return self.document.pageCount()


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Print every page of ``pdf`` on ``printer``; returns the pages printed. Any thread."""
    with tempfile.TemporaryDirectory(prefix="returnsdesk-print-") as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(pdf)
        document = QPdfDocument()
        error = document.load(str(path))
        if error != QPdfDocument.Error.None_:
            raise PdfNotPrinted(f"The report could not be read for printing ({error.name}).")
        pages = document.pageCount()
        dpi = min(printer.resolution(), _MAX_PRINT_DPI)
        painter = QPainter()
        if not painter.begin(printer):
            raise PdfNotPrinted("The printer did not accept the job (is it connected?).")
        try:
            for page in range(pages):
                if page > 0 and not printer.newPage():
                    raise PdfNotPrinted(f"The printer refused page {page + 1}.")
                points = document.pagePointSize(page)
                image = document.render(
                    page, QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
                )
                target: QRect = painter.viewport()
                scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.setViewport(target.x(), target.y(), scaled.width(), scaled.height())
                painter.setWindow(image.rect())
                painter.drawImage(0, 0, image)
                painter.setViewport(target)
        finally:
            painter.end()
            document.close()
    log.info("Printed %d pages to %s", pages, printer.printerName() or printer.outputFileName())
    return pages

"""The self-test's Qt checks (``returnsdesk --self-test``, ``returnsdesk.selftest``).

``returnsdesk.selftest`` imports this module inside its Qt checks only: when Qt is what is
broken, the import fails there, that check reports it, and the other checks still run.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSize, qVersion
from PySide6.QtGui import QColor, QIcon
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QLabel

# A QApplication may be made once per process and must outlive every widget; keep the one the
# check made, so that a caller (a test) that runs the check twice reuses it.
_app: QApplication | None = None


def draw_widget_and_icon(icon_file: Path) -> str:
    """Qt's platform plugin, fonts and the SVG plugins: a widget grabbed into a picture."""
    global _app
    if QApplication.instance() is None:
        _app = QApplication(sys.argv[:1])
    label = QLabel("returnsdesk self-test")
    label.setStyleSheet("background: white; color: black; padding: 8px")
    label.adjustSize()
    picture = label.grab().toImage()
    label.deleteLater()
    if picture.isNull() or picture.width() < 10:
        raise RuntimeError("grabbing a widget gave no picture")
    # Text drawn means a font was found: without fonts Qt draws nothing, and says so only in
    # a warning on stderr.
    inked = any(
        QColor(picture.pixel(x, y)).lightness() < 128
        for y in range(0, picture.height(), 2)
        for x in range(0, picture.width(), 2)
    )
    if not inked:
        raise RuntimeError("the label's text was not drawn: no usable font?")
    if QIcon(str(icon_file)).pixmap(32, 32).isNull():
        raise RuntimeError("the SVG icon did not load: Qt's SVG image plugin is missing")
    return f"Qt {qVersion()} on {QApplication.platformName()}, widget and SVG icon drawn"


def draw_pdf_page(pdf_file: Path) -> str:
    """QtPdf, as the Reports view uses it: a PDF read back and its first page drawn."""
    document = QPdfDocument()
    if document.load(str(pdf_file)) != QPdfDocument.Error.None_:
        raise RuntimeError("QtPdf could not read a PDF")
    image = document.render(0, QSize(200, 280))
    document.close()
    if image.isNull():
        raise RuntimeError("QtPdf drew no page")
    return f"QtPdf read a PDF and drew page 1 ({image.width()}x{image.height()})"

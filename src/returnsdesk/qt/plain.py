"""Text from outside is never markup: scans, customer names, notes, the shop's error messages.

Qt guesses the format of a QLabel's, a QMessageBox's or a tooltip's text (``Qt.AutoText``): text
that looks like HTML (``Qt.mightBeRichText``) is rendered, so a barcode holding ``<h1>BIG</h1>``
would show as a heading, and ``<img src=...>`` would load a file. Every label made here is plain
text; the few that show HTML on purpose (``rich_label``) get it from code that escapes each value
from outside with ``html.escape``. Labels from Designer forms say ``PlainText`` or ``RichText``
in ``ui/*.ui``; tests walk every label of every screen to keep it so.
"""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QInputDialog, QLabel, QMessageBox, QWidget


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that shows its text as typed, whatever it holds."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def add_plain_row(form: QFormLayout, text: str, field: QWidget) -> None:
    """A form row whose label is plain text (``addRow(str, ...)`` makes a guessing QLabel)."""
    label = plain_label(text)
    label.setBuddy(field)
    form.addRow(label, field)


def rich_label(html_text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label for HTML built here; every value from outside in it must be escaped."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setText(html_text)
    return label


def plain_tooltip(text: str) -> str:
    """A tooltip showing ``text`` as typed: Qt renders a tooltip as HTML when it looks like it,
    so such text is turned into HTML that shows it literally; other text is left as it is."""
    return QtGui.Qt.convertFromPlainText(text) if QtGui.Qt.mightBeRichText(text) else text


def show_error_box(parent: QWidget | None, title: str, text: str) -> None:
    """A modal error message (outside a window that could show it), its text plain."""
    box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def ask_plain_text(parent: QWidget, title: str, prompt: str) -> str | None:
    """One line of text, or None when cancelled; the prompt (which may quote a scan) is plain."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(prompt)
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    for label in dialog.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)
    if dialog.exec() != QInputDialog.DialogCode.Accepted:
        return None
    return dialog.textValue()

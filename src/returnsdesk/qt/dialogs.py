"""Small keyboard-first dialogs: disposition override, a line of text, sign-in, crash report."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from returnsdesk.domain.vocabulary import Disposition
from returnsdesk.qt.plain import ask_plain_text, plain_label, rich_label


class OverrideDialog(QDialog):
    """Choose another disposition (keys 1-4) and say why (required)."""

    def __init__(self, suggested: Disposition, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Override disposition")
        self.choice: Disposition | None = None
        self.reason = ""
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(f"Suggested: {suggested.label}. Choose instead (1-4):"))
        self._list = QListWidget()
        for number, disposition in enumerate(Disposition, start=1):
            item = QListWidgetItem(f"{number}  {disposition.label}")
            item.setData(Qt.ItemDataRole.UserRole, disposition)
            self._list.addItem(item)
            if disposition is not suggested and self._list.currentRow() < 0:
                self._list.setCurrentItem(item)
        layout.addWidget(self._list)
        layout.addWidget(plain_label("Reason (required):"))
        self._reason = QLineEdit()
        self._reason.setPlaceholderText("e.g. box crushed, cannot be resold as new")
        layout.addWidget(self._reason)
        self._error = plain_label("")
        self._error.setStyleSheet("color:#842029")
        layout.addWidget(self._error)
        layout.addWidget(ok_cancel_buttons(self))
        self._reason.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if text.isdigit() and 1 <= int(text) <= self._list.count():
            self._list.setCurrentRow(int(text) - 1)
            self._reason.setFocus()
            return
        super().keyPressEvent(event)

    def accept(self) -> None:
        item = self._list.currentItem()
        reason = self._reason.text().strip()
        if item is None:
            self._error.setText("Choose a disposition (1-4).")
            return
        if not reason:
            self._error.setText("Say why you override the suggestion.")
            self._reason.setFocus()
            return
        self.choice = item.data(Qt.ItemDataRole.UserRole)
        self.reason = reason
        super().accept()


def ok_cancel_buttons(dialog: QDialog) -> QDialogButtonBox:
    """OK (Enter) and Cancel (Esc), wired to the dialog."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def ask_text(parent: QWidget, title: str, prompt: str) -> str | None:
    """One line of text, or None when cancelled."""
    return ask_plain_text(parent, title, prompt)


class CrashDialog(QDialog):
    """Shown for bugs (not operator errors): what happened, where the report is, carry on."""

    def __init__(self, summary: str, details: str, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("returnsdesk hit a bug")
        layout = QVBoxLayout(self)
        label = rich_label(
            f"<b>Something went wrong inside returnsdesk.</b><br>{html.escape(summary)}<br><br>"
            "Nothing you confirmed has been lost: completed parcels are saved in one "
            "transaction. Tell IT and give them the details below (also in the log)."
        )
        label.setWordWrap(True)
        layout.addWidget(label)
        text = QPlainTextEdit(details)
        text.setReadOnly(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(720, 420)

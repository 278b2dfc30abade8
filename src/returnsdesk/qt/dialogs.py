"""Small keyboard-first dialogs: disposition override, a line of text, crash report."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QListWidgetItem,
    QWidget,
)

from returnsdesk.domain.vocabulary import Disposition
from returnsdesk.qt.forms.ui_crash_dialog import Ui_CrashDialog
from returnsdesk.qt.forms.ui_note_dialog import Ui_NoteDialog
from returnsdesk.qt.forms.ui_override_dialog import Ui_OverrideDialog
from returnsdesk.qt.plain import set_clipped_text

QUOTE_CHARS = 400  # a dialog's text quoting outside data: the whole of it in the tooltip


def fit_height(dialog: QDialog) -> None:
    """Make the dialog as tall as its wrapped text needs at its width: a window's minimum size
    does not follow a wrapping label's height, so text set after the form was laid out (or
    longer than the form's default size allows) would be cut off at the top and bottom."""
    layout = dialog.layout()
    if layout is not None and layout.hasHeightForWidth():
        needed = layout.totalHeightForWidth(dialog.width())
        if needed > dialog.height():
            dialog.resize(dialog.width(), needed)


class OverrideDialog(QDialog):
    """Choose another disposition (keys 1-4) and say why (required). Laid out by
    ui/override_dialog.ui; ``choice`` and ``reason`` hold the answer once accepted."""

    def __init__(self, suggested: Disposition, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = Ui_OverrideDialog()
        self._ui.setupUi(self)  # type: ignore[no-untyped-call]
        self.choice: Disposition | None = None
        self.reason = ""
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.setFont(font)
        ui = self._ui
        ui.prompt.setText(f"Suggested: {suggested.label}. Choose instead (1-4):")
        self._list = ui.dispositionList
        for number, disposition in enumerate(Disposition, start=1):
            item = QListWidgetItem(f"{number}  {disposition.label}")
            item.setData(Qt.ItemDataRole.UserRole, disposition)
            self._list.addItem(item)
            if disposition is not suggested and self._list.currentRow() < 0:
                self._list.setCurrentItem(item)
        # The prompt says "choose (1-4)": the first key picks, then the reason is typed.
        self._list.installEventFilter(self)
        self._list.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._list and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            text = event.text()
            if text.isdigit() and 1 <= int(text) <= self._list.count():
                self._list.setCurrentRow(int(text) - 1)
                self._ui.reasonEdit.setFocus()
                return True
        return super().eventFilter(watched, event)

    def accept(self) -> None:
        item = self._list.currentItem()
        reason = self._ui.reasonEdit.text().strip()
        if item is None:
            self._ui.problem.setText("Choose a disposition (1-4).")
            fit_height(self)
            return
        if not reason:
            self._ui.problem.setText("Say why you override the suggestion.")
            fit_height(self)
            self._ui.reasonEdit.setFocus()
            return
        self.choice = Disposition(item.data(Qt.ItemDataRole.UserRole))  # Qt hands back a str
        self.reason = reason
        super().accept()


class NoteDialog(QDialog):
    """One line of text, asked with a prompt that may quote a scan (shown plain). Laid out by
    ui/note_dialog.ui; Enter keeps the note, Esc cancels."""

    def __init__(self, title: str, prompt: str, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = Ui_NoteDialog()
        self._ui.setupUi(self)  # type: ignore[no-untyped-call]
        if parent is not None:
            self.setFont(parent.font())  # a window does not inherit it: the station's type size
        self.setWindowTitle(title)
        set_clipped_text(self._ui.prompt, prompt, QUOTE_CHARS)
        fit_height(self)
        self._ui.noteEdit.setFocus()

    def note(self) -> str:
        return self._ui.noteEdit.text()


def ask_text(parent: QWidget, title: str, prompt: str) -> str | None:
    """One line of text, or None when cancelled."""
    dialog = NoteDialog(title, prompt, parent=parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.note()


class CrashDialog(QDialog):
    """Shown for bugs (not operator errors): what happened, where the report is, carry on.
    Laid out by ui/crash_dialog.ui."""

    def __init__(self, summary: str, details: str, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = Ui_CrashDialog()
        self._ui.setupUi(self)  # type: ignore[no-untyped-call]
        self._ui.message.setText(  # RichText: the summary from outside is escaped
            f"<b>Something went wrong inside returnsdesk.</b><br>{html.escape(summary)}<br><br>"
            "Nothing you confirmed has been lost: completed parcels are saved in one "
            "transaction. Tell IT and give them the details below (also in the log)."
        )
        self._ui.details.setPlainText(details)

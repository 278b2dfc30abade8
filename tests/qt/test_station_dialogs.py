"""The station's small dialogs, used by keyboard as an inspector uses them."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget

from returnsdesk.domain.vocabulary import Disposition
from returnsdesk.qt.dialogs import OverrideDialog, ask_text


def shown(dialog: QWidget) -> str:
    return "\n".join(label.text() for label in dialog.findChildren(QLabel) if label.text())


def typed(qtbot: QtBot, dialog: QWidget, text: str) -> None:
    """Keys typed into what has the dialog's focus, as a person types them."""
    for character in text:
        focus = dialog.focusWidget()
        assert focus is not None
        qtbot.keyClick(focus, character)


def test_an_override_takes_another_disposition_by_its_number_and_a_reason(qtbot: QtBot) -> None:
    dialog = OverrideDialog(Disposition.RESTOCK)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "Suggested: Restock. Choose instead (1-4):" in shown(dialog)

    # The first key picks by number: 3 is Liquidate, and the reason is typed next
    typed(qtbot, dialog, "3")
    # Enter with no reason is refused, in words, and the dialog stays
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    assert dialog.isVisible() and "Say why you override the suggestion." in shown(dialog)

    # A reason (digits in it are text now), then Enter confirms
    typed(qtbot, dialog, "2 corners crushed")
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert dialog.choice is Disposition.LIQUIDATE and dialog.reason == "2 corners crushed"


def answer_next_dialog(qtbot: QtBot, text: str, last_key: Qt.Key) -> None:
    """Type ``text`` into the modal dialog about to open, then ``last_key``."""

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(20, fill)
            return
        typed(qtbot, dialog, text)
        focus = dialog.focusWidget()
        assert focus is not None
        qtbot.keyClick(focus, last_key)

    QTimer.singleShot(0, fill)


def test_a_note_is_kept_with_enter_and_dropped_with_esc(qtbot: QtBot) -> None:
    station = QWidget()
    qtbot.addWidget(station)
    answer_next_dialog(qtbot, "left at the door", Qt.Key.Key_Return)
    assert ask_text(station, "Unexpected parcel", "No return for 1Z999.") == "left at the door"
    answer_next_dialog(qtbot, "never mind", Qt.Key.Key_Escape)
    assert ask_text(station, "Unexpected parcel", "No return for 1Z999.") is None

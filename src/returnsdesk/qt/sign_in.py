"""Sign-in at the start of a shift: scan the badge (or type its code), then the PIN if set."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from returnsdesk.data.db import Database
from returnsdesk.domain.errors import OperatorError
from returnsdesk.qt.dialogs import ok_cancel_buttons
from returnsdesk.qt.plain import add_plain_row, plain_label
from returnsdesk.services.operators import list_operators, sign_in


class SignInDialog(QDialog):
    def __init__(
        self, database: Database, *, station_code: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._database = database
        self._station_code = station_code
        self.operator_code: str | None = None
        self.pin: str | None = None
        self.setWindowTitle(f"Sign in to {station_code}")
        layout = QVBoxLayout(self)
        with database.session() as session:
            operators = list_operators(session)
        known = ", ".join(f"{code} {name}" for code, name in operators[:8])
        layout.addWidget(plain_label(f"Scan your badge or type its code.\nOperators: {known}"))
        form = QFormLayout()
        self._badge = QLineEdit()
        self._pin = QLineEdit()
        self._pin.setEchoMode(QLineEdit.EchoMode.Password)
        add_plain_row(form, "Badge", self._badge)
        add_plain_row(form, "PIN (if you have one)", self._pin)
        layout.addLayout(form)
        self._error = plain_label("")
        self._error.setStyleSheet("color:#842029")
        layout.addWidget(self._error)
        layout.addWidget(ok_cancel_buttons(self))
        self._badge.returnPressed.connect(self._pin.setFocus)

    def accept(self) -> None:
        code, pin = self._badge.text().strip(), self._pin.text() or None
        try:
            # Verifies badge and PIN now, so a typo is told here and not after the window opens.
            with self._database.session() as session:
                sign_in(session, operator_code=code, station_code=self._station_code, pin=pin)
        except OperatorError as exc:
            self._error.setText(str(exc))
            return
        self.operator_code, self.pin = code, pin
        super().accept()

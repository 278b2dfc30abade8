"""Sign-in at the start of a shift, and again when an idle station has locked itself.

Scan the badge (or type its code) and the PIN: a scanned badge moves to the PIN field and
never submits the dialog. The badge and PIN are checked off the GUI thread (Argon2 takes tens
of milliseconds; wrong PINs are counted in the database), and the result is the signed-in
operator's ``StationContext``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from returnsdesk.data.db import Database
from returnsdesk.domain.clock import Clock
from returnsdesk.domain.errors import OperatorError
from returnsdesk.qt.ops import Op
from returnsdesk.qt.plain import add_plain_row, plain_label
from returnsdesk.services.operators import LockoutPolicy, authenticate
from returnsdesk.services.views import StationContext


class SignInDialog(QDialog):
    def __init__(
        self,
        database: Database,
        *,
        station_code: str,
        clock: Clock,
        lockout: LockoutPolicy,
        locked_message: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._database = database
        self._station_code = station_code
        self._clock = clock
        self._lockout = lockout
        # A locked station cannot be dismissed: only a badge and PIN open it again.
        self._locked = locked_message is not None
        self.context: StationContext | None = None
        self.setWindowTitle(f"Sign in to {station_code}" if not self._locked else "Station locked")
        layout = QVBoxLayout(self)
        # No list of badges here: a badge code on screen would sign anyone in as an inspector
        # without a PIN (the demo's badges are in Help and the README).
        intro = locked_message or "Scan your badge or type its code, then your PIN."
        intro_label = plain_label(intro)
        intro_label.setWordWrap(True)
        layout.addWidget(intro_label)
        form = QFormLayout()
        self._badge = QLineEdit()
        self._badge.setMaxLength(80)
        self._pin = QLineEdit()
        self._pin.setEchoMode(QLineEdit.EchoMode.Password)
        self._pin.setMaxLength(12)
        add_plain_row(form, "Badge", self._badge)
        add_plain_row(form, "PIN (leads and admins always)", self._pin)
        layout.addLayout(form)
        self._error = plain_label("")
        self._error.setWordWrap(True)
        self._error.setStyleSheet("color:#842029")
        layout.addWidget(self._error)
        standard = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(
            standard.Ok | (standard.NoButton if self._locked else standard.Cancel)
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._buttons = buttons
        self._badge.setFocus()

    def accept(self) -> None:
        code, pin = self._badge.text().strip(), self._pin.text() or None
        if not code:
            self._error.setText("Scan your badge first.")
            self._badge.setFocus()
            return
        self._set_busy(True)
        self._error.setText("Checking…")
        Op(
            lambda: authenticate(
                self._database,
                operator_code=code,
                pin=pin,
                station_code=self._station_code,
                now=self._clock(),
                lockout=self._lockout,
            ),
            owner=self,
        ).on_success(self._signed_in).on_failure(self._refused).start()

    def reject(self) -> None:
        if not self._locked:
            super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # A badge scan ends in Enter: it moves on to the PIN, never submits the dialog
            # (QDialog's default button would).
            # focusWidget: the field Enter was typed in, even while the window is not active.
            if self.focusWidget() is self._badge:
                self._pin.setFocus()
            elif self._buttons.isEnabled():
                self.accept()
            return
        if self._locked and event.key() == Qt.Key.Key_Escape:
            return  # Esc would close the dialog and unlock the station
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._locked:
            event.ignore()
            return
        super().closeEvent(event)

    def _signed_in(self, context: StationContext) -> None:
        self.context = context
        self._set_busy(False)
        super().accept()

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(exc, OperatorError):
            raise exc
        self._error.setText(str(exc))
        self._pin.clear()
        self._badge.selectAll()
        self._badge.setFocus()

    def _set_busy(self, busy: bool) -> None:
        for widget in (self._badge, self._pin, self._buttons):
            widget.setEnabled(not busy)

"""Sign-in at the start of a shift, and again when an idle station has locked itself.

Scan the badge (or type its code) and the PIN: a scanned badge moves to the PIN field and
never submits the dialog. The badge and PIN are checked off the GUI thread (Argon2 takes tens
of milliseconds; wrong PINs are counted in the database), and the result is the signed-in
operator's ``StationContext``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from returnsdesk.data.db import Database
from returnsdesk.domain.clock import Clock
from returnsdesk.domain.errors import OperatorError
from returnsdesk.qt.dialogs import QUOTE_CHARS, fit_height
from returnsdesk.qt.forms.ui_sign_in_dialog import Ui_SignInDialog
from returnsdesk.qt.ops import Op
from returnsdesk.qt.plain import set_clipped_text
from returnsdesk.qt.typography import BODY_PT, scaled_font
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
        font_scale: float = 1.0,
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
        # Read standing, as the tabs; set first: a label with a style sheet (the error's colour)
        # keeps the font it had when the form made it.
        self.setFont(scaled_font(self.font(), BODY_PT, font_scale))
        self._ui = Ui_SignInDialog()
        self._ui.setupUi(self)  # type: ignore[no-untyped-call]
        self.setWindowTitle(f"Sign in to {station_code}" if not self._locked else "Station locked")
        # No list of badges here: a badge code on screen would sign anyone in as an inspector
        # without a PIN (the demo's badges are in Help and the README).
        if locked_message is not None:
            self._ui.intro.setText(locked_message)
            self._ui.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Ok)
        fit_height(self)
        self._ui.badgeEdit.setFocus()

    def accept(self) -> None:
        code, pin = self._ui.badgeEdit.text().strip(), self._ui.pinEdit.text() or None
        if not code:
            self._ui.error.setText("Scan your badge first.")
            self._ui.badgeEdit.setFocus()
            return
        self._set_busy(True)
        self._ui.error.setText("Checking…")
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
            if self.focusWidget() is self._ui.badgeEdit:
                self._ui.pinEdit.setFocus()
            elif self._ui.buttonBox.isEnabled():
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
        set_clipped_text(self._ui.error, str(exc), QUOTE_CHARS)
        fit_height(self)
        self._ui.pinEdit.clear()
        self._ui.badgeEdit.selectAll()
        self._ui.badgeEdit.setFocus()

    def _set_busy(self, busy: bool) -> None:
        for widget in (self._ui.badgeEdit, self._ui.pinEdit, self._ui.buttonBox):
            widget.setEnabled(not busy)

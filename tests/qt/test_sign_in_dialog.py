"""Signing in at the station, and the station locking itself when nobody is at it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit

from completing import demo_parcel
from returnsdesk.domain.clock import utc_now
from returnsdesk.qt.sign_in import SignInDialog
from returnsdesk.qt.station_controller import State
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.operators import LockoutPolicy
from station_driver import Inspector


def dialog_for(qtbot: QtBot, demo_env: StationEnvironment, **kwargs: object) -> SignInDialog:
    dialog = SignInDialog(
        demo_env.database, station_code="STATION-01", clock=utc_now, lockout=LockoutPolicy(),
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def fields(dialog: SignInDialog) -> tuple[QLineEdit, QLineEdit]:
    badge, pin = dialog.findChildren(QLineEdit)
    return badge, pin


def shown_error(dialog: SignInDialog) -> str:
    return "\n".join(label.text() for label in dialog.findChildren(QLabel) if label.text())


def test_a_scanned_badge_moves_to_the_pin_and_a_wrong_pin_is_told(
    qtbot: QtBot, demo_env: StationEnvironment
) -> None:
    dialog = dialog_for(qtbot, demo_env)
    badge, pin = fields(dialog)
    # When a lead's badge is scanned (its code, then Enter)
    qtbot.keyClicks(badge, "OP-0003")
    qtbot.keyClick(badge, Qt.Key.Key_Return)
    # Then the dialog waits for the PIN instead of submitting
    assert dialog.isVisible() and dialog.focusWidget() is pin and dialog.context is None
    # A wrong PIN is counted and told; the dialog stays for another try
    qtbot.keyClicks(pin, "9999")
    qtbot.keyClick(pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Wrong PIN. 9 tries left." in shown_error(dialog), timeout=10_000)
    assert dialog.isVisible() and pin.text() == ""
    # The right PIN signs the lead in
    pin.setFocus()
    qtbot.keyClicks(pin, "2468")
    qtbot.keyClick(pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10_000)
    assert dialog.context is not None and dialog.context.operator_name == "Jonas Weber"
    assert not dialog.isVisible()


def test_an_idle_station_locks_and_the_open_parcel_resumes_after_sign_in(
    qtbot: QtBot, inspector: Inspector, demo_env: StationEnvironment
) -> None:
    window = inspector.window
    assert window._idle_timer.interval() == 15 * 60_000  # the default, PCI DSS 8.2.8
    # Given a parcel is open at the station
    parcel = demo_parcel(demo_env, "RMA-100001")
    inspector.scan(parcel.tracking_number)
    assert inspector.controller.state is State.RETURN
    # When nobody touches the station for the idle time (shortened here)
    window._idle_timer.setInterval(50)
    window._idle_timer.start()
    qtbot.waitUntil(lambda: window.locked, timeout=15_000)
    # Then the work is hidden and only a badge and PIN open it; Esc does not
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, SignInDialog)
    assert window.current_tab() is None
    assert "locked itself after 15 idle minutes" in shown_error(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and window.locked
    # When another inspector signs in
    badge, pin = fields(dialog)
    qtbot.keyClicks(badge, "OP-0002")
    qtbot.keyClick(badge, Qt.Key.Key_Return)
    qtbot.keyClick(pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.locked, timeout=10_000)
    # Then the open parcel is there as it was, now worked by the one who signed in
    assert window.current_tab() is window.station_view
    assert inspector.controller.state is State.RETURN
    assert parcel.rma_number in window.station_view.return_title()
    assert "Priya Nair (OP-0002)" in window.operator_line()
    assert window._service.context.operator_code == "OP-0002"

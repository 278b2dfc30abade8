"""The Reports tab: a shift lead generates a report by keyboard, previews it and saves it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QLineEdit

from completing import (
    complete_parcel,
    demo_parcel,
    hand_to_client,
    rename_customer,
    same_numbers_for_shop,
    station_service,
    ups_tracking,
)
from returnsdesk.qt import ops
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.qt.reports_view import ReportsView
from returnsdesk.qt.shops import OWN_SHOP
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.reports import ReportKind, ReportSetup
from returnsdesk.services.views import ClientProfile


@pytest.fixture
def completed(demo_env: StationEnvironment) -> str:
    complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100001"))
    return "RMA-100001"


def open_reports(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.reports_view.isVisible)


def press_enter(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Return)


def save_as_next_file_dialog(qtbot: QtBot, path: Path) -> None:
    """Type the file name into the file dialog about to open, then Enter."""

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, fill)
            return
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        assert name is not None
        name.setText(str(path))
        qtbot.keyClick(name, Qt.Key.Key_Return)

    QTimer.singleShot(0, fill)


@pytest.fixture(autouse=True)
def _qt_file_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Qt's own file dialog (not the desktop's), so the test can type into it."""
    original = QFileDialog.getSaveFileName

    def qt_dialog(*args: object, **kwargs: object) -> tuple[str, str]:
        kwargs["options"] = QFileDialog.Option.DontUseNativeDialog
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(QFileDialog, "getSaveFileName", qt_dialog)


def test_a_shift_report_is_generated_previewed_and_saved(
    qtbot: QtBot, window: MainWindow, completed: str, tmp_path: Path
) -> None:
    view = window.reports_view
    open_reports(qtbot, window)
    assert view.report_kind() is ReportKind.SHIFT

    # When the lead presses Enter, the shift report for today is generated and previewed
    press_enter(qtbot, window)
    qtbot.waitUntil(lambda: view.page_count() > 0, timeout=30_000)
    assert "Shift report" in view.message()
    first_page = view.page_text(0)
    assert "Shift report" in first_page and "Units inspected" in first_page

    # And Ctrl+S saves exactly that PDF
    target = tmp_path / "shift.pdf"
    save_as_next_file_dialog(qtbot, target)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: target.exists() and "Saved" in view.message(), timeout=10_000)
    assert target.read_bytes() == view.shown_pdf()
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Page 1 of" in text


def test_an_evidence_pack_for_an_unknown_return_says_so_and_keeps_the_last_report(
    qtbot: QtBot, window: MainWindow, completed: str
) -> None:
    view = window.reports_view
    open_reports(qtbot, window)
    view.choose_kind(ReportKind.EVIDENCE)
    assert view.fields_shown() == ["Report", "Return"]
    view.set_return_number("rma-999999")  # typed by hand (a scanner burst goes to the station)
    press_enter(qtbot, window)
    qtbot.waitUntil(lambda: "No return 'RMA-999999'" in view.message(), timeout=10_000)
    assert view.page_count() == 0
    assert not view.can_save()

    # The real RMA gives its evidence pack
    view.set_return_number(completed)
    press_enter(qtbot, window)
    qtbot.waitUntil(lambda: view.page_count() > 0, timeout=30_000)
    assert completed in view.page_text(0)
    ops.wait_for_all()


def _belongs_to(env: StationEnvironment, rma: str, client: str) -> None:
    """The return and its order are the client shop's, as its shop's pull tags them."""
    with env.database.session() as session:
        hand_to_client(session, rma, client)


def _generated(qtbot: QtBot, view: ReportsView) -> str:
    """Generate the report asked for and read its PDF's pages back."""
    before = view.shown_pdf() if view.page_count() else b""
    view.generate()
    qtbot.waitUntil(lambda: view.page_count() > 0 and view.shown_pdf() != before, timeout=30_000)
    qtbot.waitUntil(lambda: not ops.busy(), timeout=10_000)
    return " ".join(view.page_text(page) for page in range(view.page_count()))


def test_a_station_serving_two_shops_makes_each_report_for_the_shop_chosen(
    qtbot: QtBot, demo_env: StationEnvironment
) -> None:
    # Given a station serving Acme and Bolt, with a return of each completed today
    service = station_service(demo_env)
    service.clients = {
        "ACME": ClientProfile("Acme Outdoor", demo_env.policies, ""),
        "BOLT": ClientProfile("Bolt Bikes", demo_env.policies, ""),
    }
    _belongs_to(demo_env, "RMA-100001", "ACME")
    _belongs_to(demo_env, "RMA-100002", "BOLT")
    units = {}
    for rma, client in (("RMA-100001", "ACME"), ("RMA-100002", "BOLT")):
        parcel = demo_parcel(demo_env, rma)
        complete_parcel(service, parcel)
        units[client] = sum(item.quantity for item in parcel.items)
    view = ReportsView(service, ReportSetup.from_settings())
    qtbot.addWidget(view)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)

    # The tab offers the shops, and the lead reaches the choice by Tab and picks Acme by arrow
    assert view.shops_offered() == ["All shops", "Acme Outdoor (ACME)", "Bolt Bikes (BOLT)"]
    assert "Shop" in view.fields_shown()
    for _ in range(8):
        focused = QApplication.focusWidget()
        if isinstance(focused, QComboBox) and focused.itemText(0) == "All shops":
            break
        qtbot.keyClick(focused or view, Qt.Key.Key_Tab)
    else:
        raise AssertionError("the shop choice is not reachable by Tab")
    qtbot.keyClick(focused, Qt.Key.Key_Down)
    assert view.request().client_code == "ACME"

    # When Acme's shift report is made, it counts Acme's parcel and units only
    acme = _generated(qtbot, view)
    assert "client ACME" in view.message()
    assert "Parcels received 1" in acme and f"Units inspected {units['ACME']}" in acme
    # and Bolt's KPI report Bolt's one refund
    view.choose_shop("BOLT")
    view.choose_kind(ReportKind.KPIS)
    bolt = _generated(qtbot, view)
    assert "client BOLT" in bolt and "Refunds made 1" in bolt
    # and every shop's shift report both parcels
    view.choose_shop(None)
    view.choose_kind(ReportKind.SHIFT)
    everyone = _generated(qtbot, view)
    assert "Parcels received 2" in everyone

    # And with Acme chosen, Bolt's return is no evidence pack (as if it did not exist)
    view.choose_shop("ACME")
    view.choose_kind(ReportKind.EVIDENCE)
    assert view.fields_shown() == ["Report", "Shop", "Return"]
    view.set_return_number("RMA-100002")
    view.generate()
    qtbot.waitUntil(lambda: "of client ACME" in view.message(), timeout=10_000)


def test_an_evidence_pack_of_an_rma_two_shops_use_is_made_for_the_shop_chosen(
    qtbot: QtBot, demo_env: StationEnvironment
) -> None:
    # Given RMA-100001 of the station's own shop and Acme's RMA-100001 (another customer),
    # both completed at a station serving Acme
    service = station_service(demo_env)
    service.clients = {"ACME": ClientProfile("Acme Outdoor", demo_env.policies, "")}
    own = demo_parcel(demo_env, "RMA-100001")
    acme = same_numbers_for_shop(demo_env, own, "ACME", ups_tracking("ACME01", 1))
    rename_customer(demo_env, "ACME", "Zelda Quartermain")
    complete_parcel(service, own)
    complete_parcel(service, acme)
    view = ReportsView(service, ReportSetup.from_settings())
    qtbot.addWidget(view)
    view.show()

    # The evidence pack also offers the station's own shop (the other reports do not)
    assert "This station's own shop" not in view.shops_offered()
    view.choose_kind(ReportKind.EVIDENCE)
    assert view.shops_offered() == ["All shops", "This station's own shop", "Acme Outdoor (ACME)"]

    # When the lead asks for RMA-100001 with no shop chosen
    view.set_return_number("RMA-100001")
    view.generate()
    # Then the tab names both shops and asks whose: no pack is guessed
    qtbot.waitUntil(lambda: "several shops" in view.message(), timeout=10_000)
    assert view.message() == (
        "RMA-100001 is an RMA number of several shops (This station's own shop,"
        " Acme Outdoor (ACME)): choose whose in the Shop list."
    )
    assert view.page_count() == 0

    # When the lead chooses the station's own shop: its return's pack, none of Acme's
    view.choose_shop(OWN_SHOP)
    own_pack = " ".join(_generated(qtbot, view).split())  # a table cell may wrap
    assert own.customer_name in own_pack and "Zelda Quartermain" not in own_pack
    assert "(client ACME)" not in own_pack
    # and Acme: Acme's, its audit entries naming the shop
    view.choose_shop("ACME")
    acme_pack = " ".join(_generated(qtbot, view).split())
    assert "Zelda Quartermain" in acme_pack and own.customer_name not in acme_pack
    assert "RMA-100001 (client ACME)" in acme_pack

    # Back to a shift report, the own shop is no longer offered, and every shop is chosen
    view.choose_shop(OWN_SHOP)
    view.choose_kind(ReportKind.SHIFT)
    assert "This station's own shop" not in view.shops_offered()
    assert view.request().client_code is None

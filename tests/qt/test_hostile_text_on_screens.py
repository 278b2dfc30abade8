"""Text from outside is shown as typed on every screen, never rendered as markup.

A barcode, a customer name, a product title, a return reason, an operator's name or the shop's
error message holding ``<h1>BIG</h1>`` must show those characters, not a heading. Qt renders a
QLabel's or a tooltip's text as HTML when it looks like HTML (``Qt.AutoText``), so each test
walks every label, tooltip and text view of the screens and reads them as the person sees them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from PySide6 import QtGui
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTextBrowser,
    QWidget,
)

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.config import Settings
from returnsdesk.data.models import Operator, OutboxEvent, Product, Return, ReturnLine
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.policy import ReturnWindows
from returnsdesk.domain.vocabulary import OutboxStatus, RefundStatus
from returnsdesk.qt import ops
from returnsdesk.qt.dialogs import CrashDialog, ask_text
from returnsdesk.qt.lead_view import LeadBadgeDialog
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.qt.plain import show_error_box
from returnsdesk.qt.sign_in import SignInDialog
from returnsdesk.qt.station_controller import State
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.operators import LockoutPolicy
from returnsdesk.services.reports.request import ReportKind
from returnsdesk.station.screen import Focus
from station_driver import Inspector, open_station_window

MARKUP = "<h1>BIG</h1>"
CUSTOMER = f"{MARKUP} Nora"
PRODUCT = f"{MARKUP} trail shoe"
REASON = f"{MARKUP}_reason"
OPERATOR = f"{MARKUP} Ines"
SHOP_ERROR = f"400 {MARKUP} from the shop"
TIER = f"{MARKUP} members"  # a tier the shop sent and the policy names: a longer window
SCREENSHOT_DIR = Path(os.environ.get("RETURNSDESK_SCREENSHOT_DIR", "/tmp"))


def as_seen(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """The characters a person sees: HTML is rendered when the format says so or Qt guesses so."""
    rich = text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    )
    if not rich:
        return text
    document = QtGui.QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def shown_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, what a person sees) for every label, tooltip, table cell and text view."""
    found: list[tuple[str, str]] = []
    for widget in [root, *root.findChildren(QWidget)]:
        name = f"{type(widget).__name__} {widget.objectName()}".strip()
        if isinstance(widget, QLabel):
            found.append((name, as_seen(widget.text(), widget.textFormat())))
        if widget.toolTip():
            found.append((f"{name} tooltip", as_seen(widget.toolTip())))
        if isinstance(widget, QTextBrowser):
            found.append((name, widget.toPlainText()))
        if isinstance(widget, QLineEdit):
            found.append((name, widget.text()))  # a line edit has no rich text
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount(QModelIndex())):
                for column in range(model.columnCount(QModelIndex())):
                    index = model.index(row, column)
                    display = index.data(Qt.ItemDataRole.DisplayRole)
                    tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
                    found.append((f"{name} cell", str(display or "")))  # item views: plain
                    found.append((f"{name} cell tooltip", as_seen(str(tooltip or ""))))
    return found


def assert_shown_literally(root: QWidget, *expected: str) -> None:
    """Nothing shows BIG without its tags, and each ``expected`` text shows somewhere."""
    texts = shown_texts(root)
    rendered = [
        (where, text)
        for where, text in texts
        if text.lower().count("big") != text.lower().count(MARKUP.lower())
    ]
    assert rendered == [], f"rendered as markup: {rendered}"
    for text in expected:
        assert any(text in seen for _where, seen in texts), (text, texts)


@pytest.fixture
def hostile_env(demo_env: StationEnvironment) -> Iterator[StationEnvironment]:
    """The demo with markup in a customer's name and tier, a product title, reasons, an
    operator's name, a held refund's customer and a parked event's error from the shop."""
    parcel = demo_parcel(demo_env, "RMA-100001")
    with demo_env.database.session() as session:
        for rma in ("RMA-100001", "RMA-100004"):
            return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
            return_.customer_name = CUSTOMER
            return_.customer_tier = TIER
            session.add(return_)
            for line in session.exec(select(ReturnLine).where(ReturnLine.return_id == return_.id)):
                line.reason_code = REASON
                line.customer_comment = f"{MARKUP} comment"
                session.add(line)
        product = session.exec(select(Product).where(Product.sku == parcel.items[0].sku)).one()
        product.title = PRODUCT
        session.add(product)
        operator = session.exec(select(Operator).where(Operator.code == "OP-0001")).one()
        operator.name = OPERATOR
        session.add(operator)
    held = complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100004"))
    assert held.refund_status is RefundStatus.PENDING_APPROVAL
    with demo_env.database.session() as session:
        event = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.sequence))).first()
        assert event is not None
        event.status, event.attempts, event.last_error = OutboxStatus.NEEDS_ATTENTION, 1, SHOP_ERROR
        session.add(event)
    windows = ReturnWindows(tiers=MappingProxyType({TIER: 365}))
    refunds = replace(demo_env.policies.refunds, windows=windows)
    yield replace(demo_env, policies=replace(demo_env.policies, refunds=refunds))


@pytest.fixture
def hostile_window(
    qtbot: QtBot, hostile_env: StationEnvironment, settings: Settings
) -> Iterator[MainWindow]:
    window = open_station_window(qtbot, hostile_env, settings, "OP-0001")
    yield window
    ops.wait_for_all()
    QApplication.processEvents()


def on_next_dialog(check: Callable[[QDialog], None]) -> list[QDialog]:
    """Run ``check`` on the modal dialog about to open, then close it; returns those seen."""
    seen: list[QDialog] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(20, look)
            return
        seen.append(dialog)
        try:
            check(dialog)
        finally:
            dialog.reject()

    QTimer.singleShot(0, look)
    return seen


def test_markup_scanned_and_from_the_database_shows_literally_at_the_station(
    qtbot: QtBot, hostile_window: MainWindow, hostile_env: StationEnvironment
) -> None:
    window = hostile_window
    inspector = Inspector(qtbot, window)
    view = window.station_view
    parcel = demo_parcel(hostile_env, "RMA-100001")

    # The signed-in operator's name, in the status bar
    assert_shown_literally(window.statusBar(), f"Operator: {OPERATOR}")

    # The return: customer name, expected lines (product title, reason) and their tooltips
    inspector.scan(parcel.tracking_number)
    assert inspector.controller.state is State.RETURN
    assert_shown_literally(window.station_view, f"RMA-100001 · {CUSTOMER}", PRODUCT, REASON)
    assert_shown_literally(window.station_view, f"within the 365-day {TIER} window")

    # A scanned code holding markup that is no item of the return: the message quotes it
    inspector.scan(MARKUP)
    assert inspector.controller.state is State.RETURN
    assert MARKUP in view.message()
    assert_shown_literally(window.station_view, f"'{MARKUP}' is no product")

    # The unit: product title; a note holding markup
    inspector.scan(parcel.items[0].gtin)
    inspector.key(Qt.Key.Key_F2)
    assert view.focused() is Focus.NOTES
    inspector.type(f"{MARKUP} scuffed")
    inspector.key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.focused() is Focus.STATION)  # kept: keys are commands again
    assert_shown_literally(window.station_view, PRODUCT, f"{MARKUP} scuffed")

    # The refund summary, before Enter confirms it
    inspector.press("2")
    assert_shown_literally(window.station_view, PRODUCT)
    path = SCREENSHOT_DIR / "hostile-text-station.png"
    assert window.grab().save(str(path))

    # The completed view: the operator's name and the unit
    inspector.press("Enter")
    assert inspector.controller.state is State.OUTCOME
    assert_shown_literally(window.station_view, f"by {OPERATOR}", PRODUCT, CUSTOMER)
    assert_shown_literally(window)


def test_markup_shows_literally_in_history_lead_reports_and_help(
    qtbot: QtBot, hostile_window: MainWindow, hostile_env: StationEnvironment
) -> None:
    window = hostile_window
    lead = window.lead_view

    # Shift history: the customer and the operator in the table and their tooltips
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.history_view.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: bool(window.history_view.parcels()), timeout=10_000)
    window.history_view.select_parcel(0)
    qtbot.waitUntil(lambda: not ops.busy(), timeout=10_000)
    assert_shown_literally(window.history_view, CUSTOMER)

    # Shift lead: the held refund's customer and the parked event's error from the shop
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: bool(lead.held_refunds()) and bool(lead.parked_events()),
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: not ops.busy(), timeout=10_000)
    lead.select_refund(0)
    assert_shown_literally(lead, CUSTOMER, SHOP_ERROR)
    assert window.grab().save(str(SCREENSHOT_DIR / "hostile-text-lead.png"))

    # Reports: a return typed by hand that holds markup is quoted in the message
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    reports = window.reports_view
    qtbot.waitUntil(reports.isVisible, timeout=10_000)
    reports.choose_kind(ReportKind.EVIDENCE)
    reports.set_return_number(MARKUP)
    reports.generate()
    qtbot.waitUntil(lambda: not ops.busy(), timeout=10_000)
    QApplication.processEvents()
    assert_shown_literally(reports, MARKUP.upper())  # RMA numbers are upper case

    # Help: the demo's parcels, with the product title holding markup
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert_shown_literally(window)


def test_markup_shows_literally_in_dialogs_and_message_boxes(
    qtbot: QtBot, hostile_env: StationEnvironment
) -> None:
    # Sign-in: a badge typed with markup is quoted in the error
    sign_in = SignInDialog(
        hostile_env.database, station_code="STATION-01", clock=utc_now, lockout=LockoutPolicy()
    )
    qtbot.addWidget(sign_in)
    sign_in.show()
    badge, pin = sign_in.findChildren(QLineEdit)
    badge.setText(MARKUP)
    pin.setText("1234")
    sign_in.accept()
    qtbot.waitUntil(lambda: not ops.busy() and badge.isEnabled(), timeout=10_000)
    assert_shown_literally(sign_in, f"'{MARKUP}'")

    # The station locked by a message quoting the operator; a shift lead's confirmation
    locked = SignInDialog(
        hostile_env.database,
        station_code="STATION-01",
        clock=utc_now,
        lockout=LockoutPolicy(),
        locked_message=f"Locked after 5 minutes idle. {OPERATOR} was signed in.",
    )
    qtbot.addWidget(locked)
    assert_shown_literally(locked, f"{OPERATOR} was signed in")
    question = f"Approve the refund for {CUSTOMER}?"
    confirm = LeadBadgeDialog(question, note_prompt=f"Why, for {CUSTOMER}?", note_required=True)
    qtbot.addWidget(confirm)
    assert_shown_literally(confirm, question, f"Why, for {CUSTOMER}?")

    # The crash dialog quoting an exception message
    crash = CrashDialog(f"ValueError: {MARKUP}", "Traceback ...")
    qtbot.addWidget(crash)
    assert_shown_literally(crash, f"ValueError: {MARKUP}")

    # The note asked for an unexpected parcel, quoting what was scanned
    parent = QWidget()
    qtbot.addWidget(parent)
    seen = on_next_dialog(lambda dialog: assert_shown_literally(dialog, f"Parcel {MARKUP} has"))
    assert ask_text(parent, "Unexpected parcel", f"Parcel {MARKUP} has no return.") is None
    assert len(seen) == 1

    # The message box shown when the station cannot start
    def box_is_plain(dialog: QDialog) -> None:
        assert isinstance(dialog, QMessageBox)
        assert dialog.textFormat() == Qt.TextFormat.PlainText
        assert_shown_literally(dialog, f"database.url: {MARKUP}")

    seen = on_next_dialog(box_is_plain)
    show_error_box(None, "returnsdesk cannot start", f"database.url: {MARKUP}")
    assert len(seen) == 1


# Labels that show HTML on purpose; the code filling each escapes every value from outside.
RICH_LABELS = {
    "returnDetails",
    "idleHint",
    "unitPrompt",
    "unitAnswers",
    "photoStrip",
    "outcomeLabel",
    "labelsText",
    "refundTotal",  # the total, and in smaller type why a lead must approve it: both escaped
}


def test_every_label_of_every_tab_is_plain_text_unless_built_as_escaped_html(
    qtbot: QtBot, hostile_window: MainWindow
) -> None:
    window = hostile_window
    for key in (Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5, Qt.Key.Key_1):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)  # every tab built
    qtbot.waitUntil(lambda: not ops.busy(), timeout=10_000)

    guessing = [
        f"{label.objectName() or label.text()[:30]!r} in {type(label.parent()).__name__}"
        for label in window.findChildren(QLabel)
        if label.textFormat() != Qt.TextFormat.PlainText and label.objectName() not in RICH_LABELS
    ]
    assert guessing == [], "\n".join(guessing)

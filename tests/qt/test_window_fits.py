"""The station window fits a 1366x768 and a 1920x1080 screen whatever the data holds.

Long customer names and product titles, right-to-left text, a long reason a refund is held for
and a twelve-unit parcel must wrap, elide or scroll: the grade keys, Back, the refund and the
status bar stay on screen on every tab.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.exceptions import TimeoutError
from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTextBrowser,
    QWidget,
)

from completing import complete_parcel, demo_parcel, same_numbers_for_shops, station_service
from returnsdesk.config import LabelsSettings, Settings, load_settings
from returnsdesk.data.models import OrderLine, OutboxEvent, Product, Refund, Return, ReturnLine
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.vocabulary import OutboxStatus, RefundStatus
from returnsdesk.qt import ops
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.qt.printing import PrintersDialog
from returnsdesk.qt.sign_in import SignInDialog
from returnsdesk.qt.station_controller import State
from returnsdesk.qt.station_view import StationView
from returnsdesk.qt.typography import BODY_PT
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.messages.queue import MESSAGE_EVENT
from returnsdesk.services.operators import LockoutPolicy
from returnsdesk.services.views import ClientProfile
from station_driver import Inspector, open_station_window

# What shows text a person reads at the bench (a header is an item view too).
TEXT_WIDGETS = (
    QLabel,
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QAbstractButton,
    QComboBox,
    QTextBrowser,
)
SCREENS = [(1366, 768), (1920, 1080)]
ARABIC = "شركة المستودع للإرجاع "
HEBREW = "מחסן החזרות "
LONG_NAME = ("Maximiliana " + ARABIC + HEBREW) * 120  # over 5,000 characters
LONG_TITLE = ("Trail shoe, waterproof, wide fit " + ARABIC) * 100
LONG_REASON = ("Above the approval limit; serial mismatch; wrong item; " + HEBREW) * 30
assert len(LONG_NAME) >= 5000 and len(LONG_TITLE) >= 5000 and len(LONG_REASON) >= 2000


@pytest.fixture
def long_env(demo_env: StationEnvironment) -> Iterator[StationEnvironment]:
    """The demo with a 5,000-character customer name and product title in right-to-left
    scripts, a twelve-unit parcel (RMA-100001) and a held refund whose reason is 2,000
    characters long (RMA-100004), inspected by Sam: its unit waits for the window's inspector
    to grade it again, and the order system and the mail server refused its first event and
    message with as long an answer."""
    parcel = demo_parcel(demo_env, "RMA-100001")
    with demo_env.database.session() as session:
        for rma in ("RMA-100001", "RMA-100004"):
            return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
            return_.customer_name = LONG_NAME
            session.add(return_)
        return_ = session.exec(select(Return).where(Return.rma_number == "RMA-100001")).one()
        (line,) = session.exec(select(ReturnLine).where(ReturnLine.return_id == return_.id))
        line.quantity = 12
        line.customer_comment = LONG_TITLE
        order_line = session.get(OrderLine, line.order_line_id)
        assert order_line is not None
        order_line.quantity = 12
        session.add_all([line, order_line])
        product = session.exec(select(Product).where(Product.sku == parcel.items[0].sku)).one()
        product.title = LONG_TITLE
        session.add(product)
    sam = station_service(demo_env, operator_code="OP-0002")
    sam.regrade_draw = lambda: 0.0
    held = complete_parcel(sam, demo_parcel(demo_env, "RMA-100004"))
    assert held.refund_status is RefundStatus.PENDING_APPROVAL
    with demo_env.database.session() as session:
        refund = session.get(Refund, held.refund_id)
        assert refund is not None
        refund.status_reason = LONG_REASON
        session.add(refund)
        for product in session.exec(select(Product)).all():
            if product.sku in {i.sku for i in demo_parcel(demo_env, "RMA-100004").items}:
                product.title = LONG_TITLE
                session.add(product)
        events = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.sequence))).all()
        for event_type in ("return.received", MESSAGE_EVENT):
            event = next(e for e in events if e.event_type == event_type)
            event.status, event.attempts = OutboxStatus.NEEDS_ATTENTION, 3
            event.last_error = f"<h1>{LONG_REASON}</h1>"
            session.add(event)
    yield demo_env


@pytest.fixture
def long_window(
    qtbot: QtBot, long_env: StationEnvironment, settings: Settings
) -> Iterator[MainWindow]:
    window = open_station_window(qtbot, long_env, settings)
    yield window
    ops.wait_for_all()
    QApplication.processEvents()


def assert_fits(window: MainWindow, size: tuple[int, int], where: str) -> None:
    width, height = size
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= width and hint.height() <= height, (where, hint, too_big(window, size))
    assert window.width() <= width and window.height() <= height, (where, window.size())


def too_big(window: MainWindow, size: tuple[int, int]) -> list[str]:
    """The widgets that ask for more than the screen, to name the culprit when a test fails."""
    width, height = size
    found = []
    for widget in window.findChildren(QWidget):
        hint = widget.minimumSizeHint().expandedTo(widget.minimumSize())
        if widget.isVisibleTo(window) and (hint.width() > width or hint.height() > height):
            found.append(f"{type(widget).__name__} {widget.objectName()} {hint.toTuple()}")
    return found


def shot(window: MainWindow, name: str) -> None:
    """For a person to look at: RETURNSDESK_SCREENSHOT_DIR (default /tmp)/name.png."""
    folder = Path(os.environ.get("RETURNSDESK_SCREENSHOT_DIR", "/tmp"))
    assert window.grab().save(str(folder / f"{name}.png"))


def cells(view: QWidget) -> list[tuple[str, str]]:
    """(shown, tooltip) of every cell of every table in ``view``."""
    found = []
    for table in view.findChildren(QTableView):
        model = table.model()
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                index = model.index(row, column)
                shown = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
                found.append((shown, str(index.data(Qt.ItemDataRole.ToolTipRole) or "")))
    return found


def assert_on_screen(window: MainWindow, widget: QWidget, where: str) -> None:
    """The whole widget lies inside the window (nothing cut off at its right or bottom)."""
    assert widget.isVisible(), (where, widget.objectName())
    top_left = widget.mapTo(window, QPoint(0, 0))
    box = QRect(top_left, widget.size())
    assert window.rect().contains(box), (where, widget.objectName() or type(widget), box)


def assert_whole(qtbot: QtBot, view: StationView) -> None:
    """Once laid out (the next turn of the event loop, before a person sees it), nothing of
    the unit or the refund is squeezed, overlapped or half shown."""
    with contextlib.suppress(TimeoutError):
        qtbot.waitUntil(lambda: not view.cut_lines(), timeout=2_000)
    assert view.cut_lines() == []


def assert_station_on_screen(window: MainWindow, where: str) -> None:
    """Every table, button and text the station shows now lies inside the window."""
    shown = [
        widget
        for widget in window.station_view.findChildren(QWidget)
        if isinstance(widget, QAbstractItemView | QPushButton | QLabel)
        and widget.isVisible()
        and not (isinstance(widget, QLabel) and not widget.text())
    ]
    assert len(shown) > 10, where
    for widget in shown:
        assert_on_screen(window, widget, where)


@pytest.mark.parametrize("size", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_every_tab_fits_the_screen_with_long_and_right_to_left_text(
    qtbot: QtBot,
    long_window: MainWindow,
    long_env: StationEnvironment,
    size: tuple[int, int],
) -> None:
    window = long_window
    window.resize(*size)
    qtbot.wait(100)  # laid out before the first scan burst, whose keys must come close together
    inspector = Inspector(qtbot, window)
    view = window.station_view
    parcel = demo_parcel(long_env, "RMA-100001")
    status_bar = window.statusBar()

    # Given the twelve-unit parcel with a 5,000-character customer and title
    inspector.scan(parcel.tracking_number)
    assert inspector.controller.state is State.RETURN, inspector.message
    assert_fits(window, size, "return shown")
    assert_station_on_screen(window, "return shown")

    # When the inspector grades its first unit, the grade keys and Back are on screen
    inspector.scan(parcel.items[0].gtin)
    assert_fits(window, size, "grading")
    assert view.grades_shown()
    assert_station_on_screen(window, "grading")  # the grade keys and Back among them
    banner = view.banner_height()
    inspector.press("2")
    # the disposition, the Enter line and each refund line whole: none squeezed or half shown
    assert "Disposition" in view.unit_prompt() and "Enter" in view.unit_prompt()
    assert_whole(qtbot, view)
    assert view.banner_height() == banner  # the banner's height stays as the inspector works
    assert_on_screen(window, status_bar, "grading")
    shot(window, f"fits-long-grading-{size[0]}x{size[1]}")
    inspector.press("Enter")

    # The refund of twelve units, eleven missing, before Enter confirms it
    inspector.key(Qt.Key.Key_F8)
    assert view.refund_title() == "Refund to confirm", inspector.message
    assert_fits(window, size, "refund summary")
    assert "Total refund" in view.refund_total()
    # every one of its twelve lines in view, each saying which unit it is
    assert len(view.refund_rows()) == 12 and view.refund_shown_whole()
    assert "(12 of 12)" in view.refund_rows()[-1]["Item"]
    assert_whole(qtbot, view)
    assert view.banner_height() == banner
    assert_station_on_screen(window, "refund summary")  # the refund, its total and Back
    shot(window, f"fits-long-refund-{size[0]}x{size[1]}")

    # Every other tab, the shift lead's with the long held reason among them
    for key, view in (
        (Qt.Key.Key_2, window.history_view),
        (Qt.Key.Key_3, window.lead_view),
        (Qt.Key.Key_4, window.reports_view),
        (Qt.Key.Key_5, window.help_view),
        (Qt.Key.Key_6, window.kpi_view),
    ):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(view.isVisible, timeout=10_000)
        qtbot.waitUntil(lambda: not ops.busy(), timeout=10_000)
        if view is window.lead_view:
            qtbot.waitUntil(lambda: bool(window.lead_view.held_refunds()))
            # The held reason is cut in its cell, whole in the cell's tooltip
            (held,) = [shown for shown, whole in cells(view) if LONG_REASON in whole]
            assert held.startswith(LONG_REASON[:150]) and len(held) < len(LONG_REASON)
            # The unit to grade again, the refused event and message are listed, cut
            qtbot.waitUntil(
                lambda: bool(window.lead_view.parked_events() and window.lead_view.messages())
            )
            lead = window.lead_view
            assert LONG_TITLE[:60] in lead.regrade_task()
            assert len(lead.regrade_task()) < 400
            assert any(" · parked: <h1>" in row for row in lead.shown_messages())
        if view is window.kpi_view:
            # The figures and their charts are on screen in full, not squeezed away
            qtbot.waitUntil(lambda: window.kpi_view.data is not None)
            for widget in (*window.kpi_view.values, *window.kpi_view.charts):
                assert_on_screen(window, widget, "KpiView")
            assert all(chart.height() >= 100 for chart in window.kpi_view.charts)
        for widget in view.findChildren(QWidget):
            if isinstance(widget, QAbstractItemView | QPushButton) and widget.isVisible():
                assert_on_screen(window, widget, type(view).__name__)  # every table, button
        assert_fits(window, size, type(view).__name__)
        assert_on_screen(window, status_bar, type(view).__name__)
        shot(window, f"fits-long-{type(view).__name__}-{size[0]}x{size[1]}")


@pytest.mark.parametrize("size", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_a_graded_unit_with_its_serial_and_checklist_fits_the_screen(
    qtbot: QtBot, window: MainWindow, demo_env: StationEnvironment, size: tuple[int, int]
) -> None:
    window.resize(*size)
    qtbot.wait(100)
    inspector = Inspector(qtbot, window)
    view = window.station_view
    # Given headphones graded F with their serial and four checklist answers (the tallest page)
    headphones = demo_parcel(demo_env, "RMA-100003")
    inspector.scan(headphones.tracking_number)
    inspector.scan(headphones.items[0].gtin)
    inspector.scan(headphones.items[0].serial_numbers[0])
    inspector.press("5")
    for _ in range(4):
        inspector.press("Y")
    assert "Disposition" in view.unit_prompt()
    assert view.grades_shown() and "yes" in view.unit_answers() and view.refund_total()
    assert_whole(qtbot, view)
    # Then the window fits and the grade keys, the answers, Back and the refund are on screen
    assert_fits(window, size, "graded unit")
    assert_station_on_screen(window, "graded unit")
    shot(window, f"fits-graded-{size[0]}x{size[1]}")


@pytest.mark.parametrize("size", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_fifteen_shops_with_long_names_fit_the_screen_and_scroll(
    qtbot: QtBot, window: MainWindow, demo_env: StationEnvironment, size: tuple[int, int]
) -> None:
    # Given fifteen shops use RMA-100001, fourteen named at length in right-to-left scripts
    own = demo_parcel(demo_env, "RMA-100001")
    clients = [f"C{n:02d}" for n in range(1, 15)]
    same_numbers_for_shops(demo_env, own, clients)
    window.station.service.clients = {
        code: ClientProfile(f"{code} {LONG_NAME}", demo_env.policies, code) for code in clients
    }
    window.resize(*size)
    qtbot.wait(100)
    inspector = Inspector(qtbot, window)
    view = window.station_view
    # When the inspector scans it and moves to the last shop
    inspector.scan(own.rma_number)
    assert inspector.controller.state is State.CHOOSE_SHOP, inspector.message
    for _ in range(15):
        inspector.key(Qt.Key.Key_Down)
    # Then the window fits, each shop is one line (cut), and the shop marked is in view
    assert_fits(window, size, "which shop")
    assert_station_on_screen(window, "which shop")
    assert view.shop_highlighted() == 14 and 14 in view.shop_rows_in_view()
    assert all(len(row["Shop"]) <= 80 for row in view.shop_rows())
    shot(window, f"fits-which-shop-{size[0]}x{size[1]}")


def test_every_tab_uses_the_stations_type_size(
    qtbot: QtBot, demo_env: StationEnvironment, database_url: str
) -> None:
    # Given a station whose type is scaled up for a bench far from the screen
    settings = load_settings(
        environ={},
        overrides={"database.url": database_url, "ui.sounds": False, "ui.font_scale": 1.25},
    )
    window = open_station_window(qtbot, demo_env, settings)
    body = window.station_view.font().pointSizeF()  # the station's tables and text
    assert body == pytest.approx(BODY_PT * 1.25)

    # Then every tab's tables, headers, text, fields and buttons are at least the body size
    for key, view in (
        (Qt.Key.Key_2, window.history_view),
        (Qt.Key.Key_3, window.lead_view),
        (Qt.Key.Key_4, window.reports_view),
        (Qt.Key.Key_5, window.help_view),
        (Qt.Key.Key_6, window.kpi_view),
    ):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(view.isVisible)
        shown = [
            w for w in view.findChildren(QWidget) if isinstance(w, TEXT_WIDGETS) and w.isVisible()
        ]
        assert shown, type(view).__name__
        for widget in shown:
            where = f"{type(view).__name__}: {type(widget).__name__} {widget.objectName()}"
            assert widget.font().pointSizeF() >= body, where
    browser = window.help_view.findChild(QTextBrowser)
    assert browser is not None
    assert browser.document().defaultFont().pointSizeF() >= body
    ops.wait_for_all()
    window.close()


def test_sign_in_and_printer_dialogs_use_the_stations_type_size(
    qtbot: QtBot, window: MainWindow, demo_env: StationEnvironment
) -> None:
    # Given a station whose type is scaled up for a bench far from the screen
    scale = 1.25
    body = BODY_PT * scale
    sign_in = SignInDialog(
        demo_env.database,
        station_code="STATION-01",
        clock=utc_now,
        lockout=LockoutPolicy(),
        font_scale=scale,
    )
    printers = PrintersDialog(
        window.station.service, LabelsSettings(), font_scale=scale, parent=window
    )
    # Then every text, field and button of both reads at least at the body size
    for dialog in (sign_in, printers):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        shown = [
            w for w in dialog.findChildren(QWidget) if isinstance(w, TEXT_WIDGETS) and w.isVisible()
        ]
        assert len(shown) >= 4, type(dialog).__name__
        for widget in shown:
            where = f"{type(dialog).__name__}: {type(widget).__name__} {widget.objectName()}"
            assert widget.font().pointSizeF() >= body, where
        dialog.reject()

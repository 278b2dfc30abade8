"""The KPI dashboard tab (Ctrl+6): the figures as text and as weekly charts, kept current by
change notices."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from completing import complete_parcel, demo_parcel, hand_to_client, station_service
from returnsdesk.data.models import Order, OrderLine, Parcel, Refund, Return, ReturnLine
from returnsdesk.domain.inspection import UnitStep
from returnsdesk.qt import ops
from returnsdesk.qt.kpi_charts import LINE
from returnsdesk.qt.kpi_view import KpiView
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.qt.station_controller import State
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.reports import ReportSetup
from returnsdesk.services.reports.formatting import duration
from returnsdesk.services.reports.kpis import HEADLINES
from returnsdesk.services.views import ClientProfile
from station_driver import Inspector


def show_kpis(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.kpi_view.isVisible, timeout=10_000)
    qtbot.waitUntil(lambda: window.kpi_view.data is not None and not ops.busy(), timeout=20_000)


def shown(window: MainWindow) -> dict[str, str]:
    return {
        name: label.text()
        for (name, _), label in zip(HEADLINES, window.kpi_view.values, strict=True)
    }


def test_the_dashboard_shows_the_figures_and_their_weekly_charts(
    qtbot: QtBot, window: MainWindow, demo_env: StationEnvironment
) -> None:
    # Given two demo returns completed, both graded 2 (restock)
    service = station_service(demo_env)
    for rma in ("RMA-100002", "RMA-100005"):
        complete_parcel(service, demo_parcel(demo_env, rma))

    # When the lead opens the KPI tab with Ctrl+6
    show_kpis(qtbot, window)

    # Then the figures read as a person would count them from the database
    now = window.kpi_view.data
    assert now is not None
    since = service.clock() - timedelta(days=30)
    with demo_env.database.session() as session:
        ordered = sum(
            session.exec(
                select(OrderLine.quantity)
                .join(Order, col(Order.id) == col(OrderLine.order_id))
                .where(col(Order.placed_at) >= since)
            ).all()
        )
        returned = sum(
            session.exec(
                select(ReturnLine.quantity)
                .join(Return, col(Return.id) == col(ReturnLine.return_id))
                .where(col(Return.created_at) >= since)
            ).all()
        )
        waits = [
            (refund.created_at - parcel.received_at).total_seconds()
            for refund, parcel in session.exec(
                select(Refund, Parcel).join(Parcel, col(Parcel.id) == col(Refund.parcel_id))
            ).all()
        ]
    assert ordered > 0 and returned > 0 and len(waits) == 2
    figures = shown(window)
    assert figures["Return rate"] == f"{returned / ordered:.1%}"
    assert figures["Processing time"] == duration(sum(waits) / 2)
    assert figures["Refund accuracy"] == "100.0%"
    assert figures["Kept in stock"] == "100.0%"
    assert figures["Cost per return"].startswith("EUR ")
    assert "last 30 days" in window.kpi_view.message()

    # And every chart has a point for each week and draws it
    labels = [week.label for week in now.weeks]
    assert len(labels) >= 5
    for chart in window.kpi_view.charts:
        points = chart.points()
        assert [label for label, _ in points] == labels
        assert points[-1][1] is not None  # this week holds the two refunds
        image = chart.grab().toImage()
        assert image.width() > 150 and image.height() > 80, chart.objectName()
        drawn = {
            image.pixelColor(x, y).name()
            for x in range(0, image.width(), 2)
            for y in range(0, image.height(), 2)
        }
        assert QColor(LINE).name() in drawn, chart.objectName()


def test_a_completion_at_the_station_updates_the_dashboard(
    qtbot: QtBot, window: MainWindow, demo_env: StationEnvironment, inspector: Inspector
) -> None:
    # Given the dashboard read once, with no refunds yet
    show_kpis(qtbot, window)
    assert window.kpi_view.data is not None and window.kpi_view.data.total.counts.refunds == 0
    assert shown(window)["Refund accuracy"] == "–"

    # When an inspector completes a return at the station
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    parcel = demo_parcel(demo_env, "RMA-100002")
    inspector.scan(parcel.tracking_number)
    for item in parcel.items:
        for index in range(item.quantity):
            inspector.scan(item.gtin)
            if index < len(item.serial_numbers):
                inspector.scan(item.serial_numbers[index])
            inspector.press("2")
            work = inspector.controller.work
            while work is not None and work.current and work.current.step is UnitStep.CHECKLIST:
                inspector.press("Y")
            inspector.press("Enter")
    assert inspector.controller.state is State.OUTCOME, inspector.message

    # Then the dashboard shows it when opened again (the notice marked it stale)
    show_kpis(qtbot, window)
    qtbot.waitUntil(
        lambda: window.kpi_view.data is not None and window.kpi_view.data.total.counts.refunds == 1,
        timeout=20_000,
    )
    assert shown(window)["Refund accuracy"] == "100.0%"


def test_a_station_serving_several_shops_shows_one_shop_s_kpis(
    qtbot: QtBot, demo_env: StationEnvironment
) -> None:
    # Given a station serving Acme, and two returns refunded: one Acme's, one the house shop's
    service = station_service(demo_env)
    service.clients = {"ACME": ClientProfile("Acme Outdoor", demo_env.policies, "")}
    with demo_env.database.session() as session:
        hand_to_client(session, "RMA-100002", "ACME")
    for rma in ("RMA-100002", "RMA-100005"):
        complete_parcel(service, demo_parcel(demo_env, rma))
    view = KpiView(service, ReportSetup.from_settings())
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.data is not None and not ops.busy(), timeout=20_000)
    assert view.data is not None and view.data.total.counts.refunds == 2

    # When the lead picks Acme in the shop list
    assert view.shops_offered() == ["All shops", "Acme Outdoor (ACME)"]
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        view.choose_shop("ACME")

    # Then the figures are Acme's only, and the tab says whose they are
    assert view.data.total.counts.refunds == 1
    assert "Acme Outdoor (ACME)" in view.message()

"""The status bar and the shift lead's tab say the same about the outbox, in the same words.

They used to read it on their own timers and word it their own way: after a few completions
the status bar said "7 waiting" while the lead's tab said "13 events waiting".
"""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from PySide6.QtCore import Qt

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.data.models import OutboxEvent
from returnsdesk.domain.vocabulary import OutboxStatus
from returnsdesk.qt.lead_view import sync_details
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.qt.sync_status import sync_line
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.sync.relay import ShopWaiting, SyncHealth
from station_driver import Inspector


def lead_line(window: MainWindow) -> str:
    return window.lead_view.sync_text().splitlines()[0]


def test_both_show_the_same_line_after_completions_here_and_elsewhere(
    qtbot: QtBot, inspector: Inspector, demo_env: StationEnvironment
) -> None:
    window = inspector.window
    qtbot.waitUntil(lambda: window.sync_line() == "Sync: not configured, nothing waiting")

    # When a return is completed here, the status bar says so at once (no timer tick)
    window._others_timer.stop()
    parcel = demo_parcel(demo_env, "RMA-100001")
    inspector.scan(parcel.tracking_number)
    inspector.scan(parcel.items[0].gtin)
    inspector.press("2")
    inspector.press("Enter")
    with demo_env.database.session() as session:
        here = len(session.exec(select(OutboxEvent)).all())
    assert here >= 6  # received, inspected, stock, refund, closed, and the customer's messages
    qtbot.waitUntil(lambda: f" {here} waiting" in window.sync_line(), timeout=5_000)

    # And when another station completes one too, at the slow tick for other stations the
    # lead's tab and the status bar agree
    complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100004"))
    window._others_timer.timeout.emit()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: f" {here} waiting" not in window.sync_line(), timeout=5_000)
    qtbot.waitUntil(lambda: lead_line(window) == window.sync_line(), timeout=5_000)
    with demo_env.database.session() as session:
        waiting = len(session.exec(select(OutboxEvent)).all())
    assert waiting > here
    assert f"Sync: not configured, {waiting} waiting in the outbox" in lead_line(window)

    # And with an event the shop refused, both say it needs attention, in the same words
    with demo_env.database.session() as session:
        event = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.sequence))).first()
        assert event is not None
        event.status, event.last_error = OutboxStatus.NEEDS_ATTENTION, "400 line_ref missing"
        session.add(event)
    qtbot.keyClick(window.lead_view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: "1 need attention" in window.sync_line(), timeout=5_000)
    assert lead_line(window) == window.sync_line()
    assert "Last error: 400 line_ref missing" in window.lead_view.sync_text()


def test_the_wording_of_each_state() -> None:
    def health(pending: int, attention: int = 0, minutes: int | None = None) -> SyncHealth:
        age = timedelta(minutes=minutes) if minutes is not None else None
        return SyncHealth(pending, age, attention, None, None)

    assert sync_line(health(0), configured=True) == "Sync: all delivered"
    assert sync_line(health(0), configured=False) == "Sync: not configured, nothing waiting"
    assert sync_line(health(3, minutes=4), configured=True) == "Sync: 3 waiting, oldest 4 min"
    assert (
        sync_line(health(13, minutes=0), configured=False)
        == "Sync: not configured, 13 waiting in the outbox, oldest 0 min"
    )
    assert (
        sync_line(health(5, attention=2, minutes=9), configured=True, pull_failed=True)
        == "Sync: 2 need attention, 5 waiting · pull failed"
    )


def test_a_station_serving_several_shops_says_what_waits_for_each() -> None:
    health = SyncHealth(
        7,
        None,
        1,
        None,
        None,
        by_shop=(ShopWaiting(None, 1, 0), ShopWaiting("ACME", 4, 1), ShopWaiting("BOLT", 2, 0)),
    )
    details = sync_details(
        health, configured=True, pull_error=None, shop_names={"ACME": "Acme Outdoor"}
    )
    assert details.splitlines() == [
        "The station's own shop: 1 waiting",
        "Acme Outdoor (ACME): 4 waiting, 1 need attention",
        "BOLT: 2 waiting",
    ]
    # A station of one shop says nothing per shop
    assert sync_details(SyncHealth(7, None, 1, None, None), configured=True, pull_error=None) == ""

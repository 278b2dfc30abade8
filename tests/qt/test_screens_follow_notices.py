"""The status bar, the shift lead's tab and the shift history follow change notices, not timers.

A completion, a lead's decision and the relay's deliveries say what they changed; every screen
showing it is up to date at once. Each test first makes sure nothing in the window polls (the
slow tick for other stations is stopped; only the pull from the shop may run on a timer).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import select

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.config import Settings, load_settings
from returnsdesk.data.models import OutboxEvent
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.inspection import UnitStep
from returnsdesk.domain.vocabulary import OutboxStatus, RefundStatus
from returnsdesk.qt import ops
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.qt.station_controller import State
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.sync.credentials import DEFAULT_TOKEN_ENV
from services.sync.fake_shop import FakeShop
from station_driver import Inspector, answer_next_dialog, open_station_window, press


def stop_polling(window: MainWindow) -> None:
    """Stop the slow tick for other stations; then nothing but the pull may repeat."""
    window._others_timer.stop()
    repeating = [
        timer
        for timer in window.findChildren(QTimer)
        if timer.isActive() and not timer.isSingleShot() and timer is not window._pull_timer
    ]
    assert repeating == [], [timer.interval() for timer in repeating]


def waiting_events(env: StationEnvironment) -> int:
    with env.database.session() as session:
        events = session.exec(select(OutboxEvent)).all()
    return sum(1 for e in events if e.status is OutboxStatus.PENDING)


def lead_line(window: MainWindow) -> str:
    return window.lead_view.sync_text().splitlines()[0]


def complete_at_the_station(inspector: Inspector, env: StationEnvironment, rma: str) -> None:
    parcel = demo_parcel(env, rma)
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
    assert inspector.controller.state is State.OUTCOME


def test_a_completion_shows_in_the_status_bar_and_the_lead_tab_at_once(
    qtbot: QtBot, inspector: Inspector, demo_env: StationEnvironment
) -> None:
    window = inspector.window
    qtbot.waitUntil(lambda: window.sync_line() == "Sync: not configured, nothing waiting")
    stop_polling(window)
    # Given the lead's tab was looked at: nothing waits for approval
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: lead_line(window) == window.sync_line())
    assert len(window.lead_view.held_refunds()) == 0
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)

    # When the inspector completes a return whose refund (above EUR 500) a lead must approve
    complete_at_the_station(inspector, demo_env, "RMA-100004")

    # Then the status bar counts its events, and the lead's tab says the same, at once
    waiting = waiting_events(demo_env)
    assert waiting > 0
    expected = f"Sync: not configured, {waiting} waiting in the outbox"
    qtbot.waitUntil(lambda: window.sync_line().startswith(expected), timeout=3_000)
    assert lead_line(window) == window.sync_line()
    # And the lead's tab lists the held refund as soon as it is shown
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    lead = window.lead_view
    qtbot.waitUntil(lambda: len(lead.held_refunds()) == 1, timeout=3_000)
    assert lead.held_refunds()[0].rma_number == "RMA-100004"


def test_a_lead_approval_updates_the_lead_tab_and_the_history(
    qtbot: QtBot, demo_env: StationEnvironment, settings: Settings
) -> None:
    # Given a refund held for a lead, completed at another station
    result = complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100004"))
    assert result.refund_status is RefundStatus.PENDING_APPROVAL
    window = open_station_window(qtbot, demo_env, settings, "OP-0003", pin="2468")
    stop_polling(window)
    history, lead = window.history_view, window.lead_view
    # And the history was looked at: one refund waits for approval
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "1 waiting for approval" in history.summary_text(), timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(lead.held_refunds()) == 1, timeout=5_000)

    # When the signed-in lead approves it with their PIN
    answer_next_dialog(qtbot, "", "2468", "photos checked")
    press(qtbot, window, "A")
    qtbot.waitUntil(lambda: "approved by Jonas Weber" in lead.message(), timeout=10_000)

    # Then the lead's list is empty, and the history shows the refund approved
    qtbot.waitUntil(lambda: len(lead.held_refunds()) == 0, timeout=3_000)
    window.activateWindow()  # back from the lead's dialog: window shortcuts work again
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert history.isVisible()
    qtbot.waitUntil(lambda: "0 waiting for approval" in history.summary_text(), timeout=3_000)
    (row,) = [r for r in history.parcels() if r.rma_number == "RMA-100004"]
    assert row.refund_status is RefundStatus.APPROVED
    ops.wait_for_all()
    window.close()


# --- the relay, delivering from its own thread ------------------------------------------------


@pytest.fixture
def shop_settings(
    demo_env: StationEnvironment, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakeShop, Settings]]:
    with FakeShop(known_rmas={"RMA-100001"}) as shop:
        monkeypatch.setenv(DEFAULT_TOKEN_ENV, shop.token)
        settings = load_settings(
            environ={},
            overrides={
                "database.url": str(demo_env.database.engine.url),
                "ui.sounds": False,
                "order_system.kind": "oscar",
                "order_system.url": shop.url,
                "order_system.pull_interval_s": 3600.0,  # the shop's feed is empty anyway
                "messages.grace_minutes": 0,  # "parcel received" may go at once
            },
        )
        yield shop, settings


def completed_elsewhere_due_in(env: StationEnvironment, rma: str, seconds: float) -> None:
    """Another station completed the return; its events are due in ``seconds`` (as after a
    retry's backoff), so the window reads them waiting before its relay sends them."""
    complete_parcel(station_service(env), demo_parcel(env, rma))
    with env.database.session() as session:
        for event in session.exec(select(OutboxEvent)).all():
            event.next_attempt_at = utc_now() + timedelta(seconds=seconds)
            session.add(event)


def test_the_relays_deliveries_show_in_the_status_bar_without_polling(
    qtbot: QtBot, demo_env: StationEnvironment, shop_settings: tuple[FakeShop, Settings]
) -> None:
    shop, settings = shop_settings
    completed_elsewhere_due_in(demo_env, "RMA-100001", 3)
    window = open_station_window(qtbot, demo_env, settings)
    stop_polling(window)
    # Given the status bar shows the events waiting
    qtbot.waitUntil(lambda: " waiting, oldest " in window.sync_line(), timeout=3_000)
    assert "Last delivered" not in window.lead_view.sync_text()

    # When the relay sends them, on its own thread, then the status bar says all delivered
    qtbot.waitUntil(lambda: window.sync_line() == "Sync: all delivered", timeout=10_000)
    assert waiting_events(demo_env) == 0 and shop.state.calls
    assert "Last delivered" in window.lead_view.sync_text()
    window.close()


def test_an_event_the_shop_refuses_shows_on_the_open_lead_tab_without_polling(
    qtbot: QtBot, demo_env: StationEnvironment, shop_settings: tuple[FakeShop, Settings]
) -> None:
    _shop, settings = shop_settings
    # Given a return the shop does not know, completed at another station
    completed_elsewhere_due_in(demo_env, "RMA-100002", 3)
    window = open_station_window(qtbot, demo_env, settings, "OP-0003", pin="2468")
    stop_polling(window)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    lead = window.lead_view
    qtbot.waitUntil(lambda: " waiting, oldest " in lead_line(window), timeout=3_000)
    assert len(lead.parked_events()) == 0

    # When the relay sends its first event and the shop refuses it for good
    # Then the lead's open tab lists it with the shop's answer, and the status bar agrees
    qtbot.waitUntil(lambda: len(lead.parked_events()) == 1, timeout=10_000)
    assert "no return RMA-100002" in (lead.parked_events()[0].last_error or "")
    qtbot.waitUntil(lambda: "1 need attention" in window.sync_line(), timeout=3_000)
    assert lead_line(window) == window.sync_line()
    window.close()

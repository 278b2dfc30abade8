"""At the station window: a parcel whose refund was released on receipt says so on its banner
and its refund panel, and done, that a recovery case is open for a shift lead."""

from __future__ import annotations

from dataclasses import replace

from pytestqt.qtbot import QtBot

from completing import demo_parcel, known_customer, trusting
from returnsdesk.config import Settings
from returnsdesk.qt import ops
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.station.screen import Tone
from station_driver import Inspector, open_station_window


def test_the_window_shows_the_refund_paid_on_receipt_and_the_recovery_case(
    qtbot: QtBot, demo_env: StationEnvironment, settings: Settings
) -> None:
    # Given the customer of RMA-100002 is trusted: refunded on receipt
    service = trusting(demo_env)
    known_customer(demo_env, service, "RMA-100002")
    window = open_station_window(qtbot, replace(demo_env, policies=service.policies), settings)
    inspector = Inspector(qtbot, window)
    view = window.station_view
    parcel = demo_parcel(demo_env, "RMA-100002")
    (item,) = parcel.items
    try:
        # When the parcel is scanned
        inspector.scan(parcel.tracking_number)
        # Then the banner and the refund panel say the refund was paid on receipt
        assert view.message().startswith("Refund already issued on receipt — inspection follows.")
        assert view.refund_title() == "Refund already issued on receipt — inspection follows"
        assert view.refund_total() == "Paid on receipt EUR 49.80; if closed now: EUR 0.00"
        # When one unit is graded D (half deducted) and the other B, and Enter confirms
        inspector.scan(item.gtin)
        inspector.press("4")
        inspector.press("Enter")
        inspector.scan(item.gtin)
        inspector.press("2")
        assert "closing opens a recovery case for a shift lead" in view.refund_total()
        inspector.press("Enter")
        # Then the banner says nothing more was paid and a recovery case is open
        qtbot.waitUntil(lambda: "a recovery case is open" in view.message(), timeout=10_000)
        assert "EUR 49.80 was refunded on receipt, inspection finds EUR 37.35" in view.message()
        assert view.message_tone() is Tone.WARNING
    finally:
        ops.wait_for_all()

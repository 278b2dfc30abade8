"""At the window: a scanned RMA two shops use asks which shop, and a typed digit opens it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from completing import demo_parcel, same_numbers_for_shop, ups_tracking
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.views import ClientProfile
from station_driver import Inspector

# A shop name from the settings, hostile: markup, right-to-left text, far too long
HOSTILE = "<b>Acme</b> שלום " + "Outdoor " * 200


def test_the_inspector_picks_the_shop_with_a_digit_and_esc_cancels(
    window: MainWindow, demo_env: StationEnvironment, inspector: Inspector, qtbot: QtBot
) -> None:
    # Given the station serves Acme, which also has an RMA-100001
    own = demo_parcel(demo_env, "RMA-100001")
    same_numbers_for_shop(demo_env, own, "ACME", ups_tracking("ACME01", 1))
    window.station.service.clients = {"ACME": ClientProfile(HOSTILE, demo_env.policies, "ACME")}
    view = window.station_view

    # When the inspector scans the RMA, the station asks which shop, names as plain text
    inspector.scan(own.rma_number)
    assert "used by 2 shops" in inspector.message
    guide = view.guide_text().replace("\u2068", "").replace("\u2069", "")  # bidi isolates
    assert "Which shop's parcel is it?" in guide
    assert "1\nThis station's own shop" in guide and "2\n<b>Acme</b> שלום" in guide
    assert view.keys_hint() == "1-2 the shop on the label · Esc cancel"
    assert view.return_title() == "No parcel open"

    # Esc cancels; scanned again, 2 opens Acme's return
    inspector.key(Qt.Key.Key_Escape)
    assert "nothing was received" in inspector.message
    inspector.scan(own.rma_number)
    inspector.press("2")
    assert view.return_title().startswith("<b>Acme</b> שלום")
    assert f"Return {own.rma_number}: 1 unit expected" in inspector.message

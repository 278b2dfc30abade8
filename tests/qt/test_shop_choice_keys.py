"""At the window: a scanned RMA several shops use asks which shop; the shop's number, or ↓ ↑
and Enter, opens it, however many shops there are; a search lists each return's shop."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from completing import demo_parcel, same_numbers_for_shop, same_numbers_for_shops, ups_tracking
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.views import OWN_SHOP_NAME, ClientProfile
from returnsdesk.station.screen import State
from station_driver import Inspector

# A shop name from the settings, hostile: markup, right-to-left text, far too long
HOSTILE = "<b>Acme</b> שלום " + "Outdoor " * 200
CLIENTS = [f"C{n:02d}" for n in range(1, 15)]


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
    assert view.shop_choice_text().startswith("Which shop's parcel is it?\nRMA-100001 is")
    rows = view.shop_rows()
    assert [(row["No."], row["Shop"]) for row in rows] == [
        ("1", OWN_SHOP_NAME),
        ("2", HOSTILE[:79].rstrip() + "…"),  # cut, the markup as typed
    ]
    assert rows[1]["RMA"] == own.rma_number and rows[1]["Status"] == "open"
    assert "&lt;b&gt;Acme&lt;/b&gt;" in view.shop_tooltips()[1]["Shop"]  # whole, never markup
    assert view.keys_hint() == "1-2 the shop on the label · ↓ ↑ Enter choose · Esc cancel"
    assert view.return_title() == "No parcel open"
    assert view.shop_highlighted() is None

    # Esc cancels; scanned again, 2 opens Acme's return
    inspector.key(Qt.Key.Key_Escape)
    assert "nothing was received" in inspector.message
    inspector.scan(own.rma_number)
    inspector.press("2")
    assert view.return_title().startswith("\u2068<b>Acme</b> שלום")  # isolated
    assert f"Return {own.rma_number}: 1 unit expected" in inspector.message


def test_fifteen_shops_scroll_and_the_keyboard_alone_reaches_every_one(
    window: MainWindow, demo_env: StationEnvironment, inspector: Inspector, qtbot: QtBot
) -> None:
    # Given fifteen shops use RMA-100001, fourteen of them with long, hostile names
    own = demo_parcel(demo_env, "RMA-100001")
    same_numbers_for_shops(demo_env, own, CLIENTS)
    window.station.service.clients = {
        code: ClientProfile(f"{code} {HOSTILE}", demo_env.policies, code) for code in CLIENTS
    }
    window.resize(1366, 768)
    qtbot.wait(100)
    view = window.station_view
    controller = window.station

    # When the inspector scans it, every shop is listed; at 1366x768 the list scrolls
    inspector.scan(own.rma_number)
    assert [row["No."] for row in view.shop_rows()] == [str(n) for n in range(1, 16)]
    shown = view.shop_rows_in_view()
    assert 5 <= len(shown) < 15 and shown[0] == 0, shown
    assert view.keys_hint().startswith("1-15 the shop on the label · ↓ ↑ Enter choose")

    # ↓ marks shop 1, and fourteen ↓ more mark shop 15, scrolled into view
    inspector.key(Qt.Key.Key_Down)
    assert view.shop_highlighted() == 0 and "Shop 1 of 15" in inspector.message
    for _ in range(14):
        inspector.key(Qt.Key.Key_Down)
    assert view.shop_highlighted() == 14 and 14 in view.shop_rows_in_view()
    inspector.key(Qt.Key.Key_Up)
    assert view.shop_highlighted() == 13
    assert "Shop 14 of 15, \u2068C13 <b>Acme</b>" in inspector.message  # the name isolated

    # Enter opens the shop marked
    inspector.press("Enter")
    assert controller.state is State.RETURN
    assert view.return_title().startswith("\u2068C13 <b>Acme</b>")

    # Typed: 1 then 2 opens shop 12 (1 alone waits, marked, for a second digit or Enter)
    inspector.key(Qt.Key.Key_Escape)
    inspector.scan(own.rma_number)
    inspector.press("1")
    assert controller.state is State.CHOOSE_SHOP and view.shop_highlighted() == 0
    assert view.keys_hint().endswith("Backspace clear · Esc cancel")
    inspector.press("2")
    assert controller.state is State.RETURN
    assert view.return_title().startswith("\u2068C11 <b>Acme</b>")


def test_search_results_name_each_shop_and_enter_opens_the_one_chosen(
    window: MainWindow, demo_env: StationEnvironment, inspector: Inspector, qtbot: QtBot
) -> None:
    # Given Acme (a long, hostile name) also has an RMA-100001, and a parcel no return knows
    own = demo_parcel(demo_env, "RMA-100001")
    same_numbers_for_shop(demo_env, own, "ACME", ups_tracking("ACME01", 1))
    window.station.service.clients = {"ACME": ClientProfile(HOSTILE, demo_env.policies, "ACME")}
    view = window.station_view
    inspector.scan(ups_tracking("NOBODY", 9))
    assert window.station.state is State.NO_RETURN

    # When the inspector searches the RMA on the packing slip
    inspector.type(own.rma_number, delay=70)
    qtbot.wait(70)
    inspector.key(Qt.Key.Key_Return)

    # Then both shops' returns are listed, each with its shop; a long name cut, whole in its tip
    rows = view.search_rows()
    assert [row["RMA"] for row in rows] == [own.rma_number, own.rma_number]
    shops = [row["Shop"] for row in rows]
    acme = HOSTILE[:31].rstrip() + "…"
    assert sorted(shops) == sorted([OWN_SHOP_NAME, acme])
    acme_row = shops.index(acme)
    assert "&lt;b&gt;Acme&lt;/b&gt;" in view.search_tooltips()[acme_row]["Shop"]
    assert "2 returns found, of 2 shops: the label says which" in inspector.message

    # When they move to Acme's row and press Enter, Acme's return opens
    for _ in range(acme_row):
        inspector.key(Qt.Key.Key_Down)
    inspector.press("Enter")
    assert window.station.state is State.RETURN
    assert view.return_title().startswith("\u2068<b>Acme</b> שלום")  # isolated


def test_a_station_of_one_shop_shows_no_shop_column(
    window: MainWindow, inspector: Inspector, qtbot: QtBot
) -> None:
    inspector.scan(ups_tracking("NOBODY", 9))
    inspector.type("Sofia", delay=70)
    qtbot.wait(70)
    inspector.key(Qt.Key.Key_Return)
    assert list(window.station_view.search_rows()[0]) == [
        "RMA",
        "Order",
        "Customer",
        "Units",
        "Status",
    ]

"""The station's grade buttons follow the grading scale of the open return's client shop."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from completing import hand_to_client, with_two_more_grades
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.views import ClientProfile
from station_driver import Inspector


def test_an_acme_return_is_graded_with_acme_s_buttons_and_a_house_return_with_the_station_s(
    window: MainWindow, demo_env: StationEnvironment, inspector: Inspector, qtbot: QtBot
) -> None:
    # Given the station serves Acme, whose scale has two grades of its own (G, H on keys 6, 7)
    assert demo_env.demo is not None
    acme, house = demo_env.demo.parcels[0], demo_env.demo.parcels[1]
    window.station.service.clients = {
        "ACME": ClientProfile("Acme Outdoor", with_two_more_grades(demo_env.policies), "ACME")
    }
    with demo_env.database.session() as session:
        hand_to_client(session, acme.rma_number, "ACME")
    view = window.station_view
    station_grades = view.grade_buttons()
    assert len(station_grades) == len(demo_env.policies.grading.grades)

    # When an Acme parcel's item is scanned
    inspector.scan(acme.rma_number)
    inspector.scan(acme.items[0].gtin)

    # Then the buttons are Acme's: the station's grades and Acme's two
    assert view.grades_shown()
    assert view.grade_buttons() == [
        *station_grades,
        "6\nG · Gift box open",
        "7\nH · Parts only",
    ]

    # And when the item is cancelled, the parcel left open and a house parcel worked
    inspector.key(Qt.Key.Key_Escape)
    inspector.key(Qt.Key.Key_Escape)
    inspector.scan(house.rma_number)
    inspector.scan(house.items[0].gtin)

    # Then the station's own grades are back
    assert view.grades_shown()
    assert view.grade_buttons() == station_grades

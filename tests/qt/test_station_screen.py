"""What the station screen shows and keeps: notes typed by hand, the grades of the loaded scale,
and a refund to confirm shown whole."""

from __future__ import annotations

from dataclasses import replace

from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from PySide6.QtCore import Qt

from completing import demo_parcel, three_unit_parcel, with_two_more_grades
from returnsdesk.config import Settings
from returnsdesk.data.models import Inspection, Parcel, Refund, Return
from returnsdesk.qt import ops
from returnsdesk.qt.station_controller import State
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.station.screen import Focus
from station_driver import Inspector, open_station_window


def refunds(env: StationEnvironment, rma: str) -> list[Refund]:
    with env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
        return list(session.exec(select(Refund).where(Refund.return_id == return_.id)).all())


# --- a note typed quickly was taken for a scan, and its Enter confirmed the refund ---------


def test_a_note_typed_quickly_and_kept_with_enter_is_saved_and_nothing_else(
    qtbot: QtBot, inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    view = inspector.window.station_view
    # Given the only unit is graded: Enter on the station would confirm the refund
    inspector.scan(parcel.tracking_number)
    inspector.scan(parcel.items[0].gtin)
    inspector.press("2")
    assert "and confirm the refund" in view.unit_prompt()

    # When the inspector opens the note (F2), types quickly (30 ms a key) and presses Enter
    inspector.key(Qt.Key.Key_F2)
    assert view.focused() is Focus.NOTES
    inspector.type("left heel scuffed", delay=30)
    inspector.key(Qt.Key.Key_Return)
    qtbot.wait(150)  # anything held back as a lone key or a scan would have come out by now

    # Then the note is kept, nothing was taken for a scan, and the refund is not confirmed
    assert inspector.controller.state is State.UNIT, inspector.message
    work = inspector.controller.work
    assert work is not None and work.current is not None
    assert work.current.notes == "left heel scuffed"
    assert view.notes_text() == "left heel scuffed"
    assert "Finish this item first" not in inspector.message
    assert refunds(demo_env, parcel.rma_number) == []

    # And Enter on the station then confirms, with the note stored on the inspection
    inspector.press("Enter")
    assert inspector.controller.state is State.OUTCOME
    with demo_env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == parcel.rma_number)).one()
        parcel_ids = session.exec(select(Parcel.id).where(Parcel.return_id == return_.id)).all()
        (inspection,) = session.exec(
            select(Inspection).where(col(Inspection.parcel_id).in_(parcel_ids))
        ).all()
        assert inspection.notes == "left heel scuffed"


# --- hints and help said "1-5, A new ... F defective" whatever grading.toml said ------------


def test_hints_and_help_name_the_grades_of_the_loaded_scale(
    qtbot: QtBot, demo_env: StationEnvironment, settings: Settings
) -> None:
    # Given a site whose grading scale has seven grades, two of its own
    policies = with_two_more_grades(demo_env.policies)
    window = open_station_window(qtbot, replace(demo_env, policies=policies), settings)
    inspector = Inspector(qtbot, window)
    view = window.station_view
    try:
        # The station's guide and the help name them all
        assert "7 H Parts only" in view.guide_text()
        assert "Parts only" in window.help_view.shown_text()
        assert "1 – 5" not in window.help_view.shown_text()
        # And with an item under inspection, the keys that work say 1-7
        parcel = demo_parcel(demo_env, "RMA-100001")
        inspector.scan(parcel.tracking_number)
        inspector.scan(parcel.items[0].gtin)
        assert "1-7 grade" in view.keys_hint() and "1-5" not in view.keys_hint()
        assert "press 1-7" in view.unit_prompt()
    finally:
        ops.wait_for_all()


# --- a three-unit refund to confirm showed one or two lines behind a scrollbar ---------------


def test_a_three_unit_refund_is_shown_whole_before_enter_confirms_it(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = three_unit_parcel(demo_env)
    view = inspector.window.station_view
    units = [item for item in parcel.items for _ in range(item.quantity)]
    inspector.scan(parcel.tracking_number)
    for index, item in enumerate(units):
        inspector.scan(item.gtin)
        inspector.press("4" if index == 0 else "2")  # the first unit damaged: a deduction
        while "(Y / N)" in view.unit_prompt():
            inspector.press("Y")
        if index < len(units) - 1:
            inspector.press("Enter")

    # Given the last unit is graded, so that Enter confirms the refund
    assert "and confirm the refund" in view.unit_prompt()
    # Then every line is on screen, each with its price, deduction and why, and the total
    rows = view.refund_rows()
    assert len(rows) == 3
    assert list(rows[0]) == ["Item", "Grade", "Paid", "Deduction", "Refund", "Why"]
    assert view.refund_shown_whole()
    assert "Total refund EUR" in view.refund_total()
    damaged = next(row for row in rows if row["Grade"] == "D")
    deduction, why = damaged["Deduction"], damaged["Why"]
    assert deduction != "EUR 0.00" and why

    # When Enter confirms, the completed view itemises it the same way
    inspector.press("Enter")
    assert inspector.controller.state is State.OUTCOME
    heading, *units = view.outcome_rows()
    assert {"Paid", "Deduction", "Why", "Refund"} <= set(heading)
    assert len(units) == 3
    (shown,) = [unit for unit in units if deduction in unit]
    assert why in shown
    # all of it on screen once laid out
    inspector.qtbot.waitUntil(view.outcome_shown_whole, timeout=10_000)

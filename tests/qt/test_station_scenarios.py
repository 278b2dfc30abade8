"""The demo's designed returns, worked at the station by keyboard and scanner.

Each test drives the window as an inspector does and then checks what the screen says and what
the database holds: inspections, flags, stock movements and the one refund of the return.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from PySide6.QtCore import Qt

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.config import Settings
from returnsdesk.data.models import (
    DispositionDecision,
    Inspection,
    OrderLine,
    Parcel,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    StockMovement,
)
from returnsdesk.domain.barcodes import gtin_check_digit
from returnsdesk.domain.vocabulary import InspectionOutcome, RefundStatus, ReturnStatus
from returnsdesk.qt.station_controller import State
from returnsdesk.qt.station_view import Tone
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.demo import DemoParcel
from station_driver import Inspector, open_station_window


@dataclass
class Stored:
    """Everything the station wrote for one return, read back after the fact."""

    return_: Return
    inspections: list[Inspection]
    decisions: dict[uuid.UUID, DispositionDecision]  # by inspection id
    movements: list[StockMovement]
    refunds: list[Refund]
    refund_lines: list[RefundLine]

    @property
    def refund(self) -> Refund:
        assert len(self.refunds) == 1, self.refunds
        return self.refunds[0]

    def inspected(self) -> list[Inspection]:
        return [i for i in self.inspections if i.outcome is InspectionOutcome.INSPECTED]

    def missing(self) -> list[Inspection]:
        return [i for i in self.inspections if i.outcome is InspectionOutcome.MISSING]


def stored(env: StationEnvironment, rma: str) -> Stored:
    with env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
        parcel_ids = session.exec(select(Parcel.id).where(Parcel.return_id == return_.id)).all()
        inspections = list(
            session.exec(
                select(Inspection)
                .where(col(Inspection.parcel_id).in_(parcel_ids))
                .order_by(col(Inspection.finished_at), col(Inspection.outcome))
            ).all()
        )
        ids = [i.id for i in inspections]
        decisions = {
            d.inspection_id: d
            for d in session.exec(
                select(DispositionDecision).where(col(DispositionDecision.inspection_id).in_(ids))
            ).all()
        }
        movements = list(
            session.exec(
                select(StockMovement).where(col(StockMovement.inspection_id).in_(ids))
            ).all()
        )
        refunds = list(session.exec(select(Refund).where(Refund.return_id == return_.id)).all())
        refund_lines = list(
            session.exec(
                select(RefundLine)
                .where(col(RefundLine.refund_id).in_([r.id for r in refunds]))
                .order_by(col(RefundLine.unit_index))
            ).all()
        )
    return Stored(return_, inspections, decisions, movements, refunds, refund_lines)


def prompt(inspector: Inspector) -> str:
    """The unit prompt as the inspector reads it."""
    return inspector.window.station_view.unit_prompt()


# --- (a) two units of one line -----------------------------------------------------------------


def test_two_unit_return_is_inspected_unit_by_unit_and_refunded_for_both(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")
    (item,) = parcel.items
    assert item.quantity == 2
    view = inspector.window.station_view

    # Given the parcel is open
    inspector.scan(parcel.tracking_number)
    assert "2 units expected" in inspector.message

    # When the inspector grades the first unit B and accepts it
    inspector.scan(item.gtin)
    assert "unit 1 of 2" in view.unit_title()
    inspector.press("2")
    assert "and confirm the refund" not in prompt(inspector)
    inspector.press("Enter")

    # Then the parcel stays open for the second unit
    assert inspector.controller.state is State.RETURN
    assert "(1 left)" in inspector.message
    assert stored(demo_env, parcel.rma_number).refunds == []

    # When they grade the second unit C and accept it, which also confirms the refund
    inspector.scan(item.gtin)
    assert "unit 2 of 2" in view.unit_title()
    inspector.press("3")
    assert "Enter to accept and confirm the refund" in prompt(inspector)
    inspector.press("Enter")

    # Then the return is done, with one inspection and one stock movement per unit
    assert inspector.controller.state is State.OUTCOME
    assert view.message_tone() is Tone.OK and "approved" in inspector.message
    db = stored(demo_env, parcel.rma_number)
    assert db.return_.status is ReturnStatus.COMPLETED
    assert [(i.grade, i.sku_scanned, i.flags) for i in db.inspections] == [
        ("B", item.sku, []),
        ("C", item.sku, []),
    ]
    assert len(db.movements) == 2
    assert {m.inspection_id for m in db.movements} == {i.id for i in db.inspections}
    # And the refund has one line per unit: B in full, C less the restocking fee (changed mind)
    assert len(db.refund_lines) == 2
    full, used = db.refund_lines
    assert full.deduction == Decimal("0") and full.amount == full.gross
    assert used.deduction == (used.gross * Decimal("0.15")).quantize(Decimal("0.01"))
    assert db.refund.total == full.amount + used.amount
    assert db.refund.status is RefundStatus.APPROVED


# --- (b) electronics with a serial number ---------------------------------------------------


def test_electronics_serial_is_scanned_and_checklist_answered_before_the_refund(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100003")
    (item,) = parcel.items
    (serial,) = item.serial_numbers
    view = inspector.window.station_view

    # Given the parcel is open and the item scanned, the station asks for the serial first
    inspector.scan(parcel.tracking_number)
    inspector.scan(item.gtin)
    assert inspector.controller.state is State.UNIT
    assert "serial number" in prompt(inspector)
    assert not view.grades_shown()

    # When the inspector scans the serial on the unit
    inspector.scan(serial)
    # Then it is confirmed and grading comes next
    assert view.message_tone() is Tone.OK
    assert f"Serial {serial} matches the unit shipped" in inspector.message
    assert "Grade the unit" in prompt(inspector)

    # When they grade it F (defective) and answer the checklist the station asks, in order
    inspector.press("5")
    answers = {
        "Powers on?": "N",
        "Reset to factory settings": "Y",
        "No signs of liquid damage": "Y",
        "Fault described by the customer confirmed?": "Y",
    }
    for question, key in answers.items():
        assert question in prompt(inspector)
        inspector.press(key)
    assert "Enter to accept and confirm the refund" in prompt(inspector)
    inspector.press("Enter")

    # Then the return is completed and the serial and answers are stored with the inspection
    assert inspector.controller.state is State.OUTCOME
    db = stored(demo_env, parcel.rma_number)
    (inspection,) = db.inspections
    assert inspection.serial_scanned == serial
    assert "serial_mismatch" not in inspection.flags and inspection.flags == []
    assert inspection.grade == "F"
    assert inspection.checklist == {
        "powers_on": False,
        "factory_reset": True,
        "no_liquid_damage": True,
        "fault_confirmed": True,
    }
    assert db.decisions[inspection.id].disposition.value == "refurbish"
    # A defective unit is refunded in full and needs no approval
    (line,) = db.refund_lines
    assert line.amount == line.gross and line.amount > 0
    assert db.refund.status is RefundStatus.APPROVED


def test_electronics_with_a_serial_not_shipped_is_quarantined_and_not_refunded(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100003")
    (item,) = parcel.items
    swapped = "SNZZZZZZZZZZ"
    assert swapped not in item.serial_numbers
    view = inspector.window.station_view

    # Given the item is scanned, when the serial on the unit is not one shipped on the order
    inspector.scan(parcel.tracking_number)
    inspector.scan(item.gtin)
    inspector.scan(swapped)

    # Then the station says so loudly and flags the unit
    assert view.message_tone() is Tone.ERROR
    assert f"Serial {swapped} does not match" in inspector.message
    assert "Serial mismatch" in view.unit_answers()

    # When the inspector grades it and answers the checklist
    inspector.press("2")
    for _ in range(4):
        inspector.press("Y")
    assert "QUARANTINE" in prompt(inspector)
    inspector.press("Enter")

    # Then the unit is stored with its serial and flag, refunded nothing, pending a shift lead
    assert inspector.controller.state is State.OUTCOME
    assert view.message_tone() is Tone.WARNING
    assert "waits for shift-lead approval" in inspector.message
    db = stored(demo_env, parcel.rma_number)
    (inspection,) = db.inspections
    assert inspection.serial_scanned == swapped
    assert inspection.flags == ["serial_mismatch"]
    decision = db.decisions[inspection.id]
    assert (decision.disposition.value, decision.location) == ("refurbish", "QUARANTINE")
    (line,) = db.refund_lines
    assert line.amount == Decimal("0") and line.deduction == line.gross
    assert db.refund.total == Decimal("0")
    assert db.refund.status is RefundStatus.PENDING_APPROVAL
    assert "Serial mismatch" in db.refund.status_reason


# Serial numbers that are all digits are common (IMEIs, many appliances). At the serial step the
# scan is the serial, whatever else its digits could pass for. (Regression: a 12-digit serial
# was taken as a GTIN and zero-padded, so it never matched; a 15-digit one as a FedEx number,
# refused with "This parcel is still open".)
def _numeric_serial(length: int) -> str:
    body = "35693803564380"[: length - 1]
    return body + gtin_check_digit(body)  # also passes GS1 mod 10: reads as a GTIN / FedEx number


@pytest.mark.parametrize("length", [12, 15], ids=["reads_as_upc_a", "reads_as_fedex_ground"])
def test_numeric_serial_is_taken_as_the_serial_at_the_serial_step(
    inspector: Inspector, demo_env: StationEnvironment, length: int
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100003")
    (item,) = parcel.items
    serial = _numeric_serial(length)
    # Given the order shipped the unit with an all-digit serial
    with demo_env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == parcel.rma_number)).one()
        return_line = session.exec(
            select(ReturnLine).where(ReturnLine.return_id == return_.id)
        ).one()
        order_line = session.get(OrderLine, return_line.order_line_id)
        assert order_line is not None
        order_line.serial_numbers = [serial]
        session.add(order_line)
    inspector.scan(parcel.tracking_number)
    inspector.scan(item.gtin)
    assert "serial number" in prompt(inspector)

    # When the inspector scans that serial
    inspector.scan(serial)

    # Then it matches the unit shipped
    assert f"Serial {serial} matches the unit shipped" in inspector.message
    assert "Grade the unit" in prompt(inspector)


# --- (c) closing with units missing ---------------------------------------------------------


def test_closing_with_the_rest_missing_refunds_only_what_came_back(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")
    (item,) = parcel.items
    view = inspector.window.station_view

    # Given one of the two units was inspected
    inspector.scan(parcel.tracking_number)
    inspector.scan(item.gtin)
    inspector.press("2")
    inspector.press("Enter")
    assert inspector.controller.state is State.RETURN

    # When the inspector closes the parcel with F8
    inspector.key(Qt.Key.Key_F8)

    # Then the refund for what came back is shown for confirmation
    assert inspector.controller.state is State.CONFIRM_CLOSE
    assert view.message_tone() is Tone.WARNING
    assert "Close the parcel with 1 unit missing?" in inspector.message
    assert "Enter confirms" in inspector.message
    assert stored(demo_env, parcel.rma_number).refunds == []  # nothing written before Enter

    # When they confirm with Enter
    inspector.press("Enter")

    # Then one unit is stored as inspected and the other as missing
    assert inspector.controller.state is State.OUTCOME
    db = stored(demo_env, parcel.rma_number)
    (inspected,) = db.inspected()
    (missing,) = db.missing()
    assert (inspected.grade, inspected.flags) == ("B", [])
    assert (missing.grade, missing.sku_scanned, missing.flags) == (None, None, ["missing"])
    assert missing.return_line_id == inspected.return_line_id
    # And only the unit that came back moves into stock and is refunded
    assert [m.inspection_id for m in db.movements] == [inspected.id]
    paid, not_returned = db.refund_lines
    assert paid.inspection_id == inspected.id and paid.amount == paid.gross
    assert not_returned.inspection_id == missing.id and not_returned.amount == Decimal("0")
    assert not_returned.deduction_reason == "Item not returned"
    assert db.refund.total == paid.gross
    assert db.refund.status is RefundStatus.APPROVED


# --- (d) empty box --------------------------------------------------------------------------


def test_empty_box_refunds_nothing_and_waits_for_a_shift_lead(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    view = inspector.window.station_view

    # Given the parcel is open, when the inspector finds it empty and presses F9
    inspector.scan(parcel.tracking_number)
    inspector.key(Qt.Key.Key_F9)

    # Then the station shows a zero refund, in red, to confirm
    assert inspector.controller.state is State.CONFIRM_CLOSE
    assert view.message_tone() is Tone.ERROR
    assert "Empty box" in inspector.message and "EUR 0.00" in inspector.message

    # When they confirm with Enter
    inspector.press("Enter")

    # Then nothing is refunded or moved into stock, and a shift lead must look at it
    assert inspector.controller.state is State.OUTCOME
    assert "waits for shift-lead approval" in inspector.message
    db = stored(demo_env, parcel.rma_number)
    assert db.return_.status is ReturnStatus.COMPLETED
    (missing,) = db.inspections
    assert missing.outcome is InspectionOutcome.MISSING
    assert missing.flags == ["empty_box", "missing"]
    assert db.movements == []
    assert db.refund.total == Decimal("0")
    assert [line.amount for line in db.refund_lines] == [Decimal("0")]
    assert db.refund.status is RefundStatus.PENDING_APPROVAL
    assert "Empty box" in db.refund.status_reason


# --- (e) a return completed before ----------------------------------------------------------


def test_scanning_a_completed_return_again_shows_its_outcome_and_refunds_nothing(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    view = inspector.window.station_view
    # Given the return was completed
    inspector.scan(parcel.tracking_number)
    inspector.scan(parcel.items[0].gtin)
    inspector.press("2")
    inspector.press("Enter")
    assert inspector.controller.state is State.OUTCOME
    inspector.key(Qt.Key.Key_Escape)
    assert inspector.controller.state is State.IDLE
    first = stored(demo_env, parcel.rma_number)

    # When its parcel label is scanned again
    inspector.scan(parcel.tracking_number)

    # Then the station shows what happened to it and says it cannot be refunded twice
    assert inspector.controller.state is State.OUTCOME
    assert view.message_tone() is Tone.ERROR
    assert parcel.rma_number in inspector.message
    assert "it cannot be refunded twice" in inspector.message
    assert "Refund EUR 89.00 (approved)" in view.outcome_text()
    # And the database still holds exactly one refund and one parcel for it
    again = stored(demo_env, parcel.rma_number)
    assert len(again.refunds) == 1 and again.refund.id == first.refund.id
    assert len(again.inspections) == 1 and len(again.movements) == 1
    with demo_env.database.session() as session:
        parcels = session.exec(select(Parcel).where(Parcel.return_id == again.return_.id)).all()
        assert len(parcels) == 1


# --- (f) high value -------------------------------------------------------------------------


def test_high_value_refund_waits_for_shift_lead_approval(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100004")
    (item,) = parcel.items
    view = inspector.window.station_view

    # Given a camera body worth more than EUR 500 comes back like new
    inspector.scan(parcel.tracking_number)
    inspector.scan(item.gtin)
    inspector.scan(item.serial_numbers[0])
    inspector.press("2")
    for _ in range(3):  # powers on, reset, no liquid damage
        inspector.press("Y")
    # The refund box already says approval will be needed, before the inspector confirms
    assert "needs shift-lead approval" in view.refund_total()

    # When the inspector accepts the unit, confirming the refund
    inspector.press("Enter")

    # Then the refund is recorded but waits for a shift lead, and the station says so
    assert inspector.controller.state is State.OUTCOME
    assert view.message_tone() is Tone.WARNING
    assert "EUR 1,149.00 waits for shift-lead approval" in inspector.message
    db = stored(demo_env, parcel.rma_number)
    assert db.refund.total == Decimal("1149.00")
    assert db.refund.status is RefundStatus.PENDING_APPROVAL
    assert "approval limit of EUR 500.00" in db.refund.status_reason
    assert len(db.movements) == 1  # the unit itself is put away as usual


# --- (g) an item that is not on the return --------------------------------------------------


def test_item_not_on_the_return_is_graded_flagged_and_not_refunded(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    (item,) = parcel.items
    (stranger,) = demo_parcel(demo_env, "RMA-100002").items
    assert stranger.sku != item.sku
    view = inspector.window.station_view

    # Given the parcel is open, when the inspector scans an item from another order
    inspector.scan(parcel.tracking_number)
    inspector.scan(stranger.gtin)

    # Then the station warns that it is not on this return but lets them grade it
    assert inspector.controller.state is State.UNIT
    assert view.message_tone() is Tone.WARNING
    assert "is NOT on this return" in inspector.message
    assert "not on this return" in view.unit_title()
    assert "Wrong item" in view.unit_answers()
    inspector.press("3")
    assert "QUARANTINE" in prompt(inspector)
    assert "confirm the refund" not in prompt(inspector)  # the expected item is still to come
    inspector.press("Enter")
    assert inspector.controller.state is State.RETURN

    # When the expected item is inspected too
    inspector.scan(item.gtin)
    inspector.press("2")
    inspector.press("Enter")

    # Then both units are stored, the stranger flagged and quarantined, and only the expected
    # unit is refunded; the refund waits for a shift lead because of the wrong item
    assert inspector.controller.state is State.OUTCOME
    db = stored(demo_env, parcel.rma_number)
    wrong = next(i for i in db.inspections if i.sku_scanned == stranger.sku)
    right = next(i for i in db.inspections if i.sku_scanned == item.sku)
    assert len(db.inspections) == 2
    assert (wrong.return_line_id, wrong.grade, wrong.flags) == (None, "C", ["wrong_item"])
    assert right.flags == [] and right.return_line_id is not None
    assert db.decisions[wrong.id].location == "QUARANTINE"
    assert sorted(m.sku for m in db.movements) == sorted([item.sku, stranger.sku])
    (line,) = db.refund_lines
    assert line.inspection_id == right.id and line.return_line_id == right.return_line_id
    assert all(rl.inspection_id != wrong.id for rl in db.refund_lines)
    assert db.refund.total == line.amount == line.gross
    assert db.refund.status is RefundStatus.PENDING_APPROVAL
    assert "Wrong item" in db.refund.status_reason
    assert "waits for shift-lead approval" in inspector.message


# --- leaving a parcel open ------------------------------------------------------------------


# Regression: Esc dropped the parcel's inspection, so a unit already put away was recorded as
# missing when the parcel was resumed and closed, and refunded less.
def test_leaving_a_parcel_open_keeps_the_units_already_inspected(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")
    (item,) = parcel.items
    view = inspector.window.station_view
    # Given one of two units was inspected and put away where the station said
    inspector.scan(parcel.tracking_number)
    inspector.scan(item.gtin)
    inspector.press("2")
    inspector.press("Enter")
    assert "Restock → SELLABLE" in inspector.message

    # When the inspector leaves the parcel open with Esc and later scans it again
    inspector.key(Qt.Key.Key_Escape)
    assert "scan it again to carry on" in inspector.message
    inspector.scan(parcel.tracking_number)
    assert inspector.controller.state is State.RETURN

    # Then the station still knows the unit that was inspected
    assert view.expected_rows()[0]["Done"] == "1 / 2"
    # And closing the parcel now refunds that unit rather than recording it as missing
    inspector.key(Qt.Key.Key_F8)
    inspector.press("Enter")
    db = stored(demo_env, parcel.rma_number)
    assert [i.grade for i in db.inspected()] == ["B"]
    assert len(db.missing()) == 1


def test_a_station_restarted_mid_parcel_resumes_the_units_already_inspected(
    inspector: Inspector, demo_env: StationEnvironment, settings: Settings, qtbot: QtBot
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")
    (item,) = parcel.items
    # Given one of two units was graded D and put away (its label printed)
    inspector.scan(parcel.tracking_number)
    inspector.scan(item.gtin)
    inspector.press("4")
    inspector.press("Enter")
    inspector.settle()

    # When the station goes down (window gone, memory lost) and comes back
    inspector.window.close()
    window = open_station_window(qtbot, demo_env, settings, "OP-0002")
    again = Inspector(qtbot, window)
    again.scan(parcel.tracking_number)

    # Then the parcel resumes with that unit done, and completing keeps its grade
    assert "resumed: 1 unit already inspected" in again.message
    again.scan(item.gtin)
    again.press("2")
    again.press("Enter")
    db = stored(demo_env, parcel.rma_number)
    assert sorted(i.grade for i in db.inspected()) == ["B", "D"]
    assert db.missing() == []


# --- another station was quicker ------------------------------------------------------------


def complete_elsewhere(env: StationEnvironment, parcel: DemoParcel) -> None:
    """A second station (its own operator) receives, grades and completes the parcel."""
    other = station_service(env, operator_code="OP-0002", station_code="STATION-02")
    complete_parcel(other, parcel, grade="3")


# Regression: a refused completion left the station in State.UNIT with no unit; the next item
# scan failed an assertion in the controller.
def test_another_station_completing_first_shows_the_outcome_and_frees_the_station(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    view = inspector.window.station_view
    # Given the inspector has the last unit graded, ready to confirm the refund
    inspector.scan(parcel.tracking_number)
    inspector.scan(parcel.items[0].gtin)
    inspector.press("2")
    # And meanwhile another station completes the same return
    complete_elsewhere(demo_env, parcel)

    # When the inspector confirms with Enter
    inspector.press("Enter")

    # Then the station says the return was completed already, and refunds nothing more
    assert view.message_tone() is Tone.ERROR
    assert "completed before" in inspector.message
    assert len(stored(demo_env, parcel.rma_number).refunds) == 1
    # And it is ready for the next parcel rather than stuck on a unit it no longer has
    assert inspector.controller.state in (State.OUTCOME, State.IDLE)
    inspector.scan(demo_parcel(demo_env, "RMA-100002").tracking_number)
    assert inspector.controller.state is State.RETURN

"""An inspector works returns by keyboard and scanner alone; the database holds the outcome."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from completing import demo_parcel
from returnsdesk.data.models import (
    DispositionDecision,
    Inspection,
    OutboxEvent,
    Parcel,
    Refund,
    RefundLine,
    Return,
    StockMovement,
)
from returnsdesk.domain.vocabulary import ParcelStatus, RefundStatus, ReturnStatus
from returnsdesk.qt.station_controller import State
from returnsdesk.qt.station_view import Tone
from returnsdesk.services.bootstrap import StationEnvironment
from station_driver import Inspector


def test_one_item_return_takes_four_inputs_and_writes_everything(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    item = parcel.items[0]

    # Given the station waits for a parcel, when the inspector scans the parcel label
    inspector.scan(parcel.tracking_number)
    # then the return appears with its expected line
    assert inspector.controller.state is State.RETURN
    view = inspector.window.station_view
    assert parcel.rma_number in view.return_title()
    assert len(view.expected_rows()) == 1

    # When they scan the item, press grade 2 (B, like new) and Enter
    inspector.scan(item.gtin)
    assert inspector.controller.state is State.UNIT
    inspector.press("2")
    assert "to accept and confirm the refund" in view.unit_prompt()
    inspector.press("Enter")

    # Then the refund is confirmed on screen and the station is ready for the next parcel
    assert inspector.controller.state is State.OUTCOME
    assert "refund EUR" in inspector.message and "approved" in inspector.message
    assert view.message_tone() is Tone.OK

    # And the database holds one consistent outcome
    with demo_env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == parcel.rma_number)).one()
        assert return_.status is ReturnStatus.COMPLETED
        parcel_row = session.exec(select(Parcel).where(Parcel.return_id == return_.id)).one()
        assert parcel_row.status is ParcelStatus.COMPLETED
        inspections = session.exec(
            select(Inspection).where(Inspection.parcel_id == parcel_row.id)
        ).all()
        assert [(i.grade, i.sku_scanned, i.flags) for i in inspections] == [("B", item.sku, [])]
        decision = session.exec(
            select(DispositionDecision).where(
                DispositionDecision.inspection_id == inspections[0].id
            )
        ).one()
        assert decision.disposition.value == "restock"
        refund = session.exec(select(Refund).where(Refund.return_id == return_.id)).one()
        lines = session.exec(select(RefundLine).where(RefundLine.refund_id == refund.id)).all()
        assert refund.status is RefundStatus.APPROVED
        assert len(lines) == 1 and lines[0].deduction == Decimal("0.0000")
        assert refund.total == lines[0].gross  # grade B: full refund of the price paid
        movements = session.exec(
            select(StockMovement).where(StockMovement.inspection_id == inspections[0].id)
        ).all()
        assert [(m.sku, m.quantity_delta, m.location) for m in movements] == [
            (item.sku, 1, decision.location)
        ]
        events = session.exec(
            select(OutboxEvent.event_type).where(OutboxEvent.aggregate_id == return_.id)
        ).all()
        assert sorted(events) == [
            "refund.requested",
            "return.closed",
            "return.received",
            "stock.adjusted",
            "unit.inspected",
        ]


def test_mouse_does_what_the_keys_do(inspector: Inspector, demo_env: StationEnvironment) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    view = inspector.window.station_view
    inspector.scan(parcel.tracking_number)
    buttons = {b.text(): b for b in view.findChildren(QPushButton)}
    accept, close = buttons["Accept (Enter)"], buttons["Close, rest missing (F8)"]
    # Before an item is scanned, accepting makes no sense: the button says so by being disabled.
    assert not accept.isEnabled()
    assert close.isEnabled()
    inspector.scan(parcel.items[0].gtin)

    # When the inspector clicks grade B and then Accept
    grade_b = next(b for b in view.findChildren(QPushButton) if "B · Like new" in b.text())
    inspector.qtbot.mouseClick(grade_b, Qt.MouseButton.LeftButton)
    inspector.settle()
    assert accept.isEnabled()
    inspector.qtbot.mouseClick(accept, Qt.MouseButton.LeftButton)
    inspector.settle()

    # Then the return is completed as with the keyboard
    assert inspector.controller.state is State.OUTCOME
    with demo_env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == parcel.rma_number)).one()
        assert return_.status is ReturnStatus.COMPLETED


def test_f7_then_enter_takes_back_a_wrong_label_wherever_the_focus_is(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    view = inspector.window.station_view
    inspector.scan(parcel.tracking_number)
    assert "F7 wrong label: undo the receipt" in view.guide_text()
    assert "F7 wrong label: undo receipt" in view.keys_hint()
    # Given the focus is in the scan field (F4), F7 still asks, and Enter confirms
    inspector.key(Qt.Key.Key_F4)
    inspector.key(Qt.Key.Key_F7)
    assert inspector.controller.state is State.CONFIRM_UNDO
    assert "Undo the receipt of RMA-100001" in inspector.message
    inspector.press("Enter")
    assert inspector.controller.state is State.IDLE
    assert "Receipt of RMA-100001 undone" in inspector.message
    with demo_env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == parcel.rma_number)).one()
        assert return_.status is ReturnStatus.OPEN
        assert session.exec(select(Parcel).where(Parcel.return_id == return_.id)).all() == []


def test_status_bar_shows_what_waits_in_the_outbox(
    inspector: Inspector, demo_env: StationEnvironment
) -> None:
    window = inspector.window
    inspector.qtbot.waitUntil(lambda: "nothing waiting" in window.sync_line())
    window._others_timer.stop()  # only the completion's change notice can tell it
    # When a return is completed with no order system configured
    parcel = demo_parcel(demo_env, "RMA-100001")
    inspector.scan(parcel.tracking_number)
    inspector.scan(parcel.items[0].gtin)
    inspector.press("2")
    inspector.press("Enter")
    # Then the status bar says its events wait in the outbox (eight: received, inspected,
    # stock, refund, closed, and the customer's messages: parcel received, inspection
    # finished, refund issued)
    inspector.qtbot.waitUntil(lambda: "8 waiting" in window.sync_line(), timeout=5_000)
    assert "not configured" in window.sync_line()

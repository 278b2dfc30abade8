"""The shift lead sees what was sent to the customer for a return (the held refund's, or one
looked up by its RMA) and sends a message again (S), audited, with a lead's badge and PIN."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.config import Settings
from returnsdesk.data.models import AuditEntry, Operator, OutboxEvent
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.vocabulary import OutboxStatus, RefundStatus
from returnsdesk.qt import ops
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.messages.queue import MESSAGE_EVENT
from station_driver import answer_next_dialog, open_station_window, press


def message_events(env: StationEnvironment, rma: str) -> list[OutboxEvent]:
    with env.database.session() as session:
        events = session.exec(
            select(OutboxEvent)
            .where(OutboxEvent.event_type == MESSAGE_EVENT)
            .order_by(col(OutboxEvent.sequence))
        ).all()
        return [e for e in events if e.payload["rma_number"] == rma]


def words(event: OutboxEvent) -> str:
    return str(event.payload["kind"]).replace("_", " ").capitalize()


def test_a_lead_reads_a_returns_messages_and_sends_a_parked_one_again(
    qtbot: QtBot, demo_env: StationEnvironment, settings: Settings
) -> None:
    # Given RMA-100004 held for a lead, and RMA-100001 refunded: its first message was sent,
    # the second parked when the mail server refused it
    other = station_service(demo_env)
    held = complete_parcel(other, demo_parcel(demo_env, "RMA-100004"))
    assert held.refund_status is RefundStatus.PENDING_APPROVAL
    complete_parcel(other, demo_parcel(demo_env, "RMA-100001"))
    first, second, *_ = message_events(demo_env, "RMA-100001")
    with demo_env.database.session() as session:
        for event_id, status, error in (
            (first.id, OutboxStatus.DELIVERED, None),
            (second.id, OutboxStatus.NEEDS_ATTENTION, "550 5.1.1 <b>mailbox</b> unavailable"),
        ):
            event = session.get(OutboxEvent, event_id)
            assert event is not None
            event.status, event.last_error, event.attempts = status, error, 1
            event.delivered_at = utc_now() if error is None else None
            session.add(event)
    before = len(message_events(demo_env, "RMA-100001"))

    # When the lead opens the tab: the held refund is selected, its messages listed
    window = open_station_window(qtbot, demo_env, settings, "OP-0003", pin="2468")
    lead = window.lead_view
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(lead.held_refunds()) and bool(lead.messages()), timeout=10_000)
    assert lead.messages_return() == "RMA-100004"
    assert [m.kind for m in lead.messages()] == [
        e.payload["kind"] for e in message_events(demo_env, "RMA-100004")
    ]
    assert "Refund held" in " ".join(lead.shown_messages())
    assert all(" · waiting · " in row for row in lead.shown_messages())

    # When the lead goes to the return field (Alt+R) and types an RMA that does not exist
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    field = QApplication.focusWidget()
    qtbot.keyClicks(field, "rma-999999")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "No return 'RMA-999999'" in lead.message(), timeout=10_000)
    assert lead.messages() == []

    # Then a real one: its messages, sent, parked with the server's words (as text), waiting
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    field = QApplication.focusWidget()
    field.selectAll()
    qtbot.keyClicks(field, "rma-100001")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: lead.messages_return() == "RMA-100001", timeout=10_000)
    qtbot.waitUntil(lambda: len(lead.messages()) == before, timeout=10_000)
    rows = lead.shown_messages()
    assert rows[0].startswith("Parcel received · ") and " · sent · " in rows[0]
    assert " · parked: 550 5.1.1 <b>mailbox</b> unavailable · " in rows[1]
    assert all(" · waiting · " in row for row in rows[2:])

    # When the lead moves down to the parked message and sends it again (S), badge and PIN
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    answer_next_dialog(qtbot, "", "2468")
    press(qtbot, window, "S")
    qtbot.waitUntil(lambda: "queued again to" in lead.message(), timeout=10_000)

    # Then a new message with the same facts is queued, listed, and audited in the lead's name
    qtbot.waitUntil(lambda: len(lead.messages()) == before + 1, timeout=10_000)
    events = message_events(demo_env, "RMA-100001")
    assert events[-1].payload["resend_of"] == str(second.id)
    assert events[-1].payload["kind"] == second.payload["kind"]
    assert lead.shown_messages()[-1].startswith(f"{words(second)} (sent again) · ")
    assert " · waiting · " in lead.shown_messages()[-1]
    with demo_env.database.session() as session:
        (audit,) = session.exec(
            select(AuditEntry).where(AuditEntry.action == "message.resent")
        ).all()
        assert audit.subject == "RMA-100001"
        assert audit.details["original_event_id"] == str(second.id)
        jonas = session.exec(select(Operator).where(Operator.code == "OP-0003")).one()
        assert audit.operator_id == jonas.id
    ops.wait_for_all()
    window.close()

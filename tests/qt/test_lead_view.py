"""The shift lead's tab: held refunds approved or rejected, parked sync events retried or
resolved, by keyboard, at the lead's own station or with a badge at an inspector's."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import Session, col, select

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from completing import complete_parcel, demo_parcel, station_service
from returnsdesk.config import Settings, load_settings
from returnsdesk.data.models import AuditEntry, OutboxEvent, Refund, Return
from returnsdesk.domain.vocabulary import OutboxStatus, RefundStatus
from returnsdesk.qt import ops
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.sync.credentials import DEFAULT_TOKEN_ENV
from station_driver import answer_next_dialog, open_station_window, press
from zpl_listener import free_port


@pytest.fixture
def held_refund(demo_env: StationEnvironment) -> Iterator[str]:
    """RMA-100004 (above EUR 500) completed at another station: held for a lead."""
    result = complete_parcel(station_service(demo_env), demo_parcel(demo_env, "RMA-100004"))
    assert result.refund_status is RefundStatus.PENDING_APPROVAL
    yield "RMA-100004"


def show_lead_tab(qtbot: QtBot, window: MainWindow, rows: Callable[[], int]) -> None:
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.lead_view.isVisible() and rows() > 0, timeout=10_000)


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: not ops.busy(), timeout=10_000)
    ops.wait_for_all()
    QApplication.processEvents()


def test_a_lead_approves_at_an_inspectors_station_with_a_badge(
    qtbot: QtBot, demo_env: StationEnvironment, settings: Settings, held_refund: str
) -> None:
    window = open_station_window(qtbot, demo_env, settings, "OP-0001")  # an inspector is signed in
    lead = window.lead_view
    show_lead_tab(qtbot, window, lambda: len(lead.held_refunds()))
    assert lead.held_refunds()[0].rma_number == held_refund
    assert "EUR" in lead.refund_details() or "€" in lead.refund_details()

    # When the inspector's badge is offered, it is refused and nothing changes
    answer_next_dialog(qtbot, "OP-0001", "1234", "looks fine")
    press(qtbot, window, "A")
    qtbot.waitUntil(lambda: "not a shift lead" in lead.message(), timeout=10_000)
    assert stored_status(demo_env, held_refund) is RefundStatus.PENDING_APPROVAL

    # A lead's badge without the PIN never submits: the scan's Enter moves to the PIN
    refused = answer_next_dialog(qtbot, "OP-0003", "", "regular customer")
    press(qtbot, window, "A")
    qtbot.waitUntil(lambda: refused == ["Enter the shift lead's PIN."], timeout=10_000)
    assert stored_status(demo_env, held_refund) is RefundStatus.PENDING_APPROVAL

    # When the lead scans their badge, gives the PIN and approves
    answer_next_dialog(qtbot, "OP-0003", "2468", "regular customer")
    press(qtbot, window, "A")
    qtbot.waitUntil(lambda: "approved by Jonas Weber" in lead.message(), timeout=10_000)
    settle(qtbot)

    # Then the refund is approved in the lead's name and its payment is queued for the shop
    assert stored_status(demo_env, held_refund) is RefundStatus.APPROVED
    qtbot.waitUntil(lambda: len(lead.held_refunds()) == 0, timeout=10_000)
    with demo_env.database.session() as session:
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "refund.approved")).one()
        assert audit.details["note"] == "regular customer"
        assert select_events(session, "refund.approved") == 1
    window.close()


def test_a_signed_in_lead_rejects_with_a_reason_and_retries_a_parked_event(
    qtbot: QtBot, demo_env: StationEnvironment, settings: Settings, held_refund: str
) -> None:
    event_id = park_first_event(demo_env, "400 invalid_request: line_ref is required")
    window = open_station_window(qtbot, demo_env, settings, "OP-0003", pin="2468")
    lead = window.lead_view
    show_lead_tab(qtbot, window, lambda: len(lead.parked_events()))
    assert "1 need attention" in lead.sync_text()
    assert lead.parked_events()[0].last_error == "400 invalid_request: line_ref is required"

    # The signed-in lead's badge is filled in; the PIN is still asked for each decision.
    # A rejection without a reason is refused; with one, it is final
    refused = answer_next_dialog(qtbot, "", "2468", "")
    press(qtbot, window, "R")
    qtbot.waitUntil(lambda: refused == ["A reason is required."], timeout=10_000)
    assert stored_status(demo_env, held_refund) is RefundStatus.PENDING_APPROVAL
    answer_next_dialog(qtbot, "", "2468", "serial does not match the order")
    press(qtbot, window, "R")
    qtbot.waitUntil(lambda: "rejected" in lead.message(), timeout=10_000)
    assert stored_status(demo_env, held_refund) is RefundStatus.REJECTED

    # T sends the parked event (the first is selected) again with its same key
    settle(qtbot)
    answer_next_dialog(qtbot, "", "2468")
    press(qtbot, window, "T")
    qtbot.waitUntil(lambda: "queued again" in lead.message(), timeout=10_000)
    with demo_env.database.session() as session:
        event = session.get(OutboxEvent, event_id)
        assert event is not None and event.status is OutboxStatus.PENDING
    qtbot.waitUntil(lambda: len(lead.parked_events()) == 0, timeout=10_000)
    window.close()


def stored_status(env: StationEnvironment, rma: str) -> RefundStatus:
    with env.database.session() as session:
        refund = session.exec(
            select(Refund)
            .join(Return, col(Return.id) == col(Refund.return_id))
            .where(Return.rma_number == rma)
        ).one()
        return refund.status


def select_events(session: Session, event_type: str) -> int:
    return len(session.exec(select(OutboxEvent).where(OutboxEvent.event_type == event_type)).all())


def park_first_event(env: StationEnvironment, error: str) -> uuid.UUID:
    """As the relay does when the shop refuses an event for good."""
    with env.database.session() as session:
        event = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.sequence))).first()
        assert event is not None
        event.status = OutboxStatus.NEEDS_ATTENTION
        event.attempts = 1
        event.last_error = error
        session.add(event)
        return event.id


def test_an_unreachable_order_system_is_shown_in_the_status_bar_and_to_the_lead(
    qtbot: QtBot, demo_env: StationEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the station points at an order system nobody answers on
    monkeypatch.setenv(DEFAULT_TOKEN_ENV, "a-token")
    settings = load_settings(
        environ={},
        overrides={
            "database.url": str(demo_env.database.engine.url),
            "ui.sounds": False,
            "order_system.kind": "oscar",
            "order_system.url": f"http://127.0.0.1:{free_port()}",
        },
    )
    window = open_station_window(qtbot, demo_env, settings, "OP-0003", pin="2468")

    # Then the status bar says the pull failed, and the lead's tab says why
    qtbot.waitUntil(lambda: "pull failed" in window.sync_line(), timeout=20_000)
    lead = window.lead_view
    show_lead_tab(qtbot, window, lambda: 1)
    qtbot.waitUntil(lambda: "Reading returns from the order system failed" in lead.sync_text())
    assert window.pull_error is not None and window.pull_error in lead.sync_text()
    window.close()


def test_the_lead_who_inspected_cannot_approve_at_any_station(
    qtbot: QtBot, demo_env: StationEnvironment, settings: Settings
) -> None:
    # Given the lead Jonas inspected a parcel whose refund policy held
    jonas = station_service(demo_env, operator_code="OP-0003", pin="2468")
    complete_parcel(jonas, demo_parcel(demo_env, "RMA-100004"))
    # When he approves it on his own lead tab, with his badge and PIN
    window = open_station_window(qtbot, demo_env, settings, "OP-0003", pin="2468")
    lead = window.lead_view
    show_lead_tab(qtbot, window, lambda: len(lead.held_refunds()))
    answer_next_dialog(qtbot, "", "2468", "all fine")
    press(qtbot, window, "A")
    # Then he is told another lead must decide, and nothing is paid
    qtbot.waitUntil(lambda: "another shift lead" in lead.message(), timeout=10_000)
    assert stored_status(demo_env, "RMA-100004") is RefundStatus.PENDING_APPROVAL
    window.close()

    # Nor at an inspector's station, where he confirms with his badge
    window = open_station_window(qtbot, demo_env, settings, "OP-0001")
    lead = window.lead_view
    show_lead_tab(qtbot, window, lambda: len(lead.held_refunds()))
    answer_next_dialog(qtbot, "OP-0003", "2468", "all fine")
    press(qtbot, window, "A")
    qtbot.waitUntil(lambda: "another shift lead" in lead.message(), timeout=10_000)
    assert stored_status(demo_env, "RMA-100004") is RefundStatus.PENDING_APPROVAL
    # Maria, who did not handle it, approves it there
    answer_next_dialog(qtbot, "OP-0004", "1357", "photos checked")
    press(qtbot, window, "A")
    qtbot.waitUntil(lambda: "approved by Maria Costa" in lead.message(), timeout=10_000)
    assert stored_status(demo_env, "RMA-100004") is RefundStatus.APPROVED
    settle(qtbot)
    window.close()

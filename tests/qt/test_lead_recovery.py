"""The shift lead's tab lists recovery cases (refunds paid on receipt that inspection found too
high) and closes one by key, with a lead's badge, PIN and note."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import select

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from completing import complete_parcel, demo_parcel, known_customer, trusting
from returnsdesk.config import Settings
from returnsdesk.data.models import AuditEntry, RecoveryCase
from returnsdesk.domain.vocabulary import RecoveryResolution
from returnsdesk.qt import ops
from returnsdesk.qt.main_window import MainWindow
from returnsdesk.services.bootstrap import StationEnvironment
from station_driver import answer_next_dialog, open_station_window, press


@pytest.fixture
def case_opened(demo_env: StationEnvironment) -> RecoveryCase:
    """RMA-100002 refunded on receipt, inspected grade D by the lead Jonas Weber (OP-0003)."""
    service = trusting(demo_env, operator_code="OP-0003", pin="2468")
    known_customer(demo_env, service, "RMA-100002")
    complete_parcel(service, demo_parcel(demo_env, "RMA-100002"), grade="4")
    with demo_env.database.read() as session:
        return session.exec(select(RecoveryCase)).one()


def show_lead_tab(qtbot: QtBot, window: MainWindow, rows: Callable[[], int]) -> None:
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.lead_view.isVisible() and rows() > 0, timeout=10_000)


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: not ops.busy(), timeout=10_000)
    ops.wait_for_all()
    QApplication.processEvents()


def stored(env: StationEnvironment) -> RecoveryCase:
    with env.database.read() as session:
        return session.exec(select(RecoveryCase)).one()


def test_a_lead_sees_the_case_and_closes_it_written_off_with_a_note(
    qtbot: QtBot, demo_env: StationEnvironment, settings: Settings, case_opened: RecoveryCase
) -> None:
    window = open_station_window(qtbot, demo_env, settings, "OP-0001")  # an inspector's station
    lead = window.lead_view
    show_lead_tab(qtbot, window, lambda: len(lead.recovery_cases()))
    # The lead sees the return, what was paid on receipt, what is at stake, what was found
    (row,) = lead.shown_recovery_cases()
    at_stake = case_opened.paid - case_opened.inspected
    assert row.startswith("RMA-100002 · Liam O'Connor · ")
    assert row.endswith(f"EUR {case_opened.paid:,.2f} · EUR {at_stake:,.2f} · Worth less than paid")
    lead.select_recovery(0)
    details = lead.recovery_text()
    assert f"EUR {case_opened.paid:,.2f} paid on receipt" in details
    assert f"inspection refunds EUR {case_opened.inspected:,.2f}" in details
    assert "Case opened" in details and "by Jonas Weber" in details
    # And what the customer was told: the refund issued on receipt
    qtbot.waitUntil(lambda: lead.messages_return() == "RMA-100002", timeout=10_000)
    qtbot.waitUntil(lambda: any("Refund issued" in m for m in lead.shown_messages()))

    # The lead who inspected it is refused, and the case stays open
    answer_next_dialog(qtbot, "OP-0003", "2468", "goodwill")
    press(qtbot, window, "W")
    qtbot.waitUntil(lambda: "another shift lead must close" in lead.message(), timeout=10_000)
    assert stored(demo_env).closed_at is None

    # When another lead writes it off with a note
    answer_next_dialog(qtbot, "OP-0004", "1357", "regular customer, not worth chasing")
    press(qtbot, window, "W")
    qtbot.waitUntil(lambda: "closed: written off" in lead.message(), timeout=10_000)
    settle(qtbot)
    # Then it is closed in the lead's name, audited, and gone from the list
    case = stored(demo_env)
    assert case.resolution is RecoveryResolution.WRITTEN_OFF and case.closed_at is not None
    assert case.resolution_note == "regular customer, not worth chasing"
    qtbot.waitUntil(lambda: lead.recovery_cases() == [], timeout=10_000)
    assert lead.recovery_text() == "No open case."
    with demo_env.database.read() as session:
        audit = session.exec(
            select(AuditEntry).where(AuditEntry.action == "refund.recovery_closed")
        ).one()
    assert audit.details["resolution"] == "written_off"

"""The lead tab's customer messages of an RMA two shops use: the tab names both shops and asks
whose (never guesses), and the Shop list below the messages shows that shop's only."""

from __future__ import annotations

import uuid

from pytestqt.qtbot import QtBot
from sqlmodel import select

from PySide6.QtCore import Qt

from completing import (
    complete_parcel,
    demo_parcel,
    same_numbers_for_shop,
    station_service,
    ups_tracking,
)
from returnsdesk.data.models import OutboxEvent
from returnsdesk.domain.vocabulary import RefundStatus
from returnsdesk.qt import ops
from returnsdesk.qt.lead_view import LeadView
from returnsdesk.qt.sync_status import SyncMonitor
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.messages.queue import MESSAGE_EVENT
from returnsdesk.services.views import ClientProfile


def messages_of(env: StationEnvironment, client_code: str | None) -> set[uuid.UUID]:
    """The ids of the customer messages queued for that shop's returns."""
    with env.database.read() as session:
        events = session.exec(
            select(OutboxEvent).where(OutboxEvent.event_type == MESSAGE_EVENT)
        ).all()
    return {e.id for e in events if e.client_code == client_code}


def test_a_shared_rma_s_messages_are_asked_for_by_shop(
    qtbot: QtBot, demo_env: StationEnvironment
) -> None:
    # Given RMA-100001 of the station's own shop and Acme's RMA-100001, both completed (each
    # customer was sent messages), at a station serving Acme, a lead signed in
    service = station_service(demo_env, operator_code="OP-0003", pin="2468")
    service.clients = {"ACME": ClientProfile("Acme Outdoor", demo_env.policies, "")}
    own = demo_parcel(demo_env, "RMA-100001")
    acme = same_numbers_for_shop(demo_env, own, "ACME", ups_tracking("ACME01", 1))
    complete_parcel(service, own)
    complete_parcel(service, acme)
    own_messages, acme_messages = messages_of(demo_env, None), messages_of(demo_env, "ACME")
    assert own_messages and acme_messages
    sync = SyncMonitor(service, configured=False)
    lead = LeadView(service, sync=sync)
    qtbot.addWidget(lead)
    lead.show()
    qtbot.waitUntil(lambda: not ops.busy(), timeout=10_000)
    assert lead.shops_offered() == ["All shops", "This station's own shop", "Acme Outdoor (ACME)"]

    # When the lead types the RMA with no shop chosen
    field = lead.return_field()
    field.setFocus()
    qtbot.keyClicks(field, "rma-100001")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    # Then the tab names both shops and asks whose; no shop's messages are listed
    qtbot.waitUntil(lambda: "several shops" in lead.message(), timeout=10_000)
    assert lead.message() == (
        "RMA-100001 is an RMA number of several shops (This station's own shop,"
        " Acme Outdoor (ACME)): choose whose in the Shop list."
    )
    assert lead.messages() == []

    # When the lead picks the station's own shop in the list by arrow: its customer's messages
    shops = lead.shop_choice()
    shops.setFocus()
    qtbot.keyClick(shops, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: bool(lead.messages()), timeout=10_000)
    assert {m.event_id for m in lead.messages()} == own_messages
    assert lead.message() == "The messages of RMA-100001 of This station's own shop."
    # and Acme: Acme's customer's only
    qtbot.keyClick(shops, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: {m.event_id for m in lead.messages()} == acme_messages, timeout=10_000)
    assert lead.messages_return() == "RMA-100001"
    ops.wait_for_all()


def test_a_return_typed_after_a_held_refund_is_any_shop_s_again(
    qtbot: QtBot, demo_env: StationEnvironment
) -> None:
    # Given Acme's RMA-100004 (above EUR 500) completed and held for a lead, and RMA-100001 of
    # both the station's own shop and Acme completed, at a station serving Acme
    service = station_service(demo_env, operator_code="OP-0003", pin="2468")
    service.clients = {"ACME": ClientProfile("Acme Outdoor", demo_env.policies, "")}
    held = same_numbers_for_shop(
        demo_env, demo_parcel(demo_env, "RMA-100004"), "ACME", ups_tracking("ACME04", 4)
    )
    assert complete_parcel(service, held).refund_status is RefundStatus.PENDING_APPROVAL
    own = demo_parcel(demo_env, "RMA-100001")
    complete_parcel(service, own)
    complete_parcel(
        service, same_numbers_for_shop(demo_env, own, "ACME", ups_tracking("ACME01", 1))
    )
    lead = LeadView(service, sync=SyncMonitor(service, configured=False))
    qtbot.addWidget(lead)
    lead.show()
    qtbot.waitUntil(lambda: len(lead.held_refunds()) == 1, timeout=10_000)
    # When the lead chooses the held refund: its return's shop is set in the Shop list
    lead.select_refund(0)
    qtbot.waitUntil(lambda: lead.shop_choice().currentText() == "Acme Outdoor (ACME)")
    qtbot.waitUntil(lambda: not ops.busy(), timeout=10_000)
    # And then types another RMA, one both shops use
    field = lead.return_field()
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "RMA-100001")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    # Then the tab asks whose, rather than listing Acme's for the refund chosen before
    qtbot.waitUntil(lambda: "several shops" in lead.message(), timeout=10_000)
    assert lead.shop_choice().currentText() == "All shops"
    assert lead.messages() == []
    ops.wait_for_all()

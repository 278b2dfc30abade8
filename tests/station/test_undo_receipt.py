"""F7: the inspector scanned the wrong label. Before any work on the parcel, and before the shop
was told, the receipt is taken back in one transaction, audited; otherwise it stands."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from completing import demo_parcel, station_service
from returnsdesk.data import outbox
from returnsdesk.data.models import AuditEntry, OutboxEvent, Parcel, Return
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.vocabulary import OutboxStatus, ReturnStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.station.changes import NOTHING, RECEIPT_UNDONE
from returnsdesk.station.screen import KeyHint, State, Step, Tone
from workflow_driver import Station


def receipt_of(env: StationEnvironment, rma: str) -> tuple[ReturnStatus, int, list[str]]:
    """The return's status, its parcels, and its order-system events, as the database holds."""
    with env.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
        parcels = session.exec(select(Parcel).where(Parcel.return_id == return_.id)).all()
        events = session.exec(
            select(OutboxEvent.event_type)
            .where(OutboxEvent.aggregate_id == return_.id)
            .order_by(col(OutboxEvent.sequence))
        ).all()
        return return_.status, len(parcels), list(events)


def undo_audits(env: StationEnvironment) -> list[AuditEntry]:
    with env.database.session() as session:
        return list(
            session.exec(
                select(AuditEntry).where(AuditEntry.action == "parcel.receipt_undone")
            ).all()
        )


def test_a_wrong_label_is_undone_with_f7_and_enter_and_leaves_only_the_audit(
    station: Station, demo_env: StationEnvironment
) -> None:
    wrong, right = demo_parcel(demo_env, "RMA-100001"), demo_parcel(demo_env, "RMA-100002")
    # Given the inspector scanned the wrong label: the return is received
    screen = station.scan(wrong.tracking_number)
    assert screen.state is State.RETURN
    assert KeyHint("F7", "wrong label: undo receipt") in screen.keys
    assert receipt_of(demo_env, wrong.rma_number) == (ReturnStatus.RECEIVED, 1, ["return.received"])
    # When they press F7, the station asks first and nothing changes yet
    screen = station.press("F7")
    assert screen.state is State.CONFIRM_UNDO and screen.step is Step.PARCEL
    assert "Undo the receipt of RMA-100001" in screen.banner.text
    assert screen.banner.tone is Tone.WARNING
    assert [k.key for k in screen.keys] == ["Enter", "Esc"]
    assert screen.actions.accept
    assert receipt_of(demo_env, wrong.rma_number)[1] == 1
    # A scan now is refused, not taken as an item
    assert "Press Enter to undo" in station.scan(wrong.items[0].gtin).banner.text
    assert station.state is State.CONFIRM_UNDO
    # When they confirm with Enter
    station.changes = NOTHING
    screen = station.press("Enter")
    # Then the station is ready for the right label, and says what happened
    assert screen.state is State.IDLE and screen.banner.tone is Tone.OK
    assert "Receipt of RMA-100001 undone" in screen.banner.text
    assert station.changes == RECEIPT_UNDONE
    # And the return waits for its parcel as before: no parcel, no event for the shop
    assert receipt_of(demo_env, wrong.rma_number) == (ReturnStatus.OPEN, 0, [])
    # And the audit trail says who undid what, where, and what the receipt was
    (entry,) = undo_audits(demo_env)
    context = station.service.context
    assert (entry.subject, entry.operator_id, entry.station_id) == (
        wrong.rma_number,
        context.operator_id,
        context.station_id,
    )
    assert entry.details["tracking_number"] == wrong.tracking_number
    assert entry.details["return_status"] == {"from": "received", "to": "open"}
    assert entry.details["cancelled_event"]["sequence"] > 0
    # When the right label is scanned, it is received as usual; the undone one can be again
    assert station.scan(right.tracking_number).state is State.RETURN
    assert receipt_of(demo_env, right.rma_number)[:2] == (ReturnStatus.RECEIVED, 1)
    station.press("Esc")
    assert station.scan(wrong.tracking_number).state is State.RETURN
    assert receipt_of(demo_env, wrong.rma_number) == (ReturnStatus.RECEIVED, 1, ["return.received"])


def test_esc_keeps_the_receipt(station: Station, demo_env: StationEnvironment) -> None:
    parcel = demo_parcel(demo_env, "RMA-100001")
    station.scan(parcel.tracking_number)
    station.press("F7")
    screen = station.press("Esc")
    assert screen.state is State.RETURN and screen.banner.text == "Receipt kept. Scan an item."
    assert receipt_of(demo_env, parcel.rma_number)[:2] == (ReturnStatus.RECEIVED, 1)
    # The parcel is worked as if F7 had never been pressed
    assert station.scan(parcel.items[0].gtin).state is State.UNIT
    assert undo_audits(demo_env) == []


def test_once_a_unit_is_inspected_f7_is_neither_offered_nor_obeyed(
    station: Station, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")  # two units
    station.scan(parcel.tracking_number)
    station.scan(parcel.items[0].gtin)
    assert "F7" not in [k.key for k in station.screen.keys]
    assert "Finish or cancel" in station.press("F7").banner.text  # mid-item
    station.press("2")
    screen = station.press("Enter")  # the first unit finished, the parcel still open
    assert screen.state is State.RETURN
    assert "F7" not in [k.key for k in screen.keys]
    screen = station.press("F7")
    assert screen.state is State.RETURN and screen.banner.tone is Tone.ERROR
    assert "inspected already: the receipt stands" in screen.banner.text
    assert receipt_of(demo_env, parcel.rma_number)[:2] == (ReturnStatus.RECEIVED, 1)


def test_a_unit_finished_at_another_station_meanwhile_keeps_the_receipt(
    station: Station, demo_env: StationEnvironment
) -> None:
    parcel = demo_parcel(demo_env, "RMA-100002")
    station.scan(parcel.tracking_number)
    station.press("F7")
    # Meanwhile a second station scans the same parcel and finishes a unit of it
    other = Station(station_service(demo_env, station_code="STATION-02"))
    other.scan(parcel.tracking_number)
    other.scan(parcel.items[0].gtin)
    other.press("2")
    assert other.press("Enter").state is State.RETURN
    # When the first station confirms the undo, it is refused and the parcel stays open
    screen = station.press("Enter")
    assert screen.state is State.RETURN and screen.banner.tone is Tone.ERROR
    assert "1 unit of RMA-100002 was inspected already" in screen.banner.text
    assert receipt_of(demo_env, parcel.rma_number)[:2] == (ReturnStatus.RECEIVED, 1)
    assert undo_audits(demo_env) == []


def test_once_the_shop_was_told_or_is_being_told_the_receipt_stands(
    station: Station, demo_env: StationEnvironment
) -> None:
    """The sync API moves a return forward only: there is no event that takes a receipt back."""
    parcel = demo_parcel(demo_env, "RMA-100001")
    station.scan(parcel.tracking_number)
    # Given a relay has claimed the return's "received" event and is sending it now
    now = utc_now()
    with demo_env.database.session() as session:
        claimed = outbox.claim_due(session, now=now, token=now + timedelta(seconds=60), limit=100)
        assert "return.received" in [e.event_type for e in claimed]
    station.press("F7")
    screen = station.press("Enter")
    assert screen.state is State.RETURN and screen.banner.tone is Tone.ERROR
    assert "The shop already knows that RMA-100001 was received" in screen.banner.text
    # When the shop took it (the relay recorded it delivered), the answer is the same
    with demo_env.database.session() as session:
        received = session.exec(
            select(OutboxEvent).where(OutboxEvent.event_type == "return.received")
        ).one()
        outbox.mark_delivered(session, [received.id], now=now)
    station.press("F7")
    assert "The shop already knows" in station.press("Enter").banner.text
    status, parcels, events = receipt_of(demo_env, parcel.rma_number)
    assert (status, parcels, events) == (ReturnStatus.RECEIVED, 1, ["return.received"])
    with demo_env.database.session() as session:
        statuses = session.exec(
            select(OutboxEvent.status).where(OutboxEvent.event_type == "return.received")
        ).all()
    assert statuses == [OutboxStatus.DELIVERED]
    assert undo_audits(demo_env) == []

"""Trusted customers are refunded on receipt; inspection follows and never pays twice."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import col, select

from completing import complete_parcel, demo_parcel, known_customer, trusting
from returnsdesk.data.models import AuditEntry, OutboxEvent, RecoveryCase, Refund, Return
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.station import ParcelOpened


def refunds_of(env: StationEnvironment, rma: str) -> tuple[list[Refund], list[OutboxEvent]]:
    with env.database.read() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == rma)).one()
        refunds = list(session.exec(select(Refund).where(Refund.return_id == return_.id)))
        events = list(
            session.exec(
                select(OutboxEvent).where(
                    OutboxEvent.aggregate_id == return_.id,
                    col(OutboxEvent.event_type) == "refund.requested",
                )
            )
        )
        return refunds, events


def cases(env: StationEnvironment) -> list[RecoveryCase]:
    with env.database.read() as session:
        return list(session.exec(select(RecoveryCase)))


def test_a_trusted_customer_is_refunded_on_receipt_and_an_equal_inspection_adds_nothing(
    demo_env: StationEnvironment,
) -> None:
    service = trusting(demo_env)
    known_customer(demo_env, service, "RMA-100002")
    parcel = demo_parcel(demo_env, "RMA-100002")
    opened = service.open_parcel(service.classify(parcel.tracking_number or parcel.rma_number))
    assert isinstance(opened, ParcelOpened)
    (refund,), (event,) = refunds_of(demo_env, "RMA-100002")
    assert refund.released_on_receipt and refund.status.value == "approved"
    assert Decimal(str(event.payload["total"])) == refund.total > 0
    with demo_env.database.read() as session:
        actions = [a for (a,) in session.execute(select(col(AuditEntry.action)))]
    assert "refund.released_on_receipt" in actions

    result = complete_parcel(service, parcel, grade="2")  # resumes the open parcel

    assert result.released_on_receipt and result.recovery_case_id is None
    refunds, events = refunds_of(demo_env, "RMA-100002")
    assert [r.id for r in refunds] == [refund.id] and len(events) == 1
    assert refunds[0].total == refund.total
    assert cases(demo_env) == []


def test_a_deduction_found_later_opens_one_recovery_case_not_a_second_refund(
    demo_env: StationEnvironment,
) -> None:
    service = trusting(demo_env)
    known_customer(demo_env, service, "RMA-100002")
    result = complete_parcel(service, demo_parcel(demo_env, "RMA-100002"), grade="4")  # D: 50%

    (refund,), events = refunds_of(demo_env, "RMA-100002")
    paid_before = refund.total
    assert len(events) == 1 and result.recovery_case_id is not None
    (case,) = cases(demo_env)
    assert case.paid == paid_before and case.inspected < paid_before
    assert "paid on receipt" in case.reason
    with demo_env.database.read() as session:
        actions = [a for (a,) in session.execute(select(col(AuditEntry.action)))]
    assert "refund.recovery_opened" in actions


def test_no_instant_refund_for_a_new_customer_nor_above_the_limit(
    demo_env: StationEnvironment,
) -> None:
    service = trusting(demo_env)
    parcel = demo_parcel(demo_env, "RMA-100002")
    service.open_parcel(service.classify(parcel.tracking_number or parcel.rma_number))
    assert refunds_of(demo_env, "RMA-100002") == ([], [])

    limited = trusting(demo_env, limit="0.01")
    known_customer(demo_env, limited, "RMA-100003")
    other = demo_parcel(demo_env, "RMA-100003")
    limited.open_parcel(limited.classify(other.tracking_number or other.rma_number))
    assert refunds_of(demo_env, "RMA-100003") == ([], [])


def test_no_instant_refund_for_a_parcel_past_its_return_window(
    demo_env: StationEnvironment,
) -> None:
    # Given a trusted customer whose parcel (the demo's late return) is past its window
    service = trusting(demo_env)
    known_customer(demo_env, service, "RMA-100005")
    parcel = demo_parcel(demo_env, "RMA-100005")

    opened = service.open_parcel(service.classify(parcel.tracking_number or parcel.rma_number))

    # Then nothing is paid at receipt: the refund waits for inspection and the review
    assert isinstance(opened, ParcelOpened) and not opened.parcel.view.within_window
    assert refunds_of(demo_env, "RMA-100005") == ([], [])

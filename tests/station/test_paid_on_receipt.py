"""A parcel whose refund was issued on receipt, at the station without a window: the screen
says the refund was paid and inspection follows; done, it says whether a shift lead must
recover money; never a second refund."""

from __future__ import annotations

from sqlmodel import select

from completing import demo_parcel, known_customer, trusting
from returnsdesk.data.models import RecoveryCase, Refund, Return
from returnsdesk.domain.inspection import UnitStep
from returnsdesk.domain.vocabulary import RefundStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.recovery_cases import open_cases
from returnsdesk.station.screen import State, Tone
from workflow_driver import Station

ISSUED = "Refund already issued on receipt — inspection follows"
BANNER_SHOWN = 160  # characters of a banner the station shows (qt/station_view.py)


def paid_station(env: StationEnvironment) -> Station:
    """Given the customer of RMA-100002 (two units) is trusted: refunded on receipt."""
    service = trusting(env)
    known_customer(env, service, "RMA-100002")
    return Station(service)


def grade_unit(station: Station, gtin: str, grade: str) -> None:
    station.scan(gtin)
    station.press(grade)
    while station.screen.unit is not None and station.screen.unit.step is UnitStep.CHECKLIST:
        station.press("Y")


def refunds_and_cases(env: StationEnvironment) -> tuple[list[Refund], list[RecoveryCase]]:
    with env.database.read() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == "RMA-100002")).one()
        refunds = list(session.exec(select(Refund).where(Refund.return_id == return_.id)))
        cases = list(session.exec(select(RecoveryCase)))
        return refunds, cases


def test_opening_the_parcel_says_the_refund_was_issued_and_done_says_inspection_agrees(
    demo_env: StationEnvironment,
) -> None:
    station = paid_station(demo_env)
    parcel = demo_parcel(demo_env, "RMA-100002")
    # When the inspector scans the parcel
    screen = station.scan(parcel.tracking_number)
    # Then the banner says the refund was paid on receipt, how much and when
    (paid,) = refunds_and_cases(demo_env)[0]
    assert screen.state is State.RETURN
    assert screen.banner.text.startswith(ISSUED), screen.banner.text
    assert paid.total > 0 and f"EUR {paid.total:,.2f} paid" in screen.banner.text
    assert f"{paid.created_at.astimezone():%d %b}" in screen.banner.text
    assert len(screen.banner.text) <= BANNER_SHOWN
    # And the refund panel says so while the units are inspected, with no approval to wait for
    assert screen.refund is not None and screen.refund.title == ISSUED
    assert screen.refund.approval is None
    assert screen.refund.total_line == (
        f"Paid on receipt EUR {paid.total:,.2f}; if closed now: EUR 0.00"
    )
    (item,) = parcel.items
    grade_unit(station, item.gtin, "2")
    station.press("Enter")
    grade_unit(station, item.gtin, "2")
    assert station.screen.refund is not None and station.screen.refund.title == ISSUED
    # When the last unit is accepted as good as paid
    screen = station.press("Enter")
    # Then done: inspection agrees, nothing more is paid, no recovery case
    assert screen.state is State.OUTCOME, screen.banner.text
    assert screen.banner.tone is Tone.OK
    assert "was refunded on receipt and inspection agrees" in screen.banner.text
    refunds, cases = refunds_and_cases(demo_env)
    assert [r.id for r in refunds] == [paid.id] and refunds[0].total == paid.total
    assert cases == []


def test_a_lower_grade_says_a_recovery_case_is_open_for_a_shift_lead(
    demo_env: StationEnvironment,
) -> None:
    station = paid_station(demo_env)
    parcel = demo_parcel(demo_env, "RMA-100002")
    station.scan(parcel.tracking_number)
    (item,) = parcel.items
    grade_unit(station, item.gtin, "4")  # D: half the price deducted
    station.press("Enter")
    grade_unit(station, item.gtin, "2")
    # While the unit that completes the parcel is shown, the panel says what closing does
    assert station.screen.refund is not None
    assert "closing opens a recovery case" in station.screen.refund.total_line
    screen = station.press("Enter")
    refunds, (case,) = refunds_and_cases(demo_env)
    (paid,) = refunds
    assert screen.state is State.OUTCOME
    assert screen.banner.tone is Tone.WARNING
    assert f"EUR {paid.total:,.2f} was refunded on receipt" in screen.banner.text
    assert f"inspection finds EUR {case.inspected:,.2f}" in screen.banner.text
    assert "a recovery case is open for a shift lead" in screen.banner.text
    assert len(screen.banner.text) <= BANNER_SHOWN
    assert case.inspected < case.paid == paid.total and paid.status is RefundStatus.APPROVED


def test_a_wrong_item_in_a_parcel_paid_on_receipt_opens_a_recovery_case_not_a_refund(
    demo_env: StationEnvironment,
) -> None:
    station = paid_station(demo_env)
    parcel = demo_parcel(demo_env, "RMA-100002")
    (camera,) = demo_parcel(demo_env, "RMA-100004").items  # from another order
    station.scan(parcel.tracking_number)
    (paid_before,), _ = refunds_and_cases(demo_env)
    # When a wrong item is found in the parcel, besides the two units returned
    station.scan(camera.gtin)
    assert station.screen.unit is not None and "Wrong item" in station.screen.unit.flags
    station.press("3")
    station.press("Enter")
    (item,) = parcel.items
    for _ in range(2):
        grade_unit(station, item.gtin, "2")
        screen = station.press("Enter")
    # Then the parcel is done, the refund paid on receipt untouched and not paid again, and
    # a recovery case names the wrong item for a shift lead
    assert screen.state is State.OUTCOME, screen.banner.text
    assert "a recovery case is open for a shift lead" in screen.banner.text
    refunds, (case,) = refunds_and_cases(demo_env)
    assert [(r.id, r.total) for r in refunds] == [(paid_before.id, paid_before.total)]
    assert "Wrong item" in case.reason and case.paid == paid_before.total
    assert case.flags == ["wrong_item"]
    # And the lead's list names it
    (listed,) = open_cases(demo_env.database)
    assert listed.found == "Wrong item" and listed.rma_number == "RMA-100002"
    assert case.opened_by == station.service.context.operator_id

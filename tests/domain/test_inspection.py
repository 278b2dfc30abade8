"""The parcel's inspection as a pure state machine: matching, steps, refunds and the review.

The station workflow and the completion service build on ``ParcelInspection``; these tests pin
what it decides by itself, with the shipped policy files and no database.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from returnsdesk.domain.errors import RejectedText, WrongStep
from returnsdesk.domain.inspection import (
    NOTES_LIMIT,
    ExpectedLine,
    InspectedUnit,
    ParcelInspection,
    ScannedProduct,
    UnitStep,
)
from returnsdesk.domain.money import Money
from returnsdesk.domain.policy import ITEM_NOT_RETURNED, WRONG_ITEM_RETURNED, load_policies
from returnsdesk.domain.return_window import ReturnWindow
from returnsdesk.domain.vocabulary import Disposition, InspectionFlag, RefundStatus
from returnsdesk.paths import default_policy_dir

POLICIES = load_policies(default_policy_dir())
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def line(
    sku: str = "SHIRT-M",
    *,
    title: str = "Linen shirt",
    category: str = "apparel",
    quantity: int = 1,
    price: str = "40.00",
    reason: str = "doesnt_fit",
    serials: tuple[str, ...] = (),
) -> ExpectedLine:
    return ExpectedLine(
        line_id=uuid.uuid4(),
        sku=sku,
        title=title,
        category=category,
        quantity=quantity,
        unit_price=eur(price),
        unit_value=eur(price),
        reason_code=reason,
        reason_label=reason,
        customer_comment="",
        serialised=bool(serials),
        serial_numbers=serials,
    )


def product(expected: ExpectedLine, *, serial: str | None = None) -> ScannedProduct:
    return ScannedProduct(
        sku=expected.sku,
        title=expected.title,
        category=expected.category,
        unit_value=expected.unit_value,
        serialised=expected.serialised,
        serial=serial,
    )


def parcel(
    *lines: ExpectedLine, days: int | None = 3, require_photos: bool = True
) -> ParcelInspection:
    return ParcelInspection(
        lines=lines,
        policies=POLICIES,
        currency="EUR",
        days_since_delivery=days,
        window=ReturnWindow(30),
        require_photos=require_photos,
    )


def inspect(work: ParcelInspection, scanned: ScannedProduct, grade_key: str) -> InspectedUnit:
    """Scan, grade, answer every question yes, accept the suggestion."""
    work.begin_unit(scanned, now=T0)
    work.grade(grade_key)
    while work.current is not None and work.current.step is UnitStep.CHECKLIST:
        work.answer(True)
    return work.accept(now=T0 + timedelta(minutes=1))


# --- matching scanned items to the return ----------------------------------------------------


def test_units_of_one_sku_fill_its_line_in_order_then_count_as_extras() -> None:
    shirts = line(quantity=2)
    work = parcel(shirts)

    first = inspect(work, product(shirts), "1")
    second = inspect(work, product(shirts), "1")
    extra = work.begin_unit(product(shirts), now=T0)

    assert (first.line_id, first.unit_index) == (shirts.line_id, 0)
    assert (second.line_id, second.unit_index) == (shirts.line_id, 1)
    # A third unit of a line of two is not on the return: it is flagged, never refunded.
    assert extra.line is None
    assert InspectionFlag.WRONG_ITEM in extra.flags


def test_a_wrong_item_asks_no_checklist_and_goes_to_quarantine() -> None:
    phone = line("PHONE-1", category="electronics", serials=("SN1",))
    work = parcel(phone, require_photos=False)
    stranger = ScannedProduct(
        sku="LAPTOP-9",
        title="Laptop",
        category="electronics",
        unit_value=eur("900.00"),
        serialised=True,
    )

    draft = work.begin_unit(stranger, now=T0)
    assert draft.step is UnitStep.GRADE  # no serial asked, no electronics checklist
    work.grade("2")
    assert draft.step is UnitStep.DISPOSITION
    unit = work.accept(now=T0)

    assert unit.disposition is Disposition.REFURBISH
    assert unit.location == "QUARANTINE"
    quote = work.quote()
    assert [q.refund.deduction_reason for q in quote.lines] == [
        ITEM_NOT_RETURNED
    ]  # the phone is missing
    assert quote.total == eur("0.00")
    assert quote.review.status is RefundStatus.PENDING_APPROVAL
    assert "Wrong item" in quote.review.reason


def test_a_second_item_cannot_start_before_the_first_is_finished() -> None:
    shirts = line(quantity=2)
    work = parcel(shirts)
    work.begin_unit(product(shirts), now=T0)

    with pytest.raises(WrongStep, match="Finish the current item first"):
        work.begin_unit(product(shirts), now=T0)


# --- the steps of one unit -------------------------------------------------------------------


def test_a_serialised_unit_asks_its_serial_before_the_grade() -> None:
    phone = line("PHONE-1", category="electronics", serials=("SN-1", "SN-2"))
    work = parcel(phone)
    draft = work.begin_unit(product(phone), now=T0)

    assert draft.step is UnitStep.SERIAL
    with pytest.raises(WrongStep, match="serial"):
        work.grade("1")
    assert work.scan_serial("sn-2") is True  # scanners differ in case; serials do not
    assert draft.step is UnitStep.GRADE
    assert InspectionFlag.SERIAL_MISMATCH not in draft.flags


def test_a_serial_that_was_not_shipped_or_already_returned_is_flagged() -> None:
    phones = line("PHONE-1", category="electronics", quantity=2, serials=("SN-1", "SN-2"))
    work = parcel(phones, require_photos=False)
    inspect(work, product(phones, serial="SN-1"), "1")  # the serial came with the scan

    work.begin_unit(product(phones), now=T0)
    assert work.scan_serial("SN-1") is False  # the same serial twice

    assert InspectionFlag.SERIAL_MISMATCH in work.current.flags  # type: ignore[union-attr]


def test_grade_keys_follow_the_loaded_scale_and_a_wrong_key_names_them() -> None:
    shirts = line()
    work = parcel(shirts)
    work.begin_unit(product(shirts), now=T0)

    with pytest.raises(WrongStep) as refused:
        work.grade("7")
    assert str(refused.value) == "No grade on key 7. Grades: 1=A, 2=B, 3=C, 4=D, 5=F."
    assert work.grade("3") == "C"


def test_checklist_questions_come_from_category_and_reason_each_asked_once() -> None:
    boots = line("BOOT-42", category="footwear", reason="defective")
    work = parcel(boots)
    draft = work.begin_unit(product(boots), now=T0)
    work.grade("2")

    assert [q.id for q in draft.questions] == ["defect_confirmed", "soles_clean"]
    assert draft.step is UnitStep.CHECKLIST
    assert draft.next_question is not None and draft.next_question.id == "defect_confirmed"
    work.answer(False)
    work.answer(True)
    assert draft.answers == {"defect_confirmed": False, "soles_clean": True}
    assert draft.step is UnitStep.DISPOSITION


def test_regrade_goes_back_to_grading_and_forgets_the_answers() -> None:
    boots = line("BOOT-42", category="footwear")
    work = parcel(boots)
    draft = work.begin_unit(product(boots), now=T0)
    work.grade("1")
    work.answer(True)

    work.regrade()

    assert draft.grade is None and draft.answers == {}
    assert draft.step is UnitStep.GRADE


def test_notes_are_trimmed_and_refused_past_their_column() -> None:
    shirts = line()
    work = parcel(shirts)
    with pytest.raises(WrongStep, match="Scan an item first"):
        work.set_notes("before any item")
    work.begin_unit(product(shirts), now=T0)

    work.set_notes("  seam torn at the left cuff \n")
    assert work.current is not None and work.current.notes == "seam torn at the left cuff"
    with pytest.raises(RejectedText, match="at most 4,000"):
        work.set_notes("x" * (NOTES_LIMIT + 1))
    assert work.current.notes == "seam torn at the left cuff"  # a refused note changes nothing


# --- dispositions and evidence ---------------------------------------------------------------


def test_the_suggested_disposition_follows_the_rules() -> None:
    shirts = line()
    work = parcel(shirts)
    work.begin_unit(product(shirts), now=T0)
    work.grade("3")  # worn apparel

    suggestion = work.suggestion()
    assert (suggestion.disposition, suggestion.location) == (Disposition.RESTOCK, "OUTLET")


def test_an_override_needs_a_reason_and_keeps_what_was_suggested() -> None:
    shirts = line()
    work = parcel(shirts)
    work.begin_unit(product(shirts), now=T0)
    work.grade("1")

    with pytest.raises(WrongStep, match="needs a reason"):
        work.accept(now=T0, override=Disposition.LIQUIDATE, reason="  ")
    assert work.current is not None  # still on screen after the refusal
    unit = work.accept(now=T0, override=Disposition.LIQUIDATE, reason=" stained collar ")

    assert unit.disposition is Disposition.LIQUIDATE
    assert unit.location == "LIQUIDATION"
    assert unit.overridden_from is Disposition.RESTOCK
    assert unit.override_reason == "stained collar"
    review = work.quote().review
    assert review.status is RefundStatus.PENDING_APPROVAL
    assert "Disposition overridden on 1 unit" in review.reason


def test_a_damaged_unit_needs_a_photo_before_it_is_accepted() -> None:
    shirts = line()
    work = parcel(shirts)
    work.begin_unit(product(shirts), now=T0)
    work.grade("4")  # D: photo required by grading.toml

    with pytest.raises(WrongStep, match=r"Take a photo first \(P\)"):
        work.accept(now=T0)
    assert work.units == []
    work.record_photo()
    assert work.accept(now=T0).grade == "D"


def test_a_station_without_camera_needs_no_photo() -> None:
    shirts = line()
    work = parcel(shirts, require_photos=False)
    work.begin_unit(product(shirts), now=T0)
    work.grade("4")

    assert work.missing_photo_reason() is None


def test_an_empty_box_is_closed_after_a_photo_of_the_parcel() -> None:
    shirts = line(quantity=2)
    work = parcel(shirts)
    work.mark_empty_box()

    with pytest.raises(WrongStep, match="photo"):
        work.check_ready_to_close()
    work.record_photo()  # no unit on screen: a photo of the parcel
    work.check_ready_to_close()

    missing = work.missing_units()
    assert [m.unit_index for m in missing] == [0, 1]
    assert all(m.flags == {InspectionFlag.MISSING, InspectionFlag.EMPTY_BOX} for m in missing)
    assert work.quote().total == eur("0.00")


def test_an_empty_box_cannot_be_declared_once_items_were_scanned() -> None:
    shirts = line()
    work = parcel(shirts)
    inspect(work, product(shirts), "1")

    with pytest.raises(WrongStep, match="already scanned"):
        work.mark_empty_box()


# --- the refund quote ------------------------------------------------------------------------


def test_the_quote_itemises_every_unit_with_its_deduction_and_reason() -> None:
    shirts = line(quantity=3, price="40.00")
    work = parcel(shirts)
    inspect(work, product(shirts), "1")
    inspect(work, product(shirts), "3")

    quote = work.quote()  # the third shirt was not in the parcel

    assert [(q.description, q.grade) for q in quote.lines] == [
        ("Linen shirt (1 of 3)", "A"),
        ("Linen shirt (2 of 3)", "C"),
        ("Linen shirt (3 of 3)", None),
    ]
    assert [q.refund.deduction for q in quote.lines] == [eur("0.00"), eur("6.00"), eur("40.00")]
    assert [q.refund.deduction_reason for q in quote.lines] == [
        "",
        "Restocking fee: opened and used",
        ITEM_NOT_RETURNED,
    ]
    assert quote.gross == eur("120.00")
    assert quote.deductions == eur("46.00")
    assert quote.total == eur("74.00")
    assert quote.review.status is RefundStatus.APPROVED


def test_a_defective_item_waives_the_deduction_and_says_so() -> None:
    kettle = line("KETTLE", category="home", reason="defective", price="30.00")
    work = parcel(kettle)
    work.begin_unit(product(kettle), now=T0)
    work.grade("3")
    while work.current is not None and work.current.step is UnitStep.CHECKLIST:
        work.answer(True)

    # The quote can preview the unit about to be accepted: the inspector sees the final refund.
    quote = work.quote(pending=work.preview_accept(now=T0))

    assert quote.total == eur("30.00")
    assert (
        quote.lines[0].refund.deduction_reason
        == "Restocking fee: opened and used (waived: Defective / does not work)"
    )


def test_the_quote_never_refunds_more_than_was_paid_and_rounds_to_the_currency() -> None:
    odd = line(price="33.335", quantity=1)
    work = parcel(odd)
    inspect(work, product(odd), "3")

    quote = work.quote()

    # Paid 33.34 (to the cent); 15 % is 5.001, deducted as 5.00.
    assert quote.lines[0].refund.deduction == eur("5.00")
    assert quote.total.amount == Decimal("28.34")
    assert quote.total <= quote.gross


def test_a_refund_at_the_limit_or_past_the_window_waits_for_a_lead() -> None:
    tv = line("TV-55", category="home", price="500.00")
    at_limit = parcel(tv)
    inspect(at_limit, product(tv), "1")
    late = parcel(line(), days=30 + 7 + 1)  # window plus transit grace plus a day
    inspect(late, product(late.lines[0]), "1")

    assert at_limit.quote().review.status is RefundStatus.PENDING_APPROVAL
    assert "approval limit" in at_limit.quote().review.reason
    assert late.quote().review.status is RefundStatus.PENDING_APPROVAL
    assert "past the 30-day return window" in late.quote().review.reason
    undated = parcel(line(), days=None)  # the shop gave no delivery date: no window to check
    inspect(undated, product(undated.lines[0]), "1")
    assert undated.quote().review.status is RefundStatus.APPROVED


def test_a_unit_not_on_the_return_is_never_refunded() -> None:
    shirts = line()
    work = parcel(shirts, require_photos=False)
    inspect(work, product(shirts), "1")
    stranger = ScannedProduct("MUG", "Mug", "home", eur("9.00"), serialised=False)
    extra = inspect(work, stranger, "1")

    quote = work.quote()

    assert extra.line_id is None
    assert [q.line.sku for q in quote.lines] == ["SHIRT-M"]
    assert quote.total == eur("40.00")
    assert WRONG_ITEM_RETURNED not in [q.refund.deduction_reason for q in quote.lines]


# --- progress and restoring after a restart --------------------------------------------------


def test_progress_counts_the_unit_on_screen() -> None:
    shirts = line(quantity=2)
    work = parcel(shirts)
    assert work.expected_units == 2
    inspect(work, product(shirts), "1")
    work.begin_unit(product(shirts), now=T0)
    work.grade("1")

    assert work.remaining(shirts) == 0
    assert work.completes_with_current
    assert not work.all_expected_inspected
    work.cancel_unit()
    assert work.remaining(shirts) == 1
    assert not work.completes_with_current


def test_a_finished_unit_survives_its_record_and_a_restore() -> None:
    phones = line("PHONE-1", category="electronics", quantity=2, serials=("SN-1", "SN-2"))
    work = parcel(phones, require_photos=False)
    work.begin_unit(product(phones, serial="SN-2"), now=T0)
    work.grade("2")
    work.set_notes("<b>box</b> dented")
    while work.current is not None and work.current.step is UnitStep.CHECKLIST:
        work.answer(True)
    unit = work.accept(now=T0, override=Disposition.REFURBISH, reason="check battery")

    again = InspectedUnit.from_record(unit.to_record())
    resumed = parcel(phones, require_photos=False)
    resumed.restore([again])

    assert again == unit
    assert resumed.remaining(phones) == 1
    assert resumed.quote().lines[0].grade == "B"


def test_restoring_units_of_a_line_no_longer_on_the_return_restores_nothing() -> None:
    shirts = line()
    work = parcel(shirts)
    unit = inspect(work, product(shirts), "1")
    changed = parcel(line("SHIRT-L"))

    with pytest.raises(WrongStep, match="not on this return any more"):
        changed.restore([unit])
    assert changed.units == []

"""The policy files: the shipped defaults, how they are evaluated, and how bad files are refused."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from returnsdesk.domain.errors import PolicyError
from returnsdesk.domain.money import Money, currency_exponent
from returnsdesk.domain.policy import (
    ITEM_NOT_RETURNED,
    SERIAL_MISMATCH,
    WRONG_ITEM_RETURNED,
    AmountByCurrency,
    Checklist,
    ChecklistQuestion,
    Checklists,
    DispositionRule,
    DispositionRules,
    GradeDeduction,
    Policies,
    RefundPolicy,
    load_policies,
)
from returnsdesk.domain.return_window import ReturnWindow
from returnsdesk.domain.vocabulary import Disposition, InspectionFlag, RefundStatus
from returnsdesk.paths import default_policy_dir

NO_FLAGS: frozenset[InspectionFlag] = frozenset()
DEFAULTS = load_policies(default_policy_dir())
REFUNDS = DEFAULTS.refunds
HUNDRED = Money.of("100.00", "EUR")


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


# --- grading ---------------------------------------------------------------------------------


def test_default_scale_selects_grades_by_digit_in_file_order() -> None:
    scale = DEFAULTS.grading
    assert [(g.key, g.code) for g in scale.grades] == [
        ("1", "A"),
        ("2", "B"),
        ("3", "C"),
        ("4", "D"),
        ("5", "F"),
    ]
    assert scale.by_key("3") == scale.by_code("C")
    assert scale.by_code("C").label == "Good / used"
    assert scale.by_key("6") is None
    with pytest.raises(KeyError):
        scale.by_code("E")


# --- checklists ------------------------------------------------------------------------------


def test_questions_combine_every_matching_list_in_file_order() -> None:
    questions = DEFAULTS.checklists.questions_for(category="electronics", reason_code="defective")
    assert [q.id for q in questions] == [
        "powers_on",
        "factory_reset",
        "no_liquid_damage",
        "fault_confirmed",
    ]


def test_questions_for_other_categories_and_reasons() -> None:
    checklists = DEFAULTS.checklists
    # The grade says all there is about a changed-mind garment: no question, fewest inputs.
    apparel = checklists.questions_for(category="apparel", reason_code="changed_mind")
    assert [q.id for q in apparel] == []
    faulty = checklists.questions_for(category="apparel", reason_code="defective")
    assert [q.id for q in faulty] == ["defect_confirmed"]
    carrier = checklists.questions_for(category="home", reason_code="damaged_in_transit")
    assert [q.id for q in carrier][-1] == "damage_photographed"
    # A category and reason no list names get no questions.
    toys = checklists.questions_for(category="toys", reason_code="a_new_shop_code")
    assert [q.id for q in toys] == []


def test_question_in_several_lists_is_asked_once() -> None:
    powers_on = ChecklistQuestion("powers_on", "Powers on?")
    checklists = Checklists(
        (
            Checklist("all", None, None, (powers_on,)),
            Checklist("faulty", frozenset({"electronics"}), frozenset({"defective"}), (powers_on,)),
        )
    )
    assert checklists.questions_for(category="electronics", reason_code="defective") == (powers_on,)


# --- dispositions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "category", "value", "flags", "checklist", "expected"),
    [
        ("A", "apparel", "40.00", NO_FLAGS, {},
         ("restock", "SELLABLE", "New or like new")),
        ("B", "electronics", "300.00", NO_FLAGS, {"factory_reset": True},
         ("restock", "SELLABLE", "New or like new")),
        ("C", "apparel", "40.00", NO_FLAGS, {},
         ("restock", "OUTLET", "Worn clothing: outlet")),
        ("C", "footwear", "90.00", NO_FLAGS, {},
         ("liquidate", "LIQUIDATION", "Used or damaged goods")),
        ("D", "home", "300.00", NO_FLAGS, {},
         ("liquidate", "LIQUIDATION", "Used or damaged goods")),
        ("F", "home", "25.00", NO_FLAGS, {},
         ("recycle", "RECYCLING", "Defective goods")),
        ("C", "electronics", "50.00", NO_FLAGS, {},
         ("refurbish", "REFURB", "Electronics worth refurbishing")),
        ("F", "electronics", "899.00", NO_FLAGS, {},
         ("refurbish", "REFURB", "Electronics worth refurbishing")),
        ("D", "electronics", "49.99", NO_FLAGS, {},
         ("liquidate", "LIQUIDATION", "Low-value used electronics")),
        ("F", "electronics", "19.00", NO_FLAGS, {},
         ("recycle", "RECYCLING", "Low-value faulty electronics")),
        ("B", "electronics", "300.00", NO_FLAGS, {"factory_reset": False},
         ("refurbish", "REFURB", "Electronics with user data: wipe")),
        ("A", "apparel", "40.00", frozenset({InspectionFlag.WRONG_ITEM}), {},
         ("refurbish", "QUARANTINE", "Wrong item: quarantine")),
        ("A", "electronics", "900.00", frozenset({InspectionFlag.SERIAL_MISMATCH}), {},
         ("refurbish", "QUARANTINE", "Serial mismatch: quarantine")),
        ("X", "apparel", "40.00", NO_FLAGS, {},
         ("liquidate", "LIQUIDATION", "No rule matched")),  # a grade no rule names
    ],
)  # fmt: skip
def test_default_disposition_rules(
    grade: str,
    category: str,
    value: str,
    flags: frozenset[InspectionFlag],
    checklist: dict[str, bool],
    expected: tuple[str, str, str],
) -> None:
    suggestion = DEFAULTS.dispositions.suggest(
        grade=grade,
        category=category,
        reason_code="changed_mind",
        unit_value=eur(value),
        flags=flags,
        checklist=checklist,
    )
    assert (suggestion.disposition.value, suggestion.location, suggestion.rule) == expected


@pytest.mark.parametrize(("value", "rule"), [("7499", "Low-value"), ("7500", "worth")])
def test_value_bounds_per_currency(value: str, rule: str) -> None:
    # Given the default rules, where JPY has its own refurbishment bound of 7500 yen
    suggestion = DEFAULTS.dispositions.suggest(
        grade="C",
        category="electronics",
        reason_code=None,
        unit_value=Money.of(value, "JPY"),
        flags=NO_FLAGS,
        checklist={},
    )
    assert rule in suggestion.rule


def _rules(*rules: DispositionRule) -> DispositionRules:
    locations = MappingProxyType({d: d.value.upper() for d in Disposition})
    return DispositionRules(
        rules, DispositionRule("Default", Disposition.RECYCLE, "BIN"), locations
    )


def _suggest(
    rules: DispositionRules,
    value: str = "10.00",
    *,
    reason_code: str | None = "changed_mind",
    flags: frozenset[InspectionFlag] = NO_FLAGS,
    checklist: dict[str, bool] | None = None,
) -> str:
    """The rule chosen for a used home-goods unit, varied by the arguments given."""
    suggestion = rules.suggest(
        grade="C",
        category="home",
        reason_code=reason_code,
        unit_value=eur(value),
        flags=flags,
        checklist=checklist or {},
    )
    return suggestion.rule


def test_min_value_is_inclusive_and_max_value_exclusive() -> None:
    fifty = AmountByCurrency(Decimal(50))
    rules = _rules(
        DispositionRule("cheap", Disposition.LIQUIDATE, "L", max_value=fifty),
        DispositionRule("dear", Disposition.REFURBISH, "R", min_value=fifty),
    )
    assert _suggest(rules, "49.99") == "cheap"
    assert _suggest(rules, "50.00") == "dear"


def test_rule_conditions_on_reason_flags_and_checklist() -> None:
    rules = _rules(
        DispositionRule("faulty", Disposition.REFURBISH, "R", reasons=frozenset({"defective"})),
        DispositionRule(
            "flagged",
            Disposition.REFURBISH,
            "Q",
            flags=frozenset({InspectionFlag.WRONG_ITEM, InspectionFlag.SERIAL_MISMATCH}),
        ),
        DispositionRule(
            "dead", Disposition.RECYCLE, "R", checklist=MappingProxyType({"powers_on": False})
        ),
    )
    assert _suggest(rules, reason_code="defective") == "faulty"
    assert _suggest(rules, reason_code=None) == "Default"  # a unit on no return line
    assert _suggest(rules, flags=frozenset({InspectionFlag.SERIAL_MISMATCH})) == "flagged"
    assert _suggest(rules, checklist={"powers_on": False}) == "dead"
    assert _suggest(rules, checklist={"powers_on": True}) == "Default"
    assert _suggest(rules, checklist={}) == "Default"  # unanswered is neither yes nor no


def test_location_for_each_disposition() -> None:
    locations = {d: DEFAULTS.dispositions.location_for(d) for d in Disposition}
    assert locations == {
        Disposition.RESTOCK: "SELLABLE",
        Disposition.REFURBISH: "REFURB",
        Disposition.LIQUIDATE: "LIQUIDATION",
        Disposition.RECYCLE: "RECYCLING",
    }


# --- refunds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "reason", "deduction", "why"),
    [
        ("A", "changed_mind", "0.00", ""),
        ("B", "doesnt_fit", "0.00", ""),
        ("C", "changed_mind", "15.00", "Restocking fee: opened and used"),
        ("D", "doesnt_fit", "50.00", "Damaged after delivery"),
        ("F", "changed_mind", "0.00", ""),
        ("C", "defective", "0.00",
         "Restocking fee: opened and used (waived: Defective / does not work)"),
        ("D", "damaged_in_transit", "0.00",
         "Damaged after delivery (waived: Arrived damaged)"),
        ("C", "a_new_shop_code", "15.00", "Restocking fee: opened and used"),
    ],
)  # fmt: skip
def test_grade_deductions(grade: str, reason: str, deduction: str, why: str) -> None:
    refund = REFUNDS.unit_refund(
        price_paid=eur("100"), grade=grade, reason_code=reason, flags=NO_FLAGS
    )
    assert refund.gross == eur("100.00")
    assert refund.deduction == eur(deduction)
    assert refund.amount == eur("100.00") - eur(deduction)
    assert refund.deduction_reason == why


@pytest.mark.parametrize(
    ("grade", "flags", "why"),
    [
        (None, NO_FLAGS, ITEM_NOT_RETURNED),
        ("A", frozenset({InspectionFlag.MISSING}), ITEM_NOT_RETURNED),
        ("A", frozenset({InspectionFlag.EMPTY_BOX}), ITEM_NOT_RETURNED),
        ("A", frozenset({InspectionFlag.WRONG_ITEM}), WRONG_ITEM_RETURNED),
        ("A", frozenset({InspectionFlag.SERIAL_MISMATCH}), SERIAL_MISMATCH),
    ],
)
def test_units_not_returned_refund_nothing_even_when_the_reason_waives(
    grade: str | None, flags: frozenset[InspectionFlag], why: str
) -> None:
    refund = REFUNDS.unit_refund(
        price_paid=eur("59.90"), grade=grade, reason_code="defective", flags=flags
    )
    assert (refund.deduction, refund.amount, refund.deduction_reason) == (
        eur("59.90"),
        eur("0.00"),
        why,
    )


def test_serial_mismatch_can_be_refunded_by_grade() -> None:
    policy = _policy(serial_mismatch_full_deduction=False)
    refund = policy.unit_refund(
        price_paid=eur("200.00"),
        grade="C",
        reason_code="changed_mind",
        flags=frozenset({InspectionFlag.SERIAL_MISMATCH}),
    )
    assert refund.amount == eur("170.00")


def test_fixed_fee_adds_to_percentage_and_is_capped_at_the_price() -> None:
    policy = _policy(
        deductions={"C": GradeDeduction(Decimal(10), AmountByCurrency(Decimal("5.00")), "Fee")}
    )

    def amount(price: str) -> Money:
        refund = policy.unit_refund(
            price_paid=eur(price), grade="C", reason_code="x", flags=NO_FLAGS
        )
        return refund.amount

    assert amount("20.00") == eur("13.00")
    assert amount("3.00") == eur("0.00")


def test_amounts_are_rounded_to_the_currency() -> None:
    yen = REFUNDS.unit_refund(
        price_paid=Money.of("1999", "JPY"), grade="C", reason_code="changed_mind", flags=NO_FLAGS
    )
    assert (yen.deduction.amount, yen.amount.amount) == (Decimal("300"), Decimal("1699"))
    cents = REFUNDS.unit_refund(
        price_paid=eur("19.99"), grade="C", reason_code="changed_mind", flags=NO_FLAGS
    )
    assert str(cents.deduction.amount) == "3.00"  # 2.9985 rounded half up
    dinar = REFUNDS.unit_refund(
        price_paid=Money.of("10.005", "BHD"), grade="C", reason_code="changed_mind", flags=NO_FLAGS
    )
    assert str(dinar.deduction.amount) == "1.501"  # 1.50075


def test_unknown_reason_codes_are_shown_as_sent() -> None:
    reason = REFUNDS.reason("too_colourful")
    assert (reason.code, reason.label, reason.waives_deduction) == (
        "too_colourful",
        "too_colourful",
        False,
    )
    assert REFUNDS.reason("defective").waives_deduction


def test_negative_price_and_unknown_grade_are_bugs() -> None:
    with pytest.raises(ValueError, match="negative"):
        REFUNDS.unit_refund(price_paid=eur("-1"), grade="A", reason_code="x", flags=NO_FLAGS)
    with pytest.raises(KeyError, match="'Z'"):
        REFUNDS.unit_refund(price_paid=eur("1"), grade="Z", reason_code="x", flags=NO_FLAGS)


def _policy(
    *,
    deductions: dict[str, GradeDeduction] | None = None,
    serial_mismatch_full_deduction: bool = True,
) -> RefundPolicy:
    return RefundPolicy(
        reasons=REFUNDS.reasons,
        grade_deductions=deductions or REFUNDS.grade_deductions,
        approval_threshold=REFUNDS.approval_threshold,
        serial_mismatch_full_deduction=serial_mismatch_full_deduction,
    )


# --- refund properties -----------------------------------------------------------------------

CURRENCIES = ["EUR", "USD", "GBP", "JPY", "BHD"]
FLAGS = st.frozensets(st.sampled_from(list(InspectionFlag)))
REASONS = st.sampled_from([*REFUNDS.reasons, "unknown_code"])


@st.composite
def prices(draw: st.DrawFn, *, extra_places: int = 0) -> Money:
    currency = draw(st.sampled_from(CURRENCIES))
    places = currency_exponent(currency) + extra_places
    minor_units = draw(st.integers(min_value=0, max_value=10**7 * 10**places))
    return Money(Decimal(minor_units).scaleb(-places), currency)


@st.composite
def deductions(draw: st.DrawFn) -> GradeDeduction:
    percent = draw(st.decimals(min_value=0, max_value=100, places=2))
    fee = draw(st.decimals(min_value=0, max_value=10**6, places=3))
    return GradeDeduction(percent, AmountByCurrency(fee), "Deduction")


def _is_rounded(money: Money) -> bool:
    return money.amount.as_tuple().exponent == -currency_exponent(money.currency)


@given(
    price=prices(),
    grade=st.sampled_from([None, *DEFAULTS.grading.codes]),
    reason=REASONS,
    flags=FLAGS,
    deduction=deductions(),
    serial_full=st.booleans(),
)
def test_refund_is_between_nothing_and_the_price_paid(
    price: Money,
    grade: str | None,
    reason: str,
    flags: frozenset[InspectionFlag],
    deduction: GradeDeduction,
    serial_full: bool,
) -> None:
    # Any grade under the defaults, and any percent/fee a warehouse could configure for it.
    for policy in (
        REFUNDS,
        _policy(deductions={grade or "A": deduction}, serial_mismatch_full_deduction=serial_full),
    ):
        refund = policy.unit_refund(price_paid=price, grade=grade, reason_code=reason, flags=flags)
        assert Money.zero(price.currency) <= refund.amount <= price
        assert refund.gross == price
        assert refund.deduction + refund.amount == refund.gross
        assert all(_is_rounded(m) for m in (refund.gross, refund.deduction, refund.amount))


@given(price=prices(extra_places=3), grade=st.sampled_from(DEFAULTS.grading.codes), reason=REASONS)
def test_refund_of_a_price_with_fractions_of_a_cent_is_rounded(
    price: Money, grade: str, reason: str
) -> None:
    refund = REFUNDS.unit_refund(price_paid=price, grade=grade, reason_code=reason, flags=NO_FLAGS)
    assert refund.gross == price.rounded()
    assert Money.zero(price.currency) <= refund.amount <= price.rounded()
    assert _is_rounded(refund.amount) and _is_rounded(refund.deduction)


# --- refund review ---------------------------------------------------------------------------


def _review(
    total: Money = HUNDRED,
    days: int | None = 10,
    flags: frozenset[InspectionFlag] = NO_FLAGS,
) -> tuple[RefundStatus, str]:
    review = REFUNDS.review(
        total=total, days_since_delivery=days, window=ReturnWindow(30), flags=flags
    )
    return review.status, review.reason


def test_refund_within_policy_is_approved() -> None:
    assert _review() == (RefundStatus.APPROVED, "Within policy")
    assert _review(days=None)[0] is RefundStatus.APPROVED  # no delivery date: nothing to check
    assert _review(days=37)[0] is RefundStatus.APPROVED  # 30 days + 7 for the trip back
    assert _review(flags=frozenset({InspectionFlag.MISSING}))[0] is RefundStatus.APPROVED
    assert _review(total=Money.of("74999", "JPY"))[0] is RefundStatus.APPROVED


@pytest.mark.parametrize(
    ("total", "days", "flags", "reason"),
    [
        (eur("500.00"), 10, NO_FLAGS,
         "Refund EUR 500.00 is at or above the approval limit of EUR 500.00"),
        (Money.of("75000", "JPY"), 10, NO_FLAGS, "approval limit of JPY 75,000"),
        (Money.of("500.00", "USD"), 10, NO_FLAGS, "approval limit of USD 500.00"),
        (HUNDRED, 38, NO_FLAGS,
         "Received 38 days after delivery, past the 30-day return window"),
        (HUNDRED, 10, frozenset({InspectionFlag.WRONG_ITEM}), "Flagged: Wrong item"),
    ],
)  # fmt: skip
def test_refund_outside_policy_waits_for_approval(
    total: Money, days: int, flags: frozenset[InspectionFlag], reason: str
) -> None:
    status, text = _review(total, days, flags)
    assert status is RefundStatus.PENDING_APPROVAL
    assert reason in text


def test_an_overridden_disposition_waits_for_approval_unless_the_policy_says_not() -> None:
    review = REFUNDS.review(
        total=HUNDRED,
        days_since_delivery=10,
        window=ReturnWindow(30),
        flags=NO_FLAGS,
        overridden_units=2,
    )
    assert (review.status, review.reason) == (
        RefundStatus.PENDING_APPROVAL,
        "Disposition overridden on 2 units",
    )
    relaxed = replace(REFUNDS, overrides_need_approval=False)
    assert (
        relaxed.review(
            total=HUNDRED,
            days_since_delivery=10,
            window=ReturnWindow(30),
            flags=NO_FLAGS,
            overridden_units=2,
        ).status
        is RefundStatus.APPROVED
    )


def test_review_gives_every_reason() -> None:
    flags = frozenset({InspectionFlag.SERIAL_MISMATCH, InspectionFlag.EMPTY_BOX})
    _, text = _review(eur("800.00"), 60, flags)
    assert text == (
        "Refund EUR 800.00 is at or above the approval limit of EUR 500.00; "
        "Received 60 days after delivery, past the 30-day return window; "
        "Flagged: Empty box, Serial mismatch"
    )


# --- loading ---------------------------------------------------------------------------------


def _policy_dir(tmp_path: Path, file: str = "", old: str = "", new: str = "") -> Path:
    """A copy of the default policies, with ``old`` replaced by ``new`` once in ``file``."""
    directory = tmp_path / "policies"
    shutil.copytree(default_policy_dir(), directory)
    if file:
        path = directory / file
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} is not unique in {file}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return directory


def test_loaded_copy_equals_the_defaults(tmp_path: Path) -> None:
    policies = load_policies(_policy_dir(tmp_path))
    assert isinstance(policies, Policies)
    assert policies.grading == DEFAULTS.grading
    assert policies.dispositions.rules == DEFAULTS.dispositions.rules


def test_money_in_the_files_is_read_as_exact_decimals() -> None:
    assert REFUNDS.grade_deductions["C"].percent == Decimal("15")
    assert REFUNDS.approval_threshold.money("EUR") == eur("500.00")
    assert REFUNDS.approval_threshold.money("JPY") == Money.of("75000", "JPY")


def test_whole_numbers_without_quotes_are_accepted(tmp_path: Path) -> None:
    directory = _policy_dir(tmp_path, "refunds.toml", 'C = { percent = "15"', "C = { percent = 20")
    assert load_policies(directory).refunds.grade_deductions["C"].percent == Decimal(20)


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        # numbers
        ("refunds.toml", 'C = { percent = "15"', 'C = { percent = "150"',
         "refunds.toml: grade_deductions.C.percent: must be between 0 and 100"),
        ("refunds.toml", 'D = { percent = "50"', 'D = { percent = "-5"',
         "refunds.toml: grade_deductions.D.percent: must be between 0 and 100"),
        ("refunds.toml", 'C = { percent = "15"', "C = { percent = 15.0",
         'refunds.toml: grade_deductions.C.percent: write the number in quotes, e.g. "15.0"'),
        ("refunds.toml", 'default = "500.00"', "default = 500.00",
         "refunds.toml: approval.threshold.default: write the number in quotes"),
        ("refunds.toml", 'JPY = "75000"', 'JPY = "lots"',
         "refunds.toml: approval.threshold.JPY: not a number: 'lots'"),
        ("refunds.toml", 'JPY = "75000"', 'yen = "75000"',
         "refunds.toml: approval.threshold.yen: expected 'default' or a currency code"),
        ("refunds.toml", 'JPY = "75000"', 'JPY = "NaN"',
         "refunds.toml: approval.threshold.JPY: not a number"),
        ("refunds.toml", 'A = { percent = "0" }', 'A = { percent = "0", fee = "-1.00" }',
         "refunds.toml: grade_deductions.A.fee: must not be negative"),
        ("refunds.toml", "transit_grace_days = 7", 'transit_grace_days = "7"',
         "refunds.toml: approval.transit_grace_days: must be a whole number"),
        # refunds
        ("refunds.toml", 'F = { percent = "0" }\n', "",
         "refunds.toml: grade_deductions.F: missing"),
        ("refunds.toml", 'F = { percent = "0" }', 'F = { percent = "0" }\nE = { percent = "0" }',
         "refunds.toml: grade_deductions.E: 'E' is not a grade in grading.toml (A, B, C, D, F)"),
        ("refunds.toml", 'D = { percent = "50", reason = "Damaged after delivery" }',
         'D = { percent = "50" }',
         "refunds.toml: grade_deductions.D.reason: missing"),
        ("refunds.toml", "defective = { label", "defective = { lable",
         "refunds.toml: reasons.defective.lable: unknown key "
         "(expected one of: label, waives_deduction)"),
        ("refunds.toml", 'waives_deduction = true }\nwrong', 'waives_deduction = "yes" }\nwrong',
         "refunds.toml: reasons.defective.waives_deduction: must be true or false, not 'yes'"),
        ("refunds.toml", '"serial_mismatch", "underweight"]', '"serial_mismatch", "fraud"]',
         "refunds.toml: approval.needs_approval_flags: unknown flag 'fraud'"),
        ("refunds.toml", 'tolerance_percent = "25"', 'tolerance_percent = "125"',
         "refunds.toml: weight_check.tolerance_percent: must be between 0 and 100"),
        ("refunds.toml", "packaging_grams = 50", "packaging_grams = -5",
         "refunds.toml: weight_check.packaging_grams: must be a whole number of 0 or more"),
        ("refunds.toml", "full_deduction = true", "full_deduction = 1",
         "refunds.toml: serial_mismatch.full_deduction: must be true or false"),
        ("refunds.toml", "[approval]", "[approvals]",
         "refunds.toml: approvals: unknown key"),
        # grading
        ('grading.toml', 'code = "D"', 'code = "C"',
         "grading.toml: grades[4].code: duplicate grade code 'C'"),
        ("grading.toml", 'label = "Damaged"', 'lable = "Damaged"',
         "grading.toml: grades[4].lable: unknown key"),
        ("grading.toml", 'label = "Damaged"', 'label = "  "',
         "grading.toml: grades[4].label: must not be empty"),
        ("grading.toml", 'code = "A"', 'code = "A 1"',
         "grading.toml: grades[1].code: must be 1 to 8 characters without spaces"),
        ("grading.toml", "any condition.\"\n",
         "any condition.\"\n" + "".join(f'[[grades]]\ncode="G{n}"\nlabel="G"\n' for n in range(5)),
         "grading.toml: grades: must list 1 to 9 grades"),
        # checklists
        ("checklists.toml", 'reasons = ["defective"]', 'reasons = ["broken"]',
         "checklists.toml: checklists[4].reasons: 'broken' is not a reason in refunds.toml"),
        ("checklists.toml", 'text = "Powers on?"', 'text = "Does it power on?"\n\n'
         '[[checklists.questions]]\nid = "powers_on"\ntext = "Turns on?"',
         "checklists.toml: checklists[3].questions[2].id: duplicate question 'powers_on'"),
        ("checklists.toml", 'id = "fault_confirmed"', 'id = "powers_on"',
         "checklists.toml: checklists[4].questions[1].text: question 'powers_on' is worded "
         "differently at checklists[3].questions[1].text"),
        ("checklists.toml", 'id = "soles_clean"', 'id = "Soles Clean"',
         "checklists.toml: checklists[2].questions[1].id: use lowercase letters"),
        ("checklists.toml", 'categories = ["footwear"]', 'categories = []',
         "checklists.toml: checklists[2].categories: must not be empty"),
        # dispositions
        ("dispositions.toml", 'refurbish"\nlocation = "QUARANTINE"\n\n[[rules]]\nname = "Serial',
         'hold"\nlocation = "QUARANTINE"\n\n[[rules]]\nname = "Serial',
         "dispositions.toml: rules[1].disposition: unknown disposition 'hold' "
         "(expected one of: restock, refurbish, liquidate, recycle)"),
        ("dispositions.toml", 'grades = ["A", "B"]', 'grades = ["A", "E"]',
         "dispositions.toml: rules[4].grades: 'E' is not a grade in grading.toml (A, B, C, D, F)"),
        ("dispositions.toml", 'flags = ["wrong_item"]', 'flags = ["wrong"]',
         "dispositions.toml: rules[1].flags: unknown flag 'wrong'"),
        ("dispositions.toml", 'flags = ["wrong_item"]', "flags = []",
         "dispositions.toml: rules[1].flags: must not be empty"),
        ("dispositions.toml", "factory_reset = false", "wiped = false",
         "dispositions.toml: rules[3].checklist.wiped: 'wiped' is not a question id in "
         "checklists.toml"),
        ("dispositions.toml", "factory_reset = false", 'factory_reset = "no"',
         "dispositions.toml: rules[3].checklist.factory_reset: must be true or false"),
        ("dispositions.toml", 'name = "Defective goods"', 'name = "Used or damaged goods"',
         "dispositions.toml: rules[10].name: duplicate rule name 'Used or damaged goods'"),
        ("dispositions.toml", 'name = "No rule matched"', 'name = "New or like new"',
         "dispositions.toml: default.name: duplicate rule name 'New or like new'"),
        ("dispositions.toml", 'grades = ["F"]\ndisposition = "recycle"\n\n\n',
         'disposition = "recycle"\n\n\n',
         "dispositions.toml: rules[10].name: has no conditions"),
        ("dispositions.toml", 'min_value = { default = "50.00", JPY = "7500", KRW',
         'max_value = "10"\nmin_value = { default = "5.00", JPY = "7500", KRW',
         "dispositions.toml: rules[6].max_value: must be above min_value"),
        ("dispositions.toml", 'recycle = "RECYCLING"\n', "",
         "dispositions.toml: locations.recycle: missing"),
        ("dispositions.toml", 'restock = "SELLABLE"', 'restock = "SELLABLE"\nhold = "HOLD"',
         "dispositions.toml: locations.hold: unknown key"),
        ("dispositions.toml", 'location = "OUTLET"', 'location = "' + "X" * 65 + '"',
         "dispositions.toml: rules[5].location: must be at most 64 characters"),
        ("dispositions.toml", "[default]", "[defaults]",
         "dispositions.toml: defaults: unknown key"),
        # files
        ("grading.toml", '[[grades]]\ncode = "A"', '[[grades]\ncode = "A"',
         "grading.toml: not valid TOML: "),
    ],
)  # fmt: skip
def test_malformed_policy_names_file_and_key(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    with pytest.raises(PolicyError, match=f"^{re.escape(message)}"):
        load_policies(_policy_dir(tmp_path, file, old, new))


def test_missing_file(tmp_path: Path) -> None:
    directory = _policy_dir(tmp_path)
    (directory / "checklists.toml").unlink()
    with pytest.raises(PolicyError, match="^checklists.toml: file not found in "):
        load_policies(directory)


def test_file_that_is_not_text(tmp_path: Path) -> None:
    directory = _policy_dir(tmp_path)
    (directory / "refunds.toml").write_bytes(b"\xff\xfe[reasons]")
    with pytest.raises(PolicyError, match="^refunds.toml: not valid TOML: "):
        load_policies(directory)


# --- the weight check ------------------------------------------------------------------------


def test_the_weight_check_flags_a_parcel_lighter_than_goods_less_tolerance_plus_packaging() -> None:
    # Given 2 x 400 g shipped, 50 g packaging, 25 % of the goods may be missing
    check = load_policies(default_policy_dir()).refunds.weight_check
    assert (check.packaging_grams, check.tolerance_percent) == (50, Decimal(25))
    # Then the parcel may weigh down to 800 + 50 - 200 = 650 g
    assert check.judge(measured_grams=650, contents_grams=800).underweight is False
    light = check.judge(measured_grams=649, contents_grams=800)
    assert light.underweight and (light.expected_grams, light.lowest_grams) == (850, 650)
    assert light.short_grams == 201
    assert light.describe() == (
        "Parcel weighs 0.649 kg, expected 0.850 kg with packaging: 0.201 kg too light"
        " (empty box or a part missing?)."
    )
    # And a product whose weight is not known is never flagged, however light the parcel
    unknown = check.judge(measured_grams=0, contents_grams=None)
    assert not unknown.underweight and unknown.short_grams == 0

"""The inspection of one parcel, step by step, as a pure state machine.

The station's Qt controller feeds it what the inspector does (items scanned, grade keys,
checklist answers, disposition choice) and shows what it says. Nothing here touches the
database: the completion service turns the finished ``ParcelInspection`` into rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from returnsdesk.domain.errors import WrongStep
from returnsdesk.domain.ids import new_id
from returnsdesk.domain.money import Money, total
from returnsdesk.domain.policy import (
    ChecklistQuestion,
    DispositionSuggestion,
    Policies,
    RefundReview,
    UnitRefund,
)
from returnsdesk.domain.return_window import ReturnWindow
from returnsdesk.domain.text import storable
from returnsdesk.domain.vocabulary import Disposition, InspectionFlag
from returnsdesk.domain.weighing import Weighing, contents_grams

# The lengths of the columns they are stored in (inspections.notes, dispositions.override_reason).
NOTES_LIMIT = 4000
OVERRIDE_REASON_LIMIT = 1000


@dataclass(frozen=True)
class ExpectedLine:
    """A line of the return: what the customer said they sent back."""

    line_id: uuid.UUID
    sku: str
    title: str
    category: str
    quantity: int
    unit_price: Money  # price paid per unit
    unit_value: Money  # current resale value, for disposition rules
    reason_code: str
    reason_label: str
    customer_comment: str
    serialised: bool
    serial_numbers: tuple[str, ...]  # as shipped on the order
    weight_grams: int = 0  # the product's weight per unit; 0: not known (no weight check)


@dataclass(frozen=True)
class ScannedProduct:
    """The product behind an item scan, as the catalogue knows it."""

    sku: str
    title: str
    category: str
    unit_value: Money
    serialised: bool
    serial: str | None = None  # when the scan itself carried the serial (GS1 AI 21, serial label)


class UnitStep(StrEnum):
    SERIAL = "serial"  # waiting for the unit's serial number
    GRADE = "grade"
    CHECKLIST = "checklist"
    DISPOSITION = "disposition"  # suggestion shown; Enter accepts, O overrides


@dataclass
class UnitDraft:
    """The unit under inspection right now."""

    product: ScannedProduct
    line: ExpectedLine | None  # None: not on this return
    unit_index: int  # which unit of the line (0-based); for extras, counts on past the quantity
    started_at: datetime
    questions: tuple[ChecklistQuestion, ...] = ()
    serial: str | None = None
    grade: str | None = None
    answers: dict[str, bool] = field(default_factory=dict)
    notes: str = ""
    flags: set[InspectionFlag] = field(default_factory=set)
    photos: int = 0
    # Becomes the inspection's id, so photos taken now link to the row written at completion.
    id: uuid.UUID = field(default_factory=new_id)

    @property
    def step(self) -> UnitStep:
        if self.line is not None and self.line.serialised and self.serial is None:
            return UnitStep.SERIAL
        if self.grade is None:
            return UnitStep.GRADE
        if len(self.answers) < len(self.questions):
            return UnitStep.CHECKLIST
        return UnitStep.DISPOSITION

    @property
    def next_question(self) -> ChecklistQuestion | None:
        for question in self.questions:
            if question.id not in self.answers:
                return question
        return None


@dataclass(frozen=True)
class InspectedUnit:
    """A unit the inspector finished: graded and given a disposition."""

    unit_id: uuid.UUID
    product: ScannedProduct
    line_id: uuid.UUID | None
    unit_index: int
    grade: str
    answers: Mapping[str, bool]
    serial: str | None
    notes: str
    flags: frozenset[InspectionFlag]
    disposition: Disposition
    location: str
    rule: str
    overridden_from: Disposition | None
    override_reason: str | None
    started_at: datetime
    finished_at: datetime

    def to_record(self) -> dict[str, object]:
        """Plain JSON data, so a finished unit survives a station restart before completion."""
        return {
            "unit_id": str(self.unit_id),
            "product": {
                "sku": self.product.sku,
                "title": self.product.title,
                "category": self.product.category,
                "unit_value": str(self.product.unit_value.amount),
                "currency": self.product.unit_value.currency,
                "serialised": self.product.serialised,
                "serial": self.product.serial,
            },
            "line_id": None if self.line_id is None else str(self.line_id),
            "unit_index": self.unit_index,
            "grade": self.grade,
            "answers": dict(self.answers),
            "serial": self.serial,
            "notes": self.notes,
            "flags": sorted(flag.value for flag in self.flags),
            "disposition": self.disposition.value,
            "location": self.location,
            "rule": self.rule,
            "overridden_from": None if self.overridden_from is None else self.overridden_from.value,
            "override_reason": self.override_reason,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> InspectedUnit:
        product = record["product"]
        line_id = record["line_id"]
        overridden = record["overridden_from"]
        return cls(
            unit_id=uuid.UUID(record["unit_id"]),
            product=ScannedProduct(
                sku=product["sku"],
                title=product["title"],
                category=product["category"],
                unit_value=Money(Decimal(product["unit_value"]), product["currency"]),
                serialised=product["serialised"],
                serial=product["serial"],
            ),
            line_id=None if line_id is None else uuid.UUID(line_id),
            unit_index=record["unit_index"],
            grade=record["grade"],
            answers=dict(record["answers"]),
            serial=record["serial"],
            notes=record["notes"],
            flags=frozenset(InspectionFlag(flag) for flag in record["flags"]),
            disposition=Disposition(record["disposition"]),
            location=record["location"],
            rule=record["rule"],
            overridden_from=None if overridden is None else Disposition(overridden),
            override_reason=record["override_reason"],
            started_at=datetime.fromisoformat(record["started_at"]),
            finished_at=datetime.fromisoformat(record["finished_at"]),
        )


@dataclass(frozen=True)
class MissingUnit:
    """An expected unit that was not in the parcel, closed as missing."""

    line_id: uuid.UUID
    unit_index: int
    flags: frozenset[InspectionFlag]


@dataclass(frozen=True)
class RefundQuoteLine:
    line: ExpectedLine
    unit_index: int
    refund: UnitRefund
    grade: str | None  # None: not received

    @property
    def description(self) -> str:
        return (
            self.line.title
            if self.line.quantity == 1
            else (f"{self.line.title} ({self.unit_index + 1} of {self.line.quantity})")
        )


@dataclass(frozen=True)
class RefundQuote:
    """The itemised refund the inspector confirms."""

    lines: tuple[RefundQuoteLine, ...]
    total: Money
    review: RefundReview

    @property
    def gross(self) -> Money:
        return total([line.refund.gross for line in self.lines], self.total.currency)

    @property
    def deductions(self) -> Money:
        return total([line.refund.deduction for line in self.lines], self.total.currency)


class ParcelInspection:
    """What has been found in one parcel so far, and what is being inspected now."""

    def __init__(
        self,
        *,
        lines: tuple[ExpectedLine, ...],
        policies: Policies,
        currency: str,
        days_since_delivery: int | None,
        window: ReturnWindow,
        require_photos: bool = True,
    ) -> None:
        self.lines = lines
        self.policies = policies
        self.currency = currency
        self.days_since_delivery = days_since_delivery
        self.window = window  # the longest that applies (refunds.toml [windows])
        self.units: list[InspectedUnit] = []
        self.current: UnitDraft | None = None
        self.empty_box = False
        self.require_photos = require_photos  # off at stations without a camera
        self.parcel_photos = 0  # photos of the parcel itself (e.g. an empty box)
        self.weighing: Weighing | None = None  # the parcel on the scale, before items came out

    def restore(self, units: list[InspectedUnit]) -> None:
        """Units finished before a restart (or at another station), read back from storage.

        A unit whose line is no longer on the return (the shop changed it meanwhile) cannot be
        placed and raises ``WrongStep``; nothing is restored then.
        """
        known = {line.line_id for line in self.lines}
        stray = [u for u in units if u.line_id is not None and u.line_id not in known]
        if stray:
            raise WrongStep(
                f"{len(stray)} unit(s) inspected earlier are not on this return any more;"
                " a shift lead must check the parcel."
            )
        self.units.extend(sorted(units, key=lambda u: u.finished_at))

    # --- the weight check -----------------------------------------------------------------

    @property
    def contents_grams(self) -> int | None:
        """What the goods on the return weigh as shipped; None when a weight is not known."""
        return contents_grams((line.weight_grams, line.quantity) for line in self.lines)

    def weigh(self, weighing: Weighing) -> None:
        """The parcel's weighing (``RefundPolicy.weight_check.judge``), taken while it is whole."""
        if self.units or self.current is not None:
            raise WrongStep(
                "Items are out of the parcel already: its weight says nothing now."
                " Weigh a parcel when it is opened, before scanning its items."
            )
        self.weighing = weighing

    @property
    def parcel_flags(self) -> frozenset[InspectionFlag]:
        """Flags of the parcel as a whole, carried by every unit in it when it is completed."""
        if self.weighing is not None and self.weighing.underweight:
            return frozenset({InspectionFlag.UNDERWEIGHT})
        return frozenset()

    # --- progress ---------------------------------------------------------------------------

    def inspected_count(self, line_id: uuid.UUID) -> int:
        return sum(1 for unit in self.units if unit.line_id == line_id)

    def remaining(self, line: ExpectedLine) -> int:
        in_progress = 1 if self.current is not None and self.current.line is line else 0
        return max(0, line.quantity - self.inspected_count(line.line_id) - in_progress)

    @property
    def expected_units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def expected_inspected(self) -> int:
        """Expected units inspected so far; a wrong item or one unit too many is none of them."""
        return sum(min(self.inspected_count(line.line_id), line.quantity) for line in self.lines)

    @property
    def all_expected_inspected(self) -> bool:
        return all(self.inspected_count(line.line_id) >= line.quantity for line in self.lines)

    @property
    def completes_with_current(self) -> bool:
        """True when accepting the current unit leaves no expected unit uninspected."""
        if self.current is None or self.current.line is None:
            return self.current is None and self.all_expected_inspected
        return all(self.remaining(line) == 0 for line in self.lines)

    # --- the unit under inspection ---------------------------------------------------------

    def begin_unit(self, product: ScannedProduct, *, now: datetime) -> UnitDraft:
        """Match a scanned item to the first expected line with units left, or flag it."""
        if self.current is not None:
            raise WrongStep("Finish the current item first (Enter accepts, Esc cancels it).")
        if not self.units:
            self.require_parcel_photo()
        line = next(
            (ln for ln in self.lines if ln.sku == product.sku and self.remaining(ln) > 0), None
        )
        flags: set[InspectionFlag] = set()
        if line is None:
            flags.add(InspectionFlag.WRONG_ITEM)
            unit_index = sum(1 for unit in self.units if unit.product.sku == product.sku)
        else:
            unit_index = self.inspected_count(line.line_id)
        # A unit not on the return goes to quarantine for a shift lead whatever its checklist
        # would say, so the inspector grades it and moves on.
        questions = (
            self.policies.checklists.questions_for(
                category=product.category, reason_code=line.reason_code
            )
            if line is not None
            else ()
        )
        draft = UnitDraft(
            product=product,
            line=line,
            unit_index=unit_index,
            started_at=now,
            questions=questions,
            flags=flags,
        )
        self.current = draft
        if product.serial is not None and line is not None and line.serialised:
            self.scan_serial(product.serial)
        return draft

    def _require(self, step: UnitStep) -> UnitDraft:
        if self.current is None:
            raise WrongStep("Scan an item first.")
        if self.current.step is not step:
            if self.current.step is UnitStep.GRADE:
                keys = [grade.key for grade in self.policies.grading.grades]
                named = keys[0] if len(keys) == 1 else f"{keys[0]}-{keys[-1]}"
                raise WrongStep(f"Grade the unit first (keys {named}).")
            raise WrongStep(_STEP_HINTS[self.current.step])
        return self.current

    def scan_serial(self, serial: str) -> bool:
        """Record the unit's serial; returns False (and flags the unit) when it was not shipped."""
        draft = self._require(UnitStep.SERIAL)
        assert draft.line is not None  # SERIAL is only asked for units on a line
        draft.serial = serial
        shipped = {s.upper() for s in draft.line.serial_numbers}
        already = {u.serial.upper() for u in self.units if u.serial is not None}
        matches = serial.upper() in shipped and serial.upper() not in already
        if not matches:
            draft.flags.add(InspectionFlag.SERIAL_MISMATCH)
        return matches

    def grade(self, key: str) -> str:
        """Grade the current unit by its key ("1".."9"); returns the grade code."""
        draft = self._require(UnitStep.GRADE)
        found = self.policies.grading.by_key(key)
        if found is None:
            codes = ", ".join(f"{g.key}={g.code}" for g in self.policies.grading.grades)
            raise WrongStep(f"No grade on key {key}. Grades: {codes}.")
        draft.grade = found.code
        return found.code

    def answer(self, yes: bool) -> None:
        draft = self._require(UnitStep.CHECKLIST)
        question = draft.next_question
        assert question is not None
        draft.answers[question.id] = yes

    def set_notes(self, notes: str) -> None:
        if self.current is None:
            raise WrongStep("Scan an item first.")
        self.current.notes = storable(notes, what="Notes", limit=NOTES_LIMIT).strip()

    def record_photo(self) -> None:
        """A photo was stored: of the unit under inspection, or else of the parcel."""
        if self.current is not None:
            self.current.photos += 1
        else:
            self.parcel_photos += 1

    def missing_photo_reason(self) -> str | None:
        """Why the current unit (or an empty box) still needs a photo, or None."""
        if not self.require_photos:
            return None
        evidence = self.policies.grading.evidence
        if self.current is not None:
            if self.current.photos:
                return None
            return evidence.photo_required(grade=self.current.grade, flags=self.current.flags)
        if self.parcel_photos:
            return None
        flags = self.parcel_flags | (self._missing_flags if self.empty_box else frozenset())
        return evidence.photo_required(grade=None, flags=flags) if flags else None

    def require_parcel_photo(self) -> None:
        """An underweight parcel is photographed opened, before its items come out."""
        if self.current is not None or not self.parcel_flags:
            return
        why = self.missing_photo_reason()
        if why is not None:
            raise WrongStep(
                f"Photograph the opened parcel first (P): evidence is required for {why}."
            )

    def regrade(self) -> None:
        """Go back to grading the current unit (the inspector pressed a grade key too early)."""
        if self.current is None:
            raise WrongStep("Scan an item first.")
        self.current.grade = None
        self.current.answers.clear()

    def suggestion(self) -> DispositionSuggestion:
        draft = self._require(UnitStep.DISPOSITION)
        assert draft.grade is not None
        return self.policies.dispositions.suggest(
            grade=draft.grade,
            category=draft.product.category,
            reason_code=draft.line.reason_code if draft.line is not None else None,
            unit_value=draft.product.unit_value,
            flags=frozenset(draft.flags),
            checklist=draft.answers,
        )

    def accept(
        self, *, now: datetime, override: Disposition | None = None, reason: str | None = None
    ) -> InspectedUnit:
        """Finish the current unit with the suggested disposition, or an override with a reason."""
        unit = self.preview_accept(now=now)
        self._require_photo()
        if override is not None and override is not unit.disposition:
            if not reason or not reason.strip():
                raise WrongStep("An override needs a reason.")
            storable(reason, what="Override reason", limit=OVERRIDE_REASON_LIMIT)
            unit = replace(
                unit,
                disposition=override,
                location=self.policies.dispositions.location_for(override),
                overridden_from=unit.disposition,
                override_reason=reason.strip(),
            )
        self.units.append(unit)
        self.current = None
        return unit

    def _require_photo(self) -> None:
        why = self.missing_photo_reason()
        if why is not None:
            raise WrongStep(f"Take a photo first (P): evidence is required for {why}.")

    def check_ready_to_close(self) -> None:
        """Raise ``WrongStep`` if the parcel cannot be completed yet (e.g. empty box, no photo)."""
        if self.current is not None:
            raise WrongStep("Finish or cancel the current item before completing the parcel.")
        self._require_photo()

    def cancel_unit(self) -> None:
        self.current = None

    # --- closing the parcel ----------------------------------------------------------------

    def mark_empty_box(self) -> None:
        """The parcel held none of the expected units."""
        if self.units or self.current is not None:
            raise WrongStep("Items were already scanned: close the parcel with the rest missing.")
        self.empty_box = True

    @property
    def _missing_flags(self) -> frozenset[InspectionFlag]:
        if self.empty_box:
            return frozenset({InspectionFlag.MISSING, InspectionFlag.EMPTY_BOX})
        return frozenset({InspectionFlag.MISSING})

    def missing_units(self) -> tuple[MissingUnit, ...]:
        flags = self._missing_flags
        missing: list[MissingUnit] = []
        for line in self.lines:
            for index in range(self.inspected_count(line.line_id), line.quantity):
                missing.append(MissingUnit(line_id=line.line_id, unit_index=index, flags=flags))
        return tuple(missing)

    def quote(self, *, pending: InspectedUnit | None = None) -> RefundQuote:
        """The refund if the parcel closed now (units not inspected count as missing).

        ``pending`` previews a unit that is about to be accepted, so the inspector sees the
        final refund on the same screen as the last unit's disposition.
        """
        units = [*self.units, *([pending] if pending is not None else [])]
        by_line: dict[uuid.UUID, list[InspectedUnit]] = {}
        for unit in units:
            if unit.line_id is not None:
                by_line.setdefault(unit.line_id, []).append(unit)
        refunds = self.policies.refunds
        quote_lines: list[RefundQuoteLine] = []
        all_flags: set[InspectionFlag] = set(self.parcel_flags)
        for line in self.lines:
            received = by_line.get(line.line_id, [])
            for index in range(line.quantity):
                received_unit = received[index] if index < len(received) else None
                if received_unit is None:
                    flags, grade = self._missing_flags, None
                else:
                    flags, grade = received_unit.flags, received_unit.grade
                all_flags |= flags
                quote_lines.append(
                    RefundQuoteLine(
                        line=line,
                        unit_index=index,
                        refund=refunds.unit_refund(
                            price_paid=line.unit_price,
                            grade=grade,
                            reason_code=line.reason_code,
                            flags=flags,
                        ),
                        grade=grade,
                    )
                )
        # Units not on the return are never refunded, but a wrong item needs a second look.
        for unit in units:
            if unit.line_id is None:
                all_flags |= unit.flags
        amount = total([q.refund.amount for q in quote_lines], self.currency).rounded()
        review = refunds.review(
            total=amount,
            days_since_delivery=self.days_since_delivery,
            window=self.window,
            flags=frozenset(all_flags),
            overridden_units=sum(1 for unit in units if unit.overridden_from is not None),
        )
        return RefundQuote(lines=tuple(quote_lines), total=amount, review=review)

    def preview_accept(self, *, now: datetime) -> InspectedUnit:
        """The unit ``accept`` would produce with the suggested disposition, without accepting."""
        suggestion = self.suggestion()
        draft = self.current
        assert draft is not None and draft.grade is not None
        return InspectedUnit(
            unit_id=draft.id,
            product=draft.product,
            line_id=draft.line.line_id if draft.line is not None else None,
            unit_index=draft.unit_index,
            grade=draft.grade,
            answers=dict(draft.answers),
            serial=draft.serial,
            notes=draft.notes,
            flags=frozenset(draft.flags),
            disposition=suggestion.disposition,
            location=suggestion.location,
            rule=suggestion.rule,
            overridden_from=None,
            override_reason=None,
            started_at=draft.started_at,
            finished_at=now,
        )


_STEP_HINTS = {  # the grade step's hint names the loaded scale's keys (see _require)
    UnitStep.SERIAL: "Scan the unit's serial number.",
    UnitStep.CHECKLIST: "Answer the checklist question (Y / N).",
    UnitStep.DISPOSITION: "Press Enter to accept the disposition, or O to override.",
}

__all__ = [
    "ExpectedLine",
    "InspectedUnit",
    "MissingUnit",
    "ParcelInspection",
    "RefundQuote",
    "RefundQuoteLine",
    "ScannedProduct",
    "UnitDraft",
    "UnitStep",
]
